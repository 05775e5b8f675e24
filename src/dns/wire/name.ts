/**
 * Domain names on the wire (RFC 1035 §3.1, §4.1.4) and in presentation form.
 *
 * Text form used throughout this codec: labels joined by `.`, no trailing dot
 * (a trailing dot is accepted on input), the root is `.`. Inside a label `.`
 * and `\` are backslash-escaped and octets outside 0x21–0x7e are written as
 * `\DDD` (decimal), so any wire name round-trips through text. Decoding keeps
 * the case of the wire (DNS 0x20 and the reference store are case-preserving);
 * {@link canonicalName} gives the lower-case form used for lookups.
 *
 * Decoding is loop-safe without a hop counter: a compression pointer must
 * point strictly before the start of the run of labels it ends, so every jump
 * moves to a lower offset, and the 255-octet name limit bounds the labels
 * read in between.
 */
import { encodeFail } from './errors.js';
import type { WireReader } from './reader.js';
import type { WireWriter } from './writer.js';

/** RFC 1035 §2.3.4 limits. */
export const MAX_LABEL_LENGTH = 63;
export const MAX_NAME_LENGTH = 255;

/** Text form of the root name. */
export const ROOT_NAME = '.';

const DOT = 0x2e;
const BACKSLASH = 0x5c;

// Scratch space shared by every call (JS is single-threaded and none of these
// functions re-enter). Worst case text: 127 one-octet labels of `\DDD`.
const chars = new Uint16Array(1024);
let nChars = 0;

function emitDecimal(byte: number): void {
  chars[nChars++] = BACKSLASH;
  chars[nChars++] = 0x30 + Math.floor(byte / 100);
  chars[nChars++] = 0x30 + (Math.floor(byte / 10) % 10);
  chars[nChars++] = 0x30 + (byte % 10);
}

/** Appends one label's presentation text, escaping as described in the module header. */
function emitLabel(src: Uint8Array, start: number, len: number, lower: boolean): void {
  for (let i = start; i < start + len; i++) {
    let c = src[i]!;
    if (c <= 0x20 || c >= 0x7f) {
      emitDecimal(c);
      continue;
    }
    if (c === DOT || c === BACKSLASH) chars[nChars++] = BACKSLASH;
    else if (lower && c >= 0x41 && c <= 0x5a) c += 0x20;
    chars[nChars++] = c;
  }
}

function takeChars(): string {
  if (nChars === 0) return ROOT_NAME;
  return String.fromCharCode.apply(null, chars.subarray(0, nChars) as unknown as number[]);
}

/**
 * Reads a possibly-compressed name at `r.pos`, leaving `r.pos` after the
 * name's in-place octets. Returns `undefined` (with `r.error` set) on
 * truncation, a pointer that does not point backwards, extended label types,
 * or a name longer than 255 octets.
 */
export function readName(r: WireReader): string | undefined {
  const buf = r.buf;
  let pos = r.pos;
  let runStart = pos;
  let end = -1;
  let wireLength = 1; // the terminating root octet
  nChars = 0;
  for (;;) {
    if (pos >= buf.length) return r.fail('length', `name truncated at offset ${pos}`);
    const len = buf[pos]!;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) return r.fail('length', `pointer truncated at offset ${pos}`);
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (end < 0) end = pos + 2;
      if (target >= runStart) {
        return r.fail('structure', `compression pointer at ${pos} to ${target} is not backwards`);
      }
      pos = target;
      runStart = target;
      continue;
    }
    if (kind !== 0) return r.fail('unsupported', `extended label type 0x${len.toString(16)}`);
    wireLength += len + 1;
    if (wireLength > MAX_NAME_LENGTH) return r.fail('too-long', 'name exceeds 255 octets');
    if (pos + 1 + len > buf.length) return r.fail('length', `label truncated at offset ${pos}`);
    if (nChars > 0) chars[nChars++] = DOT;
    emitLabel(buf, pos + 1, len, false);
    pos += 1 + len;
  }
  r.pos = end;
  return takeChars();
}

// Parsed form of the last name given to parseNameText: its uncompressed wire
// octets and, per label, where the label starts in the wire and in the text.
const nameWire = new Uint8Array(MAX_NAME_LENGTH + 4);
let nameWireLength = 0;
const labelWireStart = new Int32Array(128);
const labelTextStart = new Int32Array(128);
let labelCount = 0;
let sawEscape = false;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Parses presentation text into the module scratch; throws `DnsEncodeError` if invalid. */
function parseNameText(name: string): void {
  const n = name.length;
  labelCount = 0;
  sawEscape = false;
  if (n === 0 || (n === 1 && name.charCodeAt(0) === DOT)) {
    nameWire[0] = 0;
    nameWireLength = 1;
    return;
  }
  let wl = 0;
  let i = 0;
  while (i < n) {
    labelTextStart[labelCount] = i;
    labelWireStart[labelCount] = wl;
    const lenPos = wl++;
    let len = 0;
    while (i < n) {
      let c = name.charCodeAt(i);
      if (c === DOT) break;
      if (c === BACKSLASH) {
        sawEscape = true;
        if (i + 1 >= n) encodeFail(`dangling escape in name ${JSON.stringify(name)}`);
        const d = name.charCodeAt(i + 1);
        if (isDigit(d)) {
          const d2 = name.charCodeAt(i + 2);
          const d3 = name.charCodeAt(i + 3);
          if (!(isDigit(d2) && isDigit(d3))) {
            encodeFail(`bad \\DDD escape in name ${JSON.stringify(name)}`);
          }
          c = (d - 0x30) * 100 + (d2 - 0x30) * 10 + (d3 - 0x30);
          if (c > 255) encodeFail(`\\DDD escape above 255 in name ${JSON.stringify(name)}`);
          i += 4;
        } else {
          if (!(d >= 0x20 && d <= 0x7e)) {
            encodeFail(`bad escaped character in name ${JSON.stringify(name)}`);
          }
          c = d;
          i += 2;
        }
      } else {
        // Space and non-ASCII must be escaped, so unescaped text is already canonical.
        if (!(c > 0x20 && c < 0x7f)) encodeFail(`name ${JSON.stringify(name)} needs \\DDD escapes`);
        i++;
      }
      if (wl >= MAX_NAME_LENGTH) encodeFail(`name exceeds 255 octets: ${name.slice(0, 40)}…`);
      nameWire[wl++] = c;
      len++;
    }
    if (len === 0) encodeFail(`empty label in name ${JSON.stringify(name)}`);
    if (len > MAX_LABEL_LENGTH) {
      encodeFail(`label longer than 63 octets in ${JSON.stringify(name)}`);
    }
    nameWire[lenPos] = len;
    labelCount++;
    if (i < n) i++; // the separating dot; a final one just ends the loop
  }
  if (wl >= MAX_NAME_LENGTH) encodeFail(`name exceeds 255 octets: ${name.slice(0, 40)}…`);
  nameWire[wl++] = 0;
  nameWireLength = wl;
}

/** Lower-cases ASCII letters inside the labels of the scratch wire form. */
function lowerScratchWire(): void {
  for (let k = 0; k < labelCount; k++) {
    const start = labelWireStart[k]!;
    const len = nameWire[start]!;
    for (let i = start + 1; i <= start + len; i++) {
      const c = nameWire[i]!;
      if (c >= 0x41 && c <= 0x5a) nameWire[i] = c + 0x20;
    }
  }
}

/** Uncompressed wire form of `name`. Throws `DnsEncodeError` if it is not a valid name. */
export function nameToWire(name: string): Uint8Array {
  parseNameText(name);
  return nameWire.slice(0, nameWireLength);
}

/**
 * Canonical wire form (RFC 4034 §6.2: uncompressed, ASCII lower-cased), as
 * TSIG MACs use for the key and algorithm names (RFC 8945 §4.3.3).
 */
export function canonicalNameWire(name: string): Uint8Array {
  parseNameText(name);
  lowerScratchWire();
  return nameWire.slice(0, nameWireLength);
}

function hasTrailingDot(name: string): boolean {
  const n = name.length;
  if (n < 2 || name.charCodeAt(n - 1) !== DOT) return false;
  let slashes = 0;
  for (let i = n - 2; i >= 0 && name.charCodeAt(i) === BACKSLASH; i--) slashes++;
  return slashes % 2 === 0;
}

/**
 * Lower-case lookup key of a name: ASCII letters folded, trailing dot removed,
 * escapes normalised to this module's canonical form, root as `.`. Returns the
 * input string itself when it is already canonical (the common case), so the
 * query hot path does not allocate. Only text containing escapes is parsed
 * (and may throw `DnsEncodeError`); other text is folded as it is.
 */
export function canonicalName(name: string): string {
  let upper = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === BACKSLASH) return canonicalSlow(name);
    if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  if (name.length === 0) return ROOT_NAME;
  const stripped = hasTrailingDot(name) ? name.slice(0, -1) : name;
  return upper ? stripped.toLowerCase() : stripped;
}

function canonicalSlow(name: string): string {
  parseNameText(name);
  nChars = 0;
  for (let k = 0; k < labelCount; k++) {
    const start = labelWireStart[k]!;
    if (k > 0) chars[nChars++] = DOT;
    emitLabel(nameWire, start + 1, nameWire[start]!, true);
  }
  return takeChars();
}

/** True when two names are equal under DNS rules (ASCII case-insensitive). */
export function namesEqual(a: string, b: string): boolean {
  return a === b || canonicalName(a) === canonicalName(b);
}

/**
 * True when `name` is `zone` or lies under it on a label boundary. Escaped
 * dots are respected (`a\.b.example` is under `example`, not `b.example`).
 */
export function isSubdomain(name: string, zone: string): boolean {
  const n = canonicalName(name);
  const z = canonicalName(zone);
  if (z === ROOT_NAME || n === z) return true;
  if (n.length <= z.length + 1 || !n.endsWith(z)) return false;
  const dot = n.length - z.length - 1;
  if (n.charCodeAt(dot) !== DOT) return false;
  let slashes = 0;
  for (let i = dot - 1; i >= 0 && n.charCodeAt(i) === BACKSLASH; i--) slashes++;
  return slashes % 2 === 0;
}

/** Offset of each label inside the last compression key (for slicing suffix keys). */
const keyLabelStart = new Int32Array(128);

/**
 * Lower-case presentation key of the scratch name. Names without escapes are
 * their own canonical text, so only escaped names are re-rendered.
 */
function compressionKey(name: string): string {
  if (!sawEscape) {
    keyLabelStart.set(labelTextStart.subarray(0, labelCount));
    return canonicalName(name);
  }
  nChars = 0;
  for (let k = 0; k < labelCount; k++) {
    const start = labelWireStart[k]!;
    if (k > 0) chars[nChars++] = DOT;
    keyLabelStart[k] = nChars;
    emitLabel(nameWire, start + 1, nameWire[start]!, true);
  }
  return takeChars();
}

/**
 * Writes `name` at the writer's position, as a pointer to an earlier
 * occurrence of its longest known suffix when `compress` is set. Every suffix
 * written literally is remembered for later names (first occurrence wins, as
 * in RFC 1035 compressors such as dnspython's). Throws `DnsEncodeError` on
 * invalid text.
 */
export function writeName(w: WireWriter, name: string, compress: boolean): void {
  parseNameText(name);
  if (!compress || labelCount === 0) {
    w.bytes(nameWire.subarray(0, nameWireLength));
    return;
  }
  const key = compressionKey(name);
  const map = w.compression;
  for (let k = 0; k < labelCount; k++) {
    const suffix = k === 0 ? key : key.slice(keyLabelStart[k]!);
    const target = map.get(suffix);
    if (target !== undefined) {
      w.u16(0xc000 | target);
      return;
    }
    if (w.pos <= 0x3fff) map.set(suffix, w.pos);
    const start = labelWireStart[k]!;
    w.bytes(nameWire.subarray(start, start + 1 + nameWire[start]!));
  }
  w.u8(0);
}
