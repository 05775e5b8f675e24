/**
 * Structural walk over a DNS message (RFC 1035 §4.1) that skips names and
 * RDATA without decoding them, to locate record boundaries in the original
 * octets. The TSIG verifier needs the offset of the last additional record
 * (RFC 8945 §5.2: the MAC covers everything before it).
 */
import { readU16 } from '../../protocol/bytes.js';
import { HEADER_SIZE } from './header.js';

/** Offset after the name at `pos` in place, or -1 if it runs off the buffer. */
function skipName(buf: Uint8Array, pos: number): number {
  for (;;) {
    if (pos >= buf.length) return -1;
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) return pos + 2 <= buf.length ? pos + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    pos += 1 + len;
  }
}

/**
 * Offset where the last record of the additional section starts, or
 * `undefined` when ARCOUNT is 0 or the message does not walk cleanly.
 */
export function lastRecordOffset(wire: Uint8Array): number | undefined {
  if (wire.length < HEADER_SIZE) return undefined;
  const qdcount = readU16(wire, 4);
  const rrcount = readU16(wire, 6) + readU16(wire, 8) + readU16(wire, 10);
  if (readU16(wire, 10) === 0) return undefined;
  let pos = HEADER_SIZE;
  for (let i = 0; i < qdcount; i++) {
    pos = skipName(wire, pos);
    if (pos < 0 || pos + 4 > wire.length) return undefined;
    pos += 4;
  }
  let start = pos;
  for (let i = 0; i < rrcount; i++) {
    start = pos;
    pos = skipName(wire, pos);
    if (pos < 0 || pos + 10 > wire.length) return undefined;
    pos += 10 + readU16(wire, pos + 8);
    if (pos > wire.length) return undefined;
  }
  return start;
}
