/**
 * Slot manifest (core.md §6.1): the signed pointer a sender publishes at
 * `slot-<N>.mb-<hash12>.<zone>` naming a message's chunks.
 *
 * Body: msg_id(16) ‖ sender_spk(32) ‖ recipient_id(32) ‖ n(u32) ‖ k(u32) ‖
 * prekey_id(u32) ‖ ts(u64) ‖ exp(u64) ‖ n × sha256(chunk wire)(32), then a
 * 64-byte Ed25519 signature by `sender_spk`. A legacy body stops after `exp`
 * (108 bytes); it still parses but receivers refuse to fetch its chunks.
 */
import { decodeBase64Lenient } from '../base64.js';
import { bytesEqual, concatBytes, readU32, readU64, u32, u64 } from '../bytes.js';
import { ed25519PublicKey, signEd25519, verifyEd25519 } from '../crypto/ed25519.js';
import { accept, ensure, type ParseResult, reject } from '../result.js';
import { SLOT_MANIFEST_PREFIX } from './prefixes.js';
import {
  exceedsExpiryCap,
  fixedBytes,
  isAsciiText,
  nowSeconds,
  SIGNATURE_BYTES,
  signedRecordValue,
  type U64Input,
  u64Field,
  uintField,
} from './record-fields.js';

/** Largest `total_chunks` a manifest may name. */
export const MAX_TOTAL_CHUNKS = 1024;
/** `prekey_id` meaning "encrypted to the recipient's long-term key". */
export const NO_PREKEY = 0;
/** Body length without chunk hashes. */
export const SLOT_MANIFEST_HEADER_BYTES = 108;
/** Length of one per-chunk SHA-256. */
export const CHUNK_HASH_BYTES = 32;

/** Manifest fields as given to the encoder. */
export interface SlotManifestInput {
  /** 16-byte message id. */
  readonly msgId: Uint8Array;
  /** Sender's 32-byte Ed25519 public key; it must be the signing key. */
  readonly senderSpk: Uint8Array;
  /** 32-byte recipient id (SHA-256 of the recipient's X25519 public key). */
  readonly recipientId: Uint8Array;
  /** n: chunks published, 1..1024. */
  readonly totalChunks: number;
  /** k: erasure threshold, 1..n. */
  readonly dataChunks: number;
  /** Recipient prekey used for ECDH; {@link NO_PREKEY} for the long-term key. */
  readonly prekeyId: number;
  readonly ts: U64Input;
  readonly exp: U64Input;
  /**
   * SHA-256 of each 168-byte chunk wire in index order: exactly n entries,
   * or empty/omitted for the legacy hash-less form.
   */
  readonly chunkHashes?: readonly Uint8Array[];
}

/** A manifest that parsed and verified. */
export interface SlotManifest {
  readonly msgId: Uint8Array;
  readonly senderSpk: Uint8Array;
  readonly recipientId: Uint8Array;
  readonly totalChunks: number;
  readonly dataChunks: number;
  readonly prekeyId: number;
  readonly ts: bigint;
  readonly exp: bigint;
  /** n hashes, or empty for a legacy manifest (which receivers must not decrypt). */
  readonly chunkHashes: readonly Uint8Array[];
  readonly signature: Uint8Array;
}

/** The signed body. Throws `DmpEncodeError` on values the protocol forbids. */
export function encodeSlotManifestBody(manifest: SlotManifestInput): Uint8Array {
  const msgId = fixedBytes(manifest.msgId, 16, 'msgId');
  const senderSpk = fixedBytes(manifest.senderSpk, 32, 'senderSpk');
  const recipientId = fixedBytes(manifest.recipientId, 32, 'recipientId');
  const n = uintField(manifest.totalChunks, 'totalChunks', 1, MAX_TOTAL_CHUNKS);
  const k = uintField(manifest.dataChunks, 'dataChunks', 1, n);
  const prekeyId = uintField(manifest.prekeyId, 'prekeyId', 0, 0xffffffff);
  const hashes = manifest.chunkHashes ?? [];
  // A partial hash list would leave chunks the receiver cannot tell from poison.
  ensure(
    hashes.length === 0 || hashes.length === n,
    `chunkHashes must be empty or exactly totalChunks (${n}) entries, got ${hashes.length}`,
  );
  for (const h of hashes) fixedBytes(h, CHUNK_HASH_BYTES, 'chunk hash');
  return concatBytes(
    msgId,
    senderSpk,
    recipientId,
    u32(n),
    u32(k),
    u32(prekeyId),
    u64(u64Field(manifest.ts, 'ts')),
    u64(u64Field(manifest.exp, 'exp')),
    ...hashes,
  );
}

/**
 * Signs a manifest with the sender's 32-byte Ed25519 seed and returns the TXT
 * value (always longer than 255 bytes once hashes are present: writers must
 * split it into several character-strings).
 *
 * @throws DmpEncodeError on invalid fields or when the seed's public key is
 *   not `senderSpk` (the record would never verify).
 */
export function signSlotManifest(manifest: SlotManifestInput, ed25519Seed: Uint8Array): string {
  fixedBytes(ed25519Seed, 32, 'ed25519Seed');
  const body = encodeSlotManifestBody(manifest);
  ensure(
    bytesEqual(ed25519PublicKey(ed25519Seed), manifest.senderSpk),
    'signing key does not match senderSpk',
  );
  return signedRecordValue(SLOT_MANIFEST_PREFIX, body, signEd25519(ed25519Seed, body));
}

/**
 * Parses and verifies a manifest TXT value against its embedded `senderSpk`
 * and enforces the 30-day cap on `exp` at `now`. Expiry itself
 * ({@link isSlotManifestExpired}), recipient match, pinning and replay are
 * the caller's checks. Never throws on any value.
 */
export function parseAndVerifySlotManifest(value: string, now: number): ParseResult<SlotManifest> {
  const at = nowSeconds(now);
  if (!value.startsWith(SLOT_MANIFEST_PREFIX)) return reject('prefix', 'not a slot manifest');
  const text = value.slice(SLOT_MANIFEST_PREFIX.length);
  const blob = isAsciiText(text) ? decodeBase64Lenient(text) : undefined;
  if (blob === undefined) return reject('base64', 'manifest body is not base64');
  if (blob.length < SLOT_MANIFEST_HEADER_BYTES + SIGNATURE_BYTES) {
    return reject('length', `manifest blob too short (${blob.length} bytes)`);
  }
  // n sits before the signature, so the body length (and with it where the
  // signature starts) can only be found by reading n first.
  const n = readU32(blob, 80);
  const hashedLength = SLOT_MANIFEST_HEADER_BYTES + CHUNK_HASH_BYTES * n;
  let bodyLength: number;
  if (blob.length === SLOT_MANIFEST_HEADER_BYTES + SIGNATURE_BYTES) {
    bodyLength = SLOT_MANIFEST_HEADER_BYTES;
  } else if (blob.length === hashedLength + SIGNATURE_BYTES) {
    bodyLength = hashedLength;
  } else {
    return reject('length', `manifest blob of ${blob.length} bytes does not fit n=${n}`);
  }
  const body = blob.subarray(0, bodyLength);
  const signature = blob.slice(bodyLength);
  const k = readU32(body, 84);
  if (k < 1 || k > n) return reject('structure', `data_chunks ${k} not in 1..${n}`);
  if (n > MAX_TOTAL_CHUNKS) return reject('structure', `total_chunks ${n} > ${MAX_TOTAL_CHUNKS}`);
  const senderSpk = body.slice(16, 48);
  if (!verifyEd25519(senderSpk, body, signature)) {
    return reject('signature', 'manifest signature does not verify');
  }
  const exp = readU64(body, 100);
  if (exceedsExpiryCap(exp, at)) return reject('future', 'manifest exp more than 30 days ahead');
  const chunkHashes: Uint8Array[] = [];
  for (let off = SLOT_MANIFEST_HEADER_BYTES; off < bodyLength; off += CHUNK_HASH_BYTES) {
    chunkHashes.push(body.slice(off, off + CHUNK_HASH_BYTES));
  }
  return accept({
    msgId: body.slice(0, 16),
    senderSpk,
    recipientId: body.slice(48, 80),
    totalChunks: n,
    dataChunks: k,
    prekeyId: readU32(body, 88),
    ts: readU64(body, 92),
    exp,
    chunkHashes,
    signature,
  });
}

/** A manifest is expired when `now > exp` (still valid at `now == exp`). */
export function isSlotManifestExpired(manifest: Pick<SlotManifest, 'exp'>, now: number): boolean {
  return nowSeconds(now) > manifest.exp;
}
