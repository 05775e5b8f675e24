/**
 * Growable output buffer for encoding DNS messages (RFC 1035 §4.1), with the
 * name-compression map of RFC 1035 §4.1.4.
 *
 * The map is keyed by the lower-cased presentation text of a name suffix, so
 * compression is case-insensitive like dnspython's (needed to reproduce the
 * reference's bytes exactly). Only offsets that fit a 14-bit pointer are
 * recorded. Encoders reuse one writer per call site, so steady-state encoding
 * allocates only the final copy and a few suffix strings.
 */
import { writeU16, writeU32 } from '../../protocol/bytes.js';
import { encodeFail } from './errors.js';

export class WireWriter {
  buf: Uint8Array;
  pos = 0;
  /** Suffix (lower-case presentation, no trailing dot) → offset of its first occurrence. */
  readonly compression = new Map<string, number>();

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
  }

  /** Empties the buffer and the compression map for a new message. */
  reset(): void {
    this.pos = 0;
    this.compression.clear();
  }

  /** Makes room for `n` more octets. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  u16(value: number): void {
    if (!(Number.isInteger(value) && value >= 0 && value <= 0xffff)) {
      encodeFail(`u16 out of range: ${value}`);
    }
    this.ensure(2);
    writeU16(this.buf, this.pos, value);
    this.pos += 2;
  }

  u32(value: number): void {
    if (!(Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff)) {
      encodeFail(`u32 out of range: ${value}`);
    }
    this.ensure(4);
    writeU32(this.buf, this.pos, value);
    this.pos += 4;
  }

  /** 48-bit unsigned integer (TSIG time signed). */
  u48(value: number): void {
    if (!(Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff_ffff)) {
      encodeFail(`u48 out of range: ${value}`);
    }
    this.ensure(6);
    writeU16(this.buf, this.pos, Math.floor(value / 0x1_0000_0000));
    writeU32(this.buf, this.pos + 2, value % 0x1_0000_0000);
    this.pos += 6;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Overwrites a u16 already written (length and count fix-ups). */
  patchU16(offset: number, value: number): void {
    writeU16(this.buf, offset, value);
  }

  /** Copy of everything written so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
