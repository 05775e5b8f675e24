/**
 * The 12-octet DNS message header (RFC 1035 §4.1.1; AD/CD from RFC 4035
 * §3.2; opcode 5 UPDATE from RFC 2136 §2.2, where the four counts are named
 * ZOCOUNT/PRCOUNT/UPCOUNT/ADCOUNT).
 */
import { readU16 } from '../../protocol/bytes.js';
import { encodeFail } from './errors.js';

export const HEADER_SIZE = 12;

/** Header fields; the section counts are derived from the message's arrays. */
export interface DnsHeader {
  /** Message ID (0–65535). */
  id: number;
  /** QR: false for a query/request, true for a response. */
  qr: boolean;
  /** OPCODE (0–15); see `Opcode`. */
  opcode: number;
  /** Authoritative answer. */
  aa: boolean;
  /** Truncated. */
  tc: boolean;
  /** Recursion desired. */
  rd: boolean;
  /** Recursion available. */
  ra: boolean;
  /** The reserved Z bit (bit 6 of the flags word); kept so decode→encode is lossless. */
  z: boolean;
  /** Authentic data (RFC 4035). */
  ad: boolean;
  /** Checking disabled (RFC 4035). */
  cd: boolean;
  /** Low four bits of the RCODE; EDNS carries the upper eight. */
  rcode: number;
}

/** A header with every flag clear, RCODE 0 and the given fields overridden. */
export function makeHeader(fields: Partial<DnsHeader> & { id: number }): DnsHeader {
  return {
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode: 0,
    ...fields,
  };
}

/** Decodes ID and flags from the first four octets (caller checked the length). */
export function decodeHeader(buf: Uint8Array): DnsHeader {
  const flags = readU16(buf, 2);
  return {
    id: readU16(buf, 0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags & 0x0040) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
  };
}

/** The 16-bit flags word of a header. Throws `DnsEncodeError` on out-of-range fields. */
export function encodeFlags(h: DnsHeader): number {
  if (!(Number.isInteger(h.id) && h.id >= 0 && h.id <= 0xffff)) {
    encodeFail(`message id out of range: ${h.id}`);
  }
  if (!(Number.isInteger(h.opcode) && h.opcode >= 0 && h.opcode <= 15)) {
    encodeFail(`opcode ${h.opcode}`);
  }
  if (!(Number.isInteger(h.rcode) && h.rcode >= 0 && h.rcode <= 15)) {
    encodeFail(`header rcode ${h.rcode} (values above 15 need EDNS)`);
  }
  return (
    (h.qr ? 0x8000 : 0) |
    (h.opcode << 11) |
    (h.aa ? 0x0400 : 0) |
    (h.tc ? 0x0200 : 0) |
    (h.rd ? 0x0100 : 0) |
    (h.ra ? 0x0080 : 0) |
    (h.z ? 0x0040 : 0) |
    (h.ad ? 0x0020 : 0) |
    (h.cd ? 0x0010 : 0) |
    h.rcode
  );
}
