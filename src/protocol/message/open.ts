/**
 * Opening a message (core.md §8.5 steps 1–3 and §8.7): given the records a
 * receiver read from DNS, verify the slot manifest, fetch and check chunks
 * against its signed hashes, erasure-decode, cross-check the inner header
 * and decrypt. Every receive-side check of the reference runs, in its order,
 * and each failure is a typed rejection. Replay tracking, pinning policy per
 * zone and prekey deletion are the caller's (the client's) state.
 */
import { bytesEqual } from '../bytes.js';
import { unwrapChunkBlock } from '../coding/chunk-block.js';
import { erasureDecode } from '../coding/erasure.js';
import { sha256 } from '../crypto/hash.js';
import type { IdentityKeys } from '../crypto/identity.js';
import { decryptFromSender } from '../crypto/message-encryption.js';
import { chunkName, mailboxHash, messageKey } from '../names.js';
import { chunkDataOf } from '../records/chunk-record.js';
import { SLOT_MANIFEST_PREFIX } from '../records/prefixes.js';
import {
  isSlotManifestExpired,
  NO_PREKEY,
  parseAndVerifySlotManifest,
  type SlotManifest,
} from '../records/slot-manifest.js';
import { accept, type ParseResult, type Rejection, reject } from '../result.js';
import { messageAad } from './aad.js';
import { decodeEnvelope } from './envelope.js';
import { isHeaderExpired, parseHeader } from './header.js';
import { parseOuterMessage } from './outer-message.js';

/** A TXT record as read from DNS: owner name and logical value. */
export interface TxtRecord {
  readonly name: string;
  readonly value: string;
}

/** Looks up the logical TXT values at an owner name (`undefined` or empty = none). */
export type TxtLookup = (name: string) => readonly string[] | undefined;

/** What the receiver holds to open messages. */
export interface RecipientKeys {
  readonly identity: IdentityKeys;
  /**
   * Private key of one of the receiver's own prekeys, or `undefined` when it
   * is unknown or expired (the owner uses a prekey only while `exp > now`).
   */
  readonly prekeyPrivate?: (prekeyId: number) => Uint8Array | undefined;
}

export interface OpenOptions {
  /** Unix seconds used for every freshness check. */
  readonly now: number;
  /**
   * Ed25519 keys of senders the receiver accepts (its pins). When given, a
   * manifest signed by any other key is refused with `signer`.
   */
  readonly pinnedSenders?: readonly Uint8Array[];
}

/** A successfully opened message. */
export interface OpenedMessage {
  /** The message body (DMPv2 envelope stripped). */
  readonly body: Uint8Array;
  readonly msgId: Uint8Array;
  /** Send time from the inner header. */
  readonly timestamp: number;
  /** The manifest signer: the sender's Ed25519 key. */
  readonly senderSpk: Uint8Array;
  /** Sender address claimed in a DMPv2 envelope — unverified (see `verifySenderLabel`). */
  readonly claimedFrom: string | undefined;
  readonly prekeyId: number;
  readonly manifest: SlotManifest;
  /** Zone the manifest and chunks were read from. */
  readonly zone: string;
}

/**
 * Opens the message addressed to `keys` among `records` (typically one
 * send's records, or everything read from a mailbox). Manifests are taken
 * from the receiver's slot names (`slot-N.mb-<hash>.<zone>`); the first that
 * opens wins. Returns the last rejection when none opens.
 */
export function openMessage(
  records: Iterable<TxtRecord>,
  keys: RecipientKeys,
  options: OpenOptions,
): ParseResult<OpenedMessage> {
  const byName = new Map<string, string[]>();
  for (const r of records) {
    const key = r.name.toLowerCase();
    const values = byName.get(key);
    if (values) values.push(r.value);
    else byName.set(key, [r.value]);
  }
  const lookup: TxtLookup = (name) => byName.get(name.toLowerCase());
  const slotMarker = `.mb-${mailboxHash(keys.identity.userId)}.`;
  let last: Rejection = reject('missing', 'no slot manifest addressed to this recipient');
  for (const [name, values] of byName) {
    const marker = name.indexOf(slotMarker);
    if (!/^slot-\d+$/.test(name.slice(0, Math.max(0, marker)))) continue;
    const zone = name.slice(marker + slotMarker.length);
    for (const value of values) {
      if (!value.startsWith(SLOT_MANIFEST_PREFIX)) continue;
      const opened = openManifestValue(value, zone, lookup, keys, options);
      if (opened.ok) return opened;
      last = opened;
    }
  }
  return last;
}

/** Verifies one manifest TXT value read from `zone`, then opens its message. */
export function openManifestValue(
  value: string,
  zone: string,
  lookup: TxtLookup,
  keys: RecipientKeys,
  options: OpenOptions,
): ParseResult<OpenedMessage> {
  const parsed = parseAndVerifySlotManifest(value, options.now);
  if (!parsed.ok) return parsed;
  const manifest = parsed.value;
  if (!bytesEqual(manifest.recipientId, keys.identity.userId)) {
    return reject('mismatch', 'manifest is addressed to another recipient');
  }
  if (isSlotManifestExpired(manifest, options.now)) return reject('expired', 'manifest expired');
  if (
    options.pinnedSenders &&
    !options.pinnedSenders.some((k) => bytesEqual(k, manifest.senderSpk))
  ) {
    return reject('signer', 'manifest signer is not a pinned contact');
  }
  return openManifest(manifest, zone, lookup, keys, options.now);
}

/** The chunk owner names of a manifest, in index order (data shares first). */
export function manifestChunkNames(manifest: SlotManifest, zone: string): string[] {
  const key = messageKey(manifest.msgId, manifest.recipientId, manifest.senderSpk);
  return Array.from({ length: manifest.totalChunks }, (_, i) => chunkName(i, key, zone));
}

/**
 * Opens the message a verified manifest describes (§8.7). Chunks are read from
 * the manifest's own zone; each is accepted only when its SHA-256 matches the
 * signed hash for its index, so a forged or corrupted chunk is skipped and a
 * parity chunk fills in.
 */
export function openManifest(
  manifest: SlotManifest,
  zone: string,
  lookup: TxtLookup,
  keys: RecipientKeys,
  now: number,
): ParseResult<OpenedMessage> {
  if (manifest.chunkHashes.length === 0) {
    return reject('unsupported', 'legacy manifest without chunk hashes');
  }
  const k = manifest.dataChunks;
  const names = manifestChunkNames(manifest, zone);
  const shares = new Map<number, Uint8Array>();
  for (let i = 0; i < names.length && shares.size < k; i++) {
    for (const value of lookup(names[i]!) ?? []) {
      const data = chunkDataOf(value);
      if (data === undefined || !bytesEqual(sha256(data), manifest.chunkHashes[i]!)) continue;
      const block = unwrapChunkBlock(data);
      if (block === undefined) continue;
      shares.set(i, block);
      break;
    }
  }
  if (shares.size < k) {
    return reject('missing', `only ${shares.size} of the ${k} chunks needed were found intact`);
  }
  const outerBytes = erasureDecode(shares, k, manifest.totalChunks);
  if (outerBytes === undefined) return reject('decode', 'erasure decoding failed');
  const outer = parseOuterMessage(outerBytes);
  if (!outer.ok) return outer;
  const header = parseHeader(outer.value.header);
  if (!header.ok) return header;
  const inner = header.value;
  if (!bytesEqual(inner.msgId, manifest.msgId)) {
    return reject('mismatch', 'inner message id differs from the manifest');
  }
  if (!bytesEqual(inner.recipientId, manifest.recipientId)) {
    return reject('mismatch', 'inner recipient differs from the manifest');
  }
  if (isHeaderExpired(inner, now)) return reject('expired', 'message lifetime is over');

  const prekeyId = manifest.prekeyId;
  let privateKey = keys.identity.x25519Private;
  if (prekeyId !== NO_PREKEY) {
    const prekeyPrivate = keys.prekeyPrivate?.(prekeyId);
    if (prekeyPrivate === undefined) {
      return reject('missing', `prekey ${prekeyId} is unknown or expired`);
    }
    privateKey = prekeyPrivate;
  }
  const plaintext = decryptFromSender(outer.value.payload, privateKey, messageAad(inner, prekeyId));
  if (!plaintext.ok) return plaintext;
  const { body, claimedFrom } = decodeEnvelope(plaintext.value);
  return accept({
    body,
    msgId: inner.msgId,
    timestamp: inner.ts,
    senderSpk: manifest.senderSpk,
    claimedFrom,
    prekeyId,
    manifest,
    zone,
  });
}
