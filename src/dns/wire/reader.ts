/**
 * Bounds-checked cursor over a received DNS message (RFC 1035 §4.1).
 *
 * Reads never throw: past the end they record the first rejection on the
 * reader and return -1 (every DNS field is unsigned, so -1 is unambiguous).
 * One reader is allocated per decoded message; fields are read in place.
 */
import { readU16, readU32 } from '../../protocol/bytes.js';
import { type Rejection, type RejectionCode, reject } from '../../protocol/result.js';

export class WireReader {
  /** Offset of the next unread octet. */
  pos = 0;
  /** First failure seen; once set, callers unwind and report it. */
  error: Rejection | undefined;

  constructor(readonly buf: Uint8Array) {}

  /** Records a rejection (keeping the first one) and returns `undefined` for tail calls. */
  fail(code: RejectionCode, detail: string): undefined {
    if (this.error === undefined) this.error = reject(code, detail);
    return undefined;
  }

  /** True when `n` more octets are available; otherwise records a truncation. */
  need(n: number, what: string): boolean {
    if (this.pos + n <= this.buf.length) return true;
    this.fail('length', `truncated ${what} at offset ${this.pos}`);
    return false;
  }

  u8(what: string): number {
    if (!this.need(1, what)) return -1;
    return this.buf[this.pos++]!;
  }

  u16(what: string): number {
    if (!this.need(2, what)) return -1;
    const v = readU16(this.buf, this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    if (!this.need(4, what)) return -1;
    const v = readU32(this.buf, this.pos);
    this.pos += 4;
    return v;
  }

  /** 48-bit unsigned integer (TSIG time signed); exact in a double. */
  u48(what: string): number {
    if (!this.need(6, what)) return -1;
    const v = readU16(this.buf, this.pos) * 0x1_0000_0000 + readU32(this.buf, this.pos + 2);
    this.pos += 6;
    return v;
  }

  /** View (not a copy) of the next `n` octets. */
  bytes(n: number, what: string): Uint8Array | undefined {
    if (!this.need(n, what)) return undefined;
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
