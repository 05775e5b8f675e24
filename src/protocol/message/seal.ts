/**
 * Sealing a message (core.md §8.2): everything one send publishes, as an
 * ordered list of TXT records — chunks `0..n−1` (data shares, then parity),
 * the signed slot manifest, first-contact claims at each provider zone, and
 * the receiver-zone (M10) claim. Pure: the clock and randomness come in as
 * parameters, so a send can be reproduced byte for byte.
 */
import { utf8 } from '../bytes.js';
import { wrapChunkBlock } from '../coding/chunk-block.js';
import { erasureEncode } from '../coding/erasure.js';
import { sha256 } from '../crypto/hash.js';
import type { IdentityKeys } from '../crypto/identity.js';
import { encryptForRecipient } from '../crypto/message-encryption.js';
import { chunkName, claimName, mailboxSlotName, messageKey, slotIndexOf } from '../names.js';
import { encodeChunkRecord } from '../records/chunk-record.js';
import { MAX_CLAIM_DOMAIN_LENGTH, signClaimRecord } from '../records/claim-record.js';
import { NO_PREKEY, signSlotManifest } from '../records/slot-manifest.js';
import { DmpEncodeError, ensure } from '../result.js';
import { messageAad } from './aad.js';
import { encodeEnvelope } from './envelope.js';
import { encodeHeader, type MessageHeader } from './header.js';
import { encodeOuterMessage } from './outer-message.js';
import { defaultRandomBytes, newMessageId, type RandomBytes } from './random.js';

/** Message lifetime the reference CLI always uses. */
export const DEFAULT_MESSAGE_TTL = 300;

/** The recipient as the sender knows it (from a pinned contact). */
export interface SealRecipient {
  /** Recipient's long-term X25519 public key; `recipient_id` is its SHA-256. */
  readonly x25519Public: Uint8Array;
  /**
   * The recipient's home zone when the contact recorded it explicitly: an
   * M10 "you have mail" claim is then addressed to that zone.
   */
  readonly claimZone?: string;
  /** A verified, unexpired prekey of the recipient (forward secrecy); absent → long-term key. */
  readonly prekey?: { readonly id: number; readonly x25519Public: Uint8Array };
  /**
   * The sender's `user@host` address, given only when the recipient's identity
   * advertises protocol version 2: the body is then wrapped in a DMPv2 envelope.
   */
  readonly envelopeFrom?: string;
}

export interface SealInput {
  readonly sender: IdentityKeys;
  /** The sender's mailbox zone: chunks and manifest are published there. */
  readonly senderZone: string;
  readonly recipient: SealRecipient;
  /** Message body; strings are UTF-8 encoded. */
  readonly body: Uint8Array | string;
  /** Unix seconds at send time. */
  readonly now: number;
  /** Record TTL and message lifetime in seconds (default 300). */
  readonly ttl?: number;
  /** First-contact claim provider zones, in order. */
  readonly claimProviders?: readonly string[];
  /** Clock read for claims (the reference reads the clock again); defaults to `now`. */
  readonly claimNow?: number;
  /**
   * Refuse bodies whose records would exceed this many bytes per TXT value
   * (nodes cap values, default 2048) — checked before anything is published.
   */
  readonly maxValueBytes?: number;
  /** Randomness source (default: WebCrypto `getRandomValues`). */
  readonly randomBytes?: RandomBytes;
  /** Fixed message id (tests and vectors); otherwise a random UUIDv4. */
  readonly msgId?: Uint8Array;
  /** Fixed ephemeral X25519 private key (tests and vectors). */
  readonly ephemeralPrivate?: Uint8Array;
  /** Fixed AEAD nonce (tests and vectors). */
  readonly nonce?: Uint8Array;
}

/** How a record reaches DNS. */
export type RecordTransport =
  /** Through the sender's own authenticated writer (TSIG UPDATE or HTTP) to its home zone. */
  | 'writer'
  /** An unsigned RFC 2136 UPDATE to the claim zone's node. */
  | 'unsigned-update';

/** One TXT record a send publishes. */
export interface SealedRecord {
  readonly kind: 'chunk' | 'manifest' | 'claim';
  /** Owner name (no trailing dot). */
  readonly name: string;
  readonly ttl: number;
  /** Logical TXT value (split into ≤255-byte strings on the wire). */
  readonly value: string;
  /** Zone the record is written into. */
  readonly zone: string;
  readonly transport: RecordTransport;
}

export interface SealedMessage {
  readonly msgId: Uint8Array;
  readonly slot: number;
  /** Erasure threshold: any k of the n chunks recover the message. */
  readonly k: number;
  readonly n: number;
  readonly prekeyId: number;
  /** Publish in this order: chunks, manifest, then claims. */
  readonly records: readonly SealedRecord[];
  /** Claims that could not be built (e.g. own zone longer than 43 characters). */
  readonly skippedClaims: readonly { readonly zone: string; readonly reason: string }[];
}

/**
 * Builds every record of one send.
 *
 * @throws DmpEncodeError when the message cannot be sent as given — too large
 *   for the erasure code (25,084-byte outer limit) or for `maxValueBytes`,
 *   or a low-order recipient key.
 */
export function sealMessage(input: SealInput): SealedMessage {
  const ttl = input.ttl ?? DEFAULT_MESSAGE_TTL;
  ensure(Number.isSafeInteger(input.now) && input.now >= 0, 'now must be a Unix time in seconds');
  ensure(Number.isSafeInteger(ttl) && ttl > 0, 'ttl must be a positive integer');
  ensure(input.senderZone.length > 0, 'sender zone is required');
  const random = input.randomBytes ?? defaultRandomBytes;
  const { sender, recipient, now } = input;

  const recipientId = sha256(recipient.x25519Public);
  const msgId = input.msgId ?? newMessageId(random);
  ensure(msgId.length === 16, 'message id must be 16 bytes');
  const ephemeralPrivate = input.ephemeralPrivate ?? random(32);
  const nonce = input.nonce ?? random(12);
  const prekeyId = recipient.prekey?.id ?? NO_PREKEY;
  const target = recipient.prekey?.x25519Public ?? recipient.x25519Public;

  const header: MessageHeader = {
    version: 1,
    type: 'DATA',
    msgId,
    senderId: sender.userId,
    recipientId,
    total: 1,
    chunk: 0,
    ts: now,
    ttl,
  };
  const body = typeof input.body === 'string' ? utf8(input.body) : input.body;
  const plaintext = encodeEnvelope(body, recipient.envelopeFrom);
  const encrypted = encryptForRecipient(plaintext, target, messageAad(header, prekeyId), {
    ephemeralPrivate,
    nonce,
  });
  const outer = encodeOuterMessage(encodeHeader(header), encrypted);
  const { k, n, shares } = erasureEncode(outer);

  const msgKey = messageKey(msgId, recipientId, sender.ed25519Public);
  const records: SealedRecord[] = [];
  const chunkHashes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const wire = wrapChunkBlock(shares[i]!);
    chunkHashes.push(sha256(wire));
    records.push({
      kind: 'chunk',
      name: chunkName(i, msgKey, input.senderZone),
      ttl,
      value: encodeChunkRecord(wire),
      zone: input.senderZone,
      transport: 'writer',
    });
  }

  const slot = slotIndexOf(msgId);
  const manifestValue = signSlotManifest(
    {
      msgId,
      senderSpk: sender.ed25519Public,
      recipientId,
      totalChunks: n,
      dataChunks: k,
      prekeyId,
      ts: now,
      exp: now + ttl,
      chunkHashes,
    },
    sender.ed25519Seed,
  );
  if (input.maxValueBytes !== undefined && manifestValue.length > input.maxValueBytes) {
    throw new DmpEncodeError(
      `message too large: its manifest would be ${manifestValue.length} bytes, over the ` +
        `node's ${input.maxValueBytes}-byte value cap (${n} chunks)`,
    );
  }
  records.push({
    kind: 'manifest',
    name: mailboxSlotName(recipientId, slot, input.senderZone),
    ttl,
    value: manifestValue,
    zone: input.senderZone,
    transport: 'writer',
  });

  const claimZones = [...(input.claimProviders ?? [])];
  if (recipient.claimZone) claimZones.push(recipient.claimZone);
  const skippedClaims: { zone: string; reason: string }[] = [];
  if (claimZones.length > 0) {
    const claimValue = buildClaim(input, msgId, slot, ttl);
    for (const zone of claimZones) {
      if (typeof claimValue !== 'string') {
        skippedClaims.push({ zone, reason: claimValue.reason });
        continue;
      }
      records.push({
        kind: 'claim',
        name: claimName(recipientId, slot, zone),
        ttl,
        value: claimValue,
        zone,
        transport: 'unsigned-update',
      });
    }
  }
  return { msgId, slot, k, n, prekeyId, records, skippedClaims };
}

/** The claim value shared by every claim of one send (both routing forms are byte-identical). */
function buildClaim(
  input: SealInput,
  msgId: Uint8Array,
  slot: number,
  ttl: number,
): string | { reason: string } {
  if (input.senderZone.length > MAX_CLAIM_DOMAIN_LENGTH) {
    return {
      reason: `sender zone is longer than ${MAX_CLAIM_DOMAIN_LENGTH} characters; claims cannot name it`,
    };
  }
  const ts = input.claimNow ?? input.now;
  try {
    return signClaimRecord(
      {
        msgId,
        senderSpk: input.sender.ed25519Public,
        senderMailboxDomain: input.senderZone,
        slot,
        ts,
        exp: ts + ttl,
      },
      input.sender.ed25519Seed,
    );
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
}
