/**
 * Typed RDATA (RFC 1035 §3.3–3.4 for A, NS, CNAME, PTR, MX, SOA and TXT;
 * RFC 3596 for AAAA; RFC 6891 §6.1.2 for the OPT option list; RFC 8945 §4.2
 * for TSIG) and RFC 3597 opaque RDATA for every other type.
 *
 * Byte fields (TXT strings, OPT option data, TSIG MAC/other, raw RDATA) are
 * views into the decoded buffer, not copies: copy them before keeping them
 * past the buffer's lifetime if the buffer may be reused.
 */
import { RRClass, RRType, rrTypeName } from './constants.js';
import { encodeFail } from './errors.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip.js';
import { readName, writeName } from './name.js';
import type { WireReader } from './reader.js';
import type { WireWriter } from './writer.js';

export interface ARdata {
  kind: 'A';
  /** Dotted quad. */
  address: string;
}

export interface AaaaRdata {
  kind: 'AAAA';
  /** IPv6 text (RFC 5952 form when decoded). */
  address: string;
}

/** RDATA that is a single domain name: NS, CNAME and PTR. */
export interface NameRdata {
  kind: 'NAME';
  target: string;
}

export interface MxRdata {
  kind: 'MX';
  preference: number;
  exchange: string;
}

export interface SoaRdata {
  kind: 'SOA';
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/**
 * TXT: the character-strings in order, each ≤ 255 octets. A logical value is
 * the concatenation of all strings (see `txtValue`); an UPDATE delete-RRset
 * carries zero strings.
 */
export interface TxtRdata {
  kind: 'TXT';
  strings: Uint8Array[];
}

/** One EDNS option (RFC 6891 §6.1.2), payload kept raw. */
export interface EdnsOption {
  code: number;
  data: Uint8Array;
}

/** OPT RDATA; the EDNS header fields live in the RR's CLASS and TTL (see `edns.ts`). */
export interface OptRdata {
  kind: 'OPT';
  options: EdnsOption[];
}

/** TSIG RDATA (RFC 8945 §4.2). */
export interface TsigRdata {
  kind: 'TSIG';
  /** Algorithm name, e.g. `hmac-sha256`. */
  algorithm: string;
  /** Seconds since the epoch, 48-bit. */
  timeSigned: number;
  fudge: number;
  mac: Uint8Array;
  originalId: number;
  /** Extended RCODE (0, or BADSIG/BADKEY/BADTIME/BADTRUNC in error replies). */
  error: number;
  other: Uint8Array;
}

/** Opaque RDATA (unknown types, and empty RDATA of types that cannot be empty). */
export interface RawRdata {
  kind: 'RAW';
  bytes: Uint8Array;
}

export type Rdata =
  | ARdata
  | AaaaRdata
  | NameRdata
  | MxRdata
  | SoaRdata
  | TxtRdata
  | OptRdata
  | TsigRdata
  | RawRdata;

const EMPTY = new Uint8Array(0);

/** A and AAAA layouts are defined for class IN; UPDATE reuses them under NONE/ANY. */
function isInternetClass(cls: number): boolean {
  return cls === RRClass.IN || cls === RRClass.NONE || cls === RRClass.ANY;
}

function readTxt(r: WireReader, end: number): TxtRdata | undefined {
  const strings: Uint8Array[] = [];
  const buf = r.buf;
  let pos = r.pos;
  while (pos < end) {
    const len = buf[pos]!;
    if (pos + 1 + len > end) return r.fail('length', `TXT string overruns RDATA at ${pos}`);
    strings.push(buf.subarray(pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  r.pos = pos;
  return { kind: 'TXT', strings };
}

function readOpt(r: WireReader, end: number): OptRdata | undefined {
  const options: EdnsOption[] = [];
  while (r.pos < end) {
    if (r.pos + 4 > end) return r.fail('length', 'truncated EDNS option header');
    const code = r.u16('EDNS option');
    const len = r.u16('EDNS option');
    if (r.pos + len > end) return r.fail('length', `EDNS option ${code} overruns RDATA`);
    options.push({ code, data: r.bytes(len, 'EDNS option')! });
  }
  return { kind: 'OPT', options };
}

function readTsig(r: WireReader): TsigRdata | undefined {
  const algorithm = readName(r);
  if (algorithm === undefined) return undefined;
  const timeSigned = r.u48('TSIG time');
  const fudge = r.u16('TSIG fudge');
  const macSize = r.u16('TSIG MAC size');
  if (macSize < 0) return undefined;
  const mac = r.bytes(macSize, 'TSIG MAC');
  const originalId = r.u16('TSIG original id');
  const error = r.u16('TSIG error');
  const otherLen = r.u16('TSIG other length');
  if (mac === undefined || otherLen < 0) return undefined;
  const other = r.bytes(otherLen, 'TSIG other data');
  if (other === undefined) return undefined;
  return { kind: 'TSIG', algorithm, timeSigned, fudge, mac, originalId, error, other };
}

function readTypedRdata(r: WireReader, type: number, cls: number, end: number): Rdata | undefined {
  const rdlen = end - r.pos;
  switch (type) {
    case RRType.TXT:
      return readTxt(r, end);
    case RRType.OPT:
      return readOpt(r, end);
  }
  // Only TXT and OPT may be empty; an empty RDATA elsewhere is an UPDATE
  // delete (RFC 2136 §2.5.2–2.5.3) and stays opaque.
  if (rdlen === 0) return { kind: 'RAW', bytes: EMPTY };
  switch (type) {
    case RRType.A:
    case RRType.AAAA: {
      const size = type === RRType.A ? 4 : 16;
      if (!isInternetClass(cls)) break;
      if (rdlen !== size) return r.fail('length', `${rrTypeName(type)} RDATA of ${rdlen} octets`);
      const address = size === 4 ? formatIPv4(r.buf, r.pos) : formatIPv6(r.buf, r.pos);
      r.pos = end;
      return size === 4 ? { kind: 'A', address } : { kind: 'AAAA', address };
    }
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR: {
      const target = readName(r);
      return target === undefined ? undefined : { kind: 'NAME', target };
    }
    case RRType.MX: {
      const preference = r.u16('MX preference');
      const exchange = preference < 0 ? undefined : readName(r);
      return exchange === undefined ? undefined : { kind: 'MX', preference, exchange };
    }
    case RRType.SOA: {
      const mname = readName(r);
      const rname = mname === undefined ? undefined : readName(r);
      if (rname === undefined || !r.need(20, 'SOA')) return undefined;
      // Five u32 fields; the length check above makes these reads infallible.
      const serial = r.u32('SOA');
      const refresh = r.u32('SOA');
      const retry = r.u32('SOA');
      const expire = r.u32('SOA');
      const minimum = r.u32('SOA');
      return { kind: 'SOA', mname: mname!, rname, serial, refresh, retry, expire, minimum };
    }
    case RRType.TSIG:
      return readTsig(r);
  }
  const bytes = r.buf.subarray(r.pos, end);
  r.pos = end;
  return { kind: 'RAW', bytes };
}

/**
 * Decodes `rdlen` octets of RDATA at `r.pos` (compression pointers may refer
 * anywhere earlier in `r.buf`). The RDATA must be consumed exactly.
 */
export function readRdata(
  r: WireReader,
  type: number,
  cls: number,
  rdlen: number,
): Rdata | undefined {
  const end = r.pos + rdlen;
  if (end > r.buf.length) return r.fail('length', `RDATA overruns message at ${r.pos}`);
  const data = readTypedRdata(r, type, cls, end);
  // Field readers return -1 after a failure instead of unwinding, so the
  // recorded error (not just `undefined`) decides.
  if (data === undefined || r.error !== undefined) return undefined;
  if (r.pos !== end) {
    return r.fail('structure', `${rrTypeName(type)} RDATA length ${rdlen} does not match content`);
  }
  return data;
}

const KIND_TYPES: Record<Exclude<Rdata['kind'], 'RAW'>, readonly number[]> = {
  A: [RRType.A],
  AAAA: [RRType.AAAA],
  NAME: [RRType.NS, RRType.CNAME, RRType.PTR],
  MX: [RRType.MX],
  SOA: [RRType.SOA],
  TXT: [RRType.TXT],
  OPT: [RRType.OPT],
  TSIG: [RRType.TSIG],
};

function writeAddress(w: WireWriter, text: string, v6: boolean): void {
  const bytes = v6 ? parseIPv6(text) : parseIPv4(text);
  if (bytes === undefined) {
    encodeFail(`invalid ${v6 ? 'IPv6' : 'IPv4'} address ${JSON.stringify(text)}`);
  }
  w.bytes(bytes);
}

function writeRdataBody(w: WireWriter, data: Rdata, compress: boolean): void {
  switch (data.kind) {
    case 'A':
    case 'AAAA':
      writeAddress(w, data.address, data.kind === 'AAAA');
      return;
    case 'NAME':
      writeName(w, data.target, compress);
      return;
    case 'MX':
      w.u16(data.preference);
      writeName(w, data.exchange, compress);
      return;
    case 'SOA':
      writeName(w, data.mname, compress);
      writeName(w, data.rname, compress);
      w.u32(data.serial);
      w.u32(data.refresh);
      w.u32(data.retry);
      w.u32(data.expire);
      w.u32(data.minimum);
      return;
    case 'TXT':
      for (const s of data.strings) {
        if (s.length > 255) encodeFail(`TXT character-string of ${s.length} octets (max 255)`);
        w.u8(s.length);
        w.bytes(s);
      }
      return;
    case 'OPT':
      for (const o of data.options) {
        w.u16(o.code);
        w.u16(o.data.length);
        w.bytes(o.data);
      }
      return;
    case 'TSIG':
      // RFC 8945 §4.2: the algorithm name is never compressed.
      writeName(w, data.algorithm, false);
      w.u48(data.timeSigned);
      w.u16(data.fudge);
      w.u16(data.mac.length);
      w.bytes(data.mac);
      w.u16(data.originalId);
      w.u16(data.error);
      w.u16(data.other.length);
      w.bytes(data.other);
      return;
    case 'RAW':
      w.bytes(data.bytes);
      return;
  }
}

/**
 * Writes RDLENGTH and RDATA for an RR of `type`. Names inside NS, CNAME, PTR,
 * MX and SOA are compressed when `compress` is set (RFC 3597 §4 allows it
 * only for those well-known types). Throws `DnsEncodeError` when the RDATA
 * kind does not fit the type or a field is out of range.
 */
export function writeRdata(w: WireWriter, type: number, data: Rdata, compress: boolean): void {
  if (data.kind !== 'RAW') {
    if (!KIND_TYPES[data.kind].includes(type)) {
      encodeFail(`${data.kind} RDATA cannot be used for type ${rrTypeName(type)}`);
    }
  }
  const lengthAt = w.pos;
  w.u16(0);
  writeRdataBody(w, data, compress);
  const rdlen = w.pos - lengthAt - 2;
  if (rdlen > 0xffff) encodeFail(`RDATA of ${rdlen} octets`);
  w.patchU16(lengthAt, rdlen);
}
