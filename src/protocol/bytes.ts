/**
 * Byte helpers shared by every DMP structure.
 *
 * Every multi-byte integer in DMP is big-endian (core.md conventions), so the
 * readers and writers here are big-endian only. All helpers work on plain
 * `Uint8Array` so the protocol layer stays isomorphic (no `Buffer`).
 */

const HEX_CHARS = '0123456789abcdef';
const HEX_TABLE: string[] = Array.from(
  { length: 256 },
  (_, i) => HEX_CHARS[i >> 4]! + HEX_CHARS[i & 15]!,
);

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_TABLE[bytes[i]!]!;
  return out;
}

function hexNibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** Parses hex (either case). Returns `undefined` for odd length or a non-hex character. */
export function tryFromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(hex.charCodeAt(2 * i));
    const lo = hexNibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Parses hex; throws `TypeError` on malformed input (for trusted inputs such as config and tests). */
export function fromHex(hex: string): Uint8Array {
  const out = tryFromHex(hex);
  if (out === undefined) throw new TypeError(`invalid hex string (${hex.length} chars)`);
  return out;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 encoding of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8 decoding; `undefined` when the bytes are not valid UTF-8. */
export function tryDecodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** True when every byte is < 0x80. */
export function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/** Decodes ASCII bytes (caller has checked {@link isAscii}) without allocation-heavy TextDecoder. */
export function asciiToString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    out += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 4096)));
  }
  return out;
}

/** Concatenates byte arrays into a fresh array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Byte equality. Not constant-time: use {@link constantTimeEqual} for secrets and MACs. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Constant-time equality for MACs and other secret-derived values (length is not secret). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) >>> 0) +
    ((bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!)
  );
}

/** Reads a u64 as a bigint (DMP timestamps and sequence numbers may exceed 2^53 on hostile input). */
export function readU64(bytes: Uint8Array, offset: number): bigint {
  return (BigInt(readU32(bytes, offset)) << 32n) | BigInt(readU32(bytes, offset + 4));
}

export function writeU16(out: Uint8Array, offset: number, value: number): void {
  out[offset] = (value >>> 8) & 0xff;
  out[offset + 1] = value & 0xff;
}

export function writeU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = (value >>> 24) & 0xff;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
}

/** Writes a u64 from a bigint or a non-negative safe integer. */
export function writeU64(out: Uint8Array, offset: number, value: bigint | number): void {
  const v = BigInt(value);
  writeU32(out, offset, Number((v >> 32n) & 0xffffffffn));
  writeU32(out, offset + 4, Number(v & 0xffffffffn));
}

export function u16(value: number): Uint8Array {
  const out = new Uint8Array(2);
  writeU16(out, 0, value);
  return out;
}

export function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  writeU32(out, 0, value);
  return out;
}

export function u64(value: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  writeU64(out, 0, value);
  return out;
}

/**
 * Sequential reader over a byte array for record bodies. Every read is bounds
 * checked and returns `undefined` past the end, so parsers never throw.
 */
export class ByteReader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  take(n: number): Uint8Array | undefined {
    if (n < 0 || this.offset + n > this.bytes.length) return undefined;
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  u8(): number | undefined {
    if (this.offset + 1 > this.bytes.length) return undefined;
    return this.bytes[this.offset++];
  }

  u16(): number | undefined {
    if (this.offset + 2 > this.bytes.length) return undefined;
    const v = readU16(this.bytes, this.offset);
    this.offset += 2;
    return v;
  }

  u32(): number | undefined {
    if (this.offset + 4 > this.bytes.length) return undefined;
    const v = readU32(this.bytes, this.offset);
    this.offset += 4;
    return v;
  }

  u64(): bigint | undefined {
    if (this.offset + 8 > this.bytes.length) return undefined;
    const v = readU64(this.bytes, this.offset);
    this.offset += 8;
    return v;
  }
}
