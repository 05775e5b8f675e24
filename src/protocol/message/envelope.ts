/**
 * The DMPv2 plaintext envelope (core.md §3.4): `"DMPV2:" ‖ {"from":"user@host"}
 * ‖ "\n" ‖ body`, carried inside the AEAD plaintext so a receiver can show a
 * sender address — unauthenticated until checked against the sender's
 * identity record (see sender-label.ts).
 */
import { asciiToString, concatBytes, isAscii, utf8 } from '../bytes.js';

const PREFIX = utf8('DMPV2:');
/** Longest header JSON an envelope may carry. */
export const ENVELOPE_HEADER_MAX_BYTES = 256;
const NEWLINE = 0x0a;

const LOCAL_PART = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** ASCII characters Python's `str.strip()` removes (it includes \x1c-\x1f, unlike `trim`). */
const PY_WHITESPACE = ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f';

function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && PY_WHITESPACE.includes(s[start]!)) start++;
  while (end > start && PY_WHITESPACE.includes(s[end - 1]!)) end--;
  return s.slice(start, end);
}

/**
 * Canonical `user@host` form: ASCII, trimmed, lower-cased, trailing dots of
 * the host removed, local part `[a-z0-9][a-z0-9_.-]{0,63}` without leading,
 * trailing or doubled dots, host labels LDH (1..63), host ≤ 253 characters.
 * Returns `undefined` when the address cannot be canonicalised.
 *
 * Divergence: the reference's regexes also accept a trailing "\n" inside a
 * local part or label (Python `$`); no reference sender produces that.
 */
export function canonicalizeAddress(address: string): string | undefined {
  if (!/^[\x00-\x7f]*$/.test(address)) return undefined;
  const s = pyStrip(address).toLowerCase();
  const parts = s.split('@');
  if (parts.length !== 2) return undefined;
  const local = parts[0]!;
  const host = parts[1]!.replace(/\.+$/, '');
  if (local.length === 0 || host.length === 0 || host.length > 253) return undefined;
  if (!LOCAL_PART.test(local) || local.endsWith('.') || local.includes('..')) return undefined;
  if (!host.split('.').every((label) => HOST_LABEL.test(label))) return undefined;
  return `${local}@${host}`;
}

/**
 * Wraps `body` in the envelope when `senderAddress` canonicalises and the
 * header fits 256 bytes; otherwise returns `body` unchanged (a v1 plaintext),
 * exactly as the reference falls back.
 */
export function encodeEnvelope(body: Uint8Array, senderAddress: string | undefined): Uint8Array {
  if (senderAddress === undefined) return body;
  const canonical = canonicalizeAddress(senderAddress);
  if (canonical === undefined) return body;
  const header = utf8(`{"from":"${canonical}"}`);
  if (header.length > ENVELOPE_HEADER_MAX_BYTES) return body;
  return concatBytes(PREFIX, header, Uint8Array.of(NEWLINE), body);
}

export interface DecodedEnvelope {
  /** The message body (the whole plaintext when there is no valid envelope). */
  readonly body: Uint8Array;
  /** Canonical claimed sender address, not yet verified. */
  readonly claimedFrom: string | undefined;
}

function startsWithPrefix(bytes: Uint8Array): boolean {
  if (bytes.length < PREFIX.length) return false;
  for (let i = 0; i < PREFIX.length; i++) if (bytes[i] !== PREFIX[i]) return false;
  return true;
}

/**
 * Strips an envelope. A plaintext is treated as v1 (returned whole) unless it
 * starts with `DMPV2:`, has a newline within 256 bytes, and the header is an
 * ASCII JSON object; once it is, the body is stripped even if `from` is
 * missing or invalid.
 */
export function decodeEnvelope(plaintext: Uint8Array): DecodedEnvelope {
  const whole: DecodedEnvelope = { body: plaintext, claimedFrom: undefined };
  if (!startsWithPrefix(plaintext)) return whole;
  const rest = plaintext.subarray(PREFIX.length);
  const nl = rest.subarray(0, ENVELOPE_HEADER_MAX_BYTES + 1).indexOf(NEWLINE);
  if (nl < 0) return whole;
  const headerBytes = rest.subarray(0, nl);
  if (!isAscii(headerBytes)) return whole;
  let header: unknown;
  try {
    header = JSON.parse(asciiToString(headerBytes));
  } catch {
    return whole;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return whole;
  const body = rest.subarray(nl + 1);
  const from = (header as Record<string, unknown>).from;
  const claimedFrom = typeof from === 'string' ? canonicalizeAddress(from) : undefined;
  return { body, claimedFrom };
}
