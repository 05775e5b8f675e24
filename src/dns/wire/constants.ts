/**
 * DNS protocol numbers: RR types and classes (RFC 1035 §3.2, RFC 3596,
 * RFC 6891, RFC 8945), opcodes (RFC 1035 §4.1.1, RFC 1996, RFC 2136) and
 * RCODEs including the extended and TSIG error values (RFC 6891, RFC 8945).
 *
 * Plain `as const` objects rather than enums so the values erase to numbers
 * and unknown codes read from the wire stay representable.
 */

/** Resource record TYPE values this codec knows by name. */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

/** Resource record CLASS values; NONE and ANY carry RFC 2136 meaning in UPDATE. */
export const RRClass = {
  IN: 1,
  CH: 3,
  HS: 4,
  NONE: 254,
  ANY: 255,
} as const;

/** Header OPCODE values. */
export const Opcode = {
  QUERY: 0,
  IQUERY: 1,
  STATUS: 2,
  NOTIFY: 4,
  UPDATE: 5,
} as const;

/**
 * RCODE values. 0–15 fit the header; larger values need the EDNS extended
 * RCODE or appear only in the TSIG `error` field (16–22 are TSIG/TKEY
 * errors; 16 doubles as BADVERS in an OPT context).
 */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADMODE: 19,
  BADNAME: 20,
  BADALG: 21,
  BADTRUNC: 22,
  BADCOOKIE: 23,
} as const;

function invert(table: Record<string, number>): Map<number, string> {
  const out = new Map<number, string>();
  for (const [name, code] of Object.entries(table)) if (!out.has(code)) out.set(code, name);
  return out;
}

const typeNames = invert(RRType);
const classNames = invert(RRClass);
const opcodeNames = invert(Opcode);
const rcodeNames = invert(Rcode);

/** Mnemonic of an RR type, or the RFC 3597 `TYPEnnn` form for unknown ones. */
export function rrTypeName(type: number): string {
  return typeNames.get(type) ?? `TYPE${type}`;
}

/** Mnemonic of an RR class, or `CLASSnnn`. */
export function rrClassName(cls: number): string {
  return classNames.get(cls) ?? `CLASS${cls}`;
}

/** Mnemonic of an opcode, or its decimal value. */
export function opcodeName(opcode: number): string {
  return opcodeNames.get(opcode) ?? String(opcode);
}

/** Mnemonic of an RCODE (header, extended or TSIG error), or its decimal value. */
export function rcodeName(rcode: number): string {
  return rcodeNames.get(rcode) ?? String(rcode);
}

/** Largest DNS message: the TCP length prefix is 16 bits (RFC 1035 §4.2.2). */
export const MAX_MESSAGE_SIZE = 65535;
