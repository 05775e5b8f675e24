/**
 * Owner names of the messaging records (core.md §7) and the node-side
 * owner-name checks of the unsigned claim path (node.md §2.2, §2.8).
 *
 * Builders concatenate strings exactly as the reference does: zones are
 * inserted verbatim (no case folding, no IDNA) except where noted, and
 * usernames are hashed as given. Builders throw `DmpEncodeError` on inputs
 * that cannot name a record; the zone-matching helpers never throw.
 */
import { readU32, utf8 } from './bytes.js';
import { hexHash } from './crypto/hash.js';
import { pythonStrip } from './records/python-text.js';
import { isWellFormedText } from './records/record-fields.js';
import { MAX_TOTAL_CHUNKS } from './records/slot-manifest.js';
import { ensure } from './result.js';

/** Mailbox slots per recipient: a receiver walks slot-0 .. slot-9. */
export const SLOT_COUNT = 10;

const HASH12 = /^[0-9a-f]{12}$/;

/**
 * `hex12(recipient_id)`: the `mb-` label value. `recipient_id` is already
 * SHA-256 of the X25519 public key, so this is two SHA-256 rounds over it.
 */
export function mailboxHash(recipientId: Uint8Array): string {
  ensureLength(recipientId, 32, 'recipientId');
  return hexHash(recipientId, 12);
}

/** `slot-<N>.mb-<hash12>.<zone>`: where a slot manifest is published. */
export function mailboxSlotName(recipientId: Uint8Array, slot: number, zone: string): string {
  return `slot-${checkSlot(slot)}.mb-${mailboxHash(recipientId)}.${checkZone(zone)}`;
}

/** `claim-<N>.mb-<hash12>.<zone>`, zone being a claim provider's or the recipient's own. */
export function claimName(recipientId: Uint8Array, slot: number, zone: string): string {
  return `claim-${checkSlot(slot)}.mb-${mailboxHash(recipientId)}.${checkZone(zone)}`;
}

/** The sender's slot choice: `u32(msg_id[0:4]) mod 10`. Receivers walk all ten. */
export function slotIndexOf(msgId: Uint8Array): number {
  ensureLength(msgId, 16, 'msgId');
  return readU32(msgId, 0) % SLOT_COUNT;
}

/** `msg_key = hex12(msg_id ‖ recipient_id ‖ sender_spk)`, the chunk-name tag. */
export function messageKey(
  msgId: Uint8Array,
  recipientId: Uint8Array,
  senderSpk: Uint8Array,
): string {
  ensureLength(msgId, 16, 'msgId');
  ensureLength(recipientId, 32, 'recipientId');
  ensureLength(senderSpk, 32, 'senderSpk');
  const input = new Uint8Array(80);
  input.set(msgId, 0);
  input.set(recipientId, 16);
  input.set(senderSpk, 48);
  return hexHash(input, 12);
}

/** `chunk-<NNNN>-<msg_key>.<zone>`, the index zero-padded to four digits. */
export function chunkName(index: number, msgKey: string, zone: string): string {
  ensure(
    Number.isInteger(index) && index >= 0 && index < MAX_TOTAL_CHUNKS,
    `chunk index must be 0..${MAX_TOTAL_CHUNKS - 1}, got ${index}`,
  );
  ensure(HASH12.test(msgKey), 'msgKey must be 12 lowercase hex characters');
  return `chunk-${String(index).padStart(4, '0')}-${msgKey}.${checkZone(zone)}`;
}

/** `id-<hex16(username)>.<zone>`: the shared-mesh identity name (trailing dots stripped). */
export function hashedIdentityName(username: string, zone: string): string {
  return `id-${hashUsername(username, 16)}.${stripTrailingDots(zone)}`;
}

/** `dmp.<zone>`: the identity name under a zone its owner controls (trailing dots stripped). */
export function zoneAnchoredIdentityName(zone: string): string {
  return `dmp.${stripTrailingDots(zone)}`;
}

/** `prekeys.id-<hex12(username)>.<zone>`: note 12 hex characters, not 16. */
export function prekeyPoolName(username: string, zone: string): string {
  return `prekeys.id-${hashUsername(username, 12)}.${stripTrailingDots(zone)}`;
}

/**
 * The node's name normalisation: surrounding whitespace and trailing dots
 * removed, lower-cased (so it matches names as a DNS library prints them).
 */
export function normalizeZoneName(name: string): string {
  return pythonStrip(name).replace(/\.+$/, '').toLowerCase();
}

/**
 * True when `owner` is `zone` or a name below it, compared on label
 * boundaries after {@link normalizeZoneName}. An empty zone contains nothing.
 */
export function nameUnderZone(owner: string, zone: string): boolean {
  const n = normalizeZoneName(owner);
  const z = normalizeZoneName(zone);
  return z !== '' && (n === z || n.endsWith(`.${z}`));
}

/**
 * The recipient hash of an owner the node accepts unsigned claim UPDATEs
 * for: exactly `claim-<digits>.mb-<12 lowercase hex>.<zone>` after
 * normalisation (so upper case and a trailing dot are fine). The slot label
 * is any run of digits and is not checked against the claim body. Returns
 * `undefined` for any other shape.
 */
export function claimOwnerHash12(owner: string, zone: string): string | undefined {
  const n = normalizeZoneName(owner);
  const z = normalizeZoneName(zone);
  if (z === '' || !n.endsWith(`.${z}`)) return undefined;
  const labels = n.slice(0, n.length - z.length - 1).split('.');
  if (labels.length !== 2) return undefined;
  const [slotLabel, mailboxLabel] = labels as [string, string];
  // Names reach the server in DNS presentation form, where non-ASCII is
  // escaped, so ASCII digits cover what Python's str.isdigit() sees.
  if (!/^claim-[0-9]+$/.test(slotLabel)) return undefined;
  if (!mailboxLabel.startsWith('mb-')) return undefined;
  const hash = mailboxLabel.slice(3);
  return HASH12.test(hash) ? hash : undefined;
}

function checkSlot(slot: number): number {
  ensure(Number.isInteger(slot) && slot >= 0 && slot < SLOT_COUNT, 'slot must be 0..9');
  return slot;
}

function checkZone(zone: string): string {
  ensure(typeof zone === 'string' && zone.length > 0, 'zone must be a non-empty string');
  return zone;
}

function stripTrailingDots(zone: string): string {
  const stripped = checkZone(zone).replace(/\.+$/, '');
  ensure(stripped.length > 0, 'zone must name at least one label');
  return stripped;
}

function hashUsername(username: string, chars: number): string {
  // A lone surrogate has no UTF-8 form; the reference refuses to encode it.
  ensure(isWellFormedText(username), 'username is not well-formed Unicode');
  return hexHash(utf8(username), chars);
}

function ensureLength(bytes: Uint8Array, length: number, field: string): void {
  ensure(
    bytes instanceof Uint8Array && bytes.length === length,
    `${field} must be ${length} bytes`,
  );
}
