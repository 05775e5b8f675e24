/**
 * The name of a registration-minted TSIG key (node spec §2.7):
 *
 *   <local>-<spk_hex[:8]>-<sha256(subject)[:6 hex]>.<zone>.
 *
 * The spk prefix makes the name recognisable; the subject tag keeps
 * `alice@foo.example` and `alice@bar.example` registering with the same
 * signing key from colliding on one row (minting upserts by name).
 */

import { utf8 } from '../../protocol/bytes.js';
import { hexHash } from '../../protocol/crypto/hash.js';
import { pythonStrip } from '../../protocol/records/python-text.js';

/** Longest DNS label, in octets (RFC 1035). */
export const MAX_DNS_LABEL_OCTETS = 63;

/** Characters of the first label that are not the local part: `-<spk8>-<tag6>`. */
export const KEY_NAME_LABEL_OVERHEAD = 1 + 8 + 1 + 6;

/** Hex digits of `sha256(subject)` in the key name. */
const SUBJECT_TAG_CHARS = 6;

/** Hex digits of the signing key in the key name. */
const SPK_CHARS = 8;

/** A zone as minting uses it: trimmed, lower-case, without trailing dots. */
export function mintZone(zone: string): string {
  return pythonStrip(zone).toLowerCase().replace(/\.+$/, '');
}

/** Inputs of {@link tsigKeyNameFor}. */
export interface TsigKeyNameInput {
  /** Local part of the subject (lower-cased here). */
  readonly localPart: string;
  /** Registering Ed25519 key in hex (any case). */
  readonly spkHex: string;
  /** Served zone (any case, trailing dot optional). */
  readonly zone: string;
  /** Canonical subject; empty or absent omits the subject tag. */
  readonly subject?: string;
}

/**
 * The absolute key name (lower-case, trailing dot), or `undefined` when the
 * local part or zone is empty or the first label would exceed 63 octets.
 * Never throws.
 */
export function tsigKeyNameFor(input: TsigKeyNameInput): string | undefined {
  const zone = mintZone(input.zone);
  const local = pythonStrip(input.localPart).toLowerCase();
  if (zone === '' || local === '') return undefined;
  const spk8 = input.spkHex.toLowerCase().slice(0, SPK_CHARS);
  const subject = pythonStrip(input.subject ?? '').toLowerCase();
  const tag = subject === '' ? '' : `-${hexHash(subject, SUBJECT_TAG_CHARS)}`;
  const label = `${local}-${spk8}${tag}`;
  if (utf8(label).length > MAX_DNS_LABEL_OCTETS) return undefined;
  return `${label}.${zone}.`;
}
