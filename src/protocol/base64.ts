/**
 * Base64 (RFC 4648, standard alphabet, `=` padding) with the two decoding
 * disciplines DMP records use (core.md §1.3):
 *
 * - {@link decodeBase64Lenient} for manifest, identity, prekey and chunk
 *   bodies: junk characters are skipped and a completed pad group stops
 *   decoding, as CPython's non-validating `binascii.a2b_base64` does.
 * - {@link decodeBase64Strict} for claim, cluster, bootstrap, heartbeat,
 *   rotation and revocation bodies: any junk is an error.
 *
 * Encoding always emits the canonical padded form. Written by hand because
 * no npm decoder reproduces these exact acceptance rules, and the wrong rule
 * changes which records a node accepts.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 61; // '='

/** char code -> 6-bit value, or 255 for a non-alphabet character. */
const DECODE_TABLE = new Uint8Array(256).fill(255);
for (let i = 0; i < ALPHABET.length; i++) DECODE_TABLE[ALPHABET.charCodeAt(i)] = i;

/** Canonical padded base64 of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  const len = bytes.length;
  let i = 0;
  for (; i + 2 < len; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  if (i < len) {
    const b0 = bytes[i]!;
    const b1 = i + 1 < len ? bytes[i + 1]! : 0;
    const n = (b0 << 16) | (b1 << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
    out += i + 1 < len ? ALPHABET[(n >> 6) & 63]! + '=' : '==';
  }
  return out;
}

/**
 * Lenient decode (CPython `a2b_base64`, strict_mode off). Returns `undefined`
 * on "incorrect padding" (a dangling partial group).
 */
export function decodeBase64Lenient(text: string): Uint8Array | undefined {
  return decode(text, false);
}

/**
 * Strict decode (CPython `a2b_base64`, strict_mode on): no characters outside
 * the alphabet, no leading `=`, nothing after a completing pad, no data after
 * padding has started. Returns `undefined` on any violation.
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  return decode(text, true);
}

function decode(text: string, strict: boolean): Uint8Array | undefined {
  const len = text.length;
  if (strict && len > 0 && text.charCodeAt(0) === PAD) return undefined;
  const out = new Uint8Array(Math.floor((len * 3) / 4) + 3);
  let o = 0;
  let quad = 0;
  let pads = 0;
  let left = 0;
  let paddingStarted = false;
  for (let i = 0; i < len; i++) {
    const code = text.charCodeAt(i);
    if (code === PAD) {
      paddingStarted = true;
      if (quad >= 2 && quad + ++pads >= 4) {
        if (strict && i + 1 < len) return undefined;
        return out.slice(0, o);
      }
      continue;
    }
    const v = code < 256 ? DECODE_TABLE[code]! : 255;
    if (v === 255) {
      if (strict) return undefined;
      continue;
    }
    if (strict && paddingStarted) return undefined;
    pads = 0;
    switch (quad) {
      case 0:
        quad = 1;
        left = v;
        break;
      case 1:
        quad = 2;
        out[o++] = ((left << 2) | (v >> 4)) & 0xff;
        left = v & 0x0f;
        break;
      case 2:
        quad = 3;
        out[o++] = ((left << 4) | (v >> 2)) & 0xff;
        left = v & 0x03;
        break;
      default:
        quad = 0;
        out[o++] = ((left << 6) | v) & 0xff;
        left = 0;
    }
  }
  if (quad !== 0) return undefined;
  return out.slice(0, o);
}
