/**
 * Claim record (core.md §6.4): a sender's signed "you have mail" pointer at
 * `claim-<slot>.mb-<hash12(recipient_id)>.<zone>`, naming the zone and slot
 * where the manifest was published.
 *
 * Body: 'DMPCL01' ‖ msg_id(16) ‖ sender_spk(32) ‖ d(u8, 1..43) ‖ mailbox
 * domain(d bytes, UTF-8) ‖ slot(u8, 0..9) ‖ ts(u64) ‖ exp(u64), then a
 * 64-byte signature by `sender_spk`. Unlike the other messaging records the
 * base64 is strict, follows `t=claim;` with no `d=`, and the whole value is
 * capped at 255 bytes so it fits one TXT character-string. The magic is
 * shared with cluster manifests, so only the TXT prefix identifies a claim.
 */
import { decodeBase64Strict } from '../base64.js';
import { bytesEqual, concatBytes, readU64, u64, utf8 } from '../bytes.js';
import { ed25519PublicKey, signEd25519, verifyEd25519 } from '../crypto/ed25519.js';
import { accept, ensure, type ParseResult, reject } from '../result.js';
import { CLAIM_RECORD_PREFIX } from './prefixes.js';
import {
  decodeUtf8Exact,
  exceedsExpiryCap,
  fixedBytes,
  isWellFormedText,
  nowSeconds,
  SIGNATURE_BYTES,
  signedRecordValue,
  splitSignedBlob,
  type U64Input,
  u64Field,
  uintField,
} from './record-fields.js';

/** Body magic (also the cluster manifest's). */
export const CLAIM_MAGIC = 'DMPCL01';
/** Longest sender mailbox domain, in characters on sign and bytes on parse. */
export const MAX_CLAIM_DOMAIN_LENGTH = 43;
/** Largest claim TXT value, in UTF-8 bytes. */
export const MAX_CLAIM_VALUE_BYTES = 255;
/** Highest slot number. */
export const MAX_CLAIM_SLOT = 9;
/** Default tolerance for a `ts` ahead of the verifier's clock, in seconds. */
export const DEFAULT_CLAIM_TS_SKEW_SECONDS = 300;

const MAGIC_BYTES = utf8(CLAIM_MAGIC);
/** ts and exp are int64 on the wire's producer side. */
const INT64_LIMIT = 1n << 63n;
/** magic + msg_id + spk + d + 1-byte domain + slot + ts + exp. */
const MIN_BODY_BYTES = 7 + 16 + 32 + 1 + 1 + 1 + 16;

/** Claim fields as given to the encoder. */
export interface ClaimRecordInput {
  /** 16-byte message id. */
  readonly msgId: Uint8Array;
  /** Sender's 32-byte Ed25519 public key; it must be the signing key. */
  readonly senderSpk: Uint8Array;
  /** The sender's own mailbox zone, where manifest and chunks live. */
  readonly senderMailboxDomain: string;
  /** Slot the manifest was published in, 0..9. */
  readonly slot: number;
  readonly ts: U64Input;
  /** Must be greater than `ts`. */
  readonly exp: U64Input;
}

/** A claim that parsed, verified and was fresh at the verification time. */
export interface ClaimRecord {
  readonly msgId: Uint8Array;
  readonly senderSpk: Uint8Array;
  readonly senderMailboxDomain: string;
  readonly slot: number;
  readonly ts: bigint;
  readonly exp: bigint;
  readonly signature: Uint8Array;
}

/** Options of {@link parseAndVerifyClaimRecord}. */
export interface ClaimVerifyOptions {
  /** How far `ts` may lie ahead of `now`; default 300 s. */
  readonly tsSkewSeconds?: number;
}

/** The signed body. Throws `DmpEncodeError` on values the protocol forbids. */
export function encodeClaimBody(claim: ClaimRecordInput): Uint8Array {
  const domain = claim.senderMailboxDomain;
  ensure(typeof domain === 'string' && domain.length > 0, 'senderMailboxDomain must be non-empty');
  const characters = Array.from(domain).length;
  ensure(
    characters <= MAX_CLAIM_DOMAIN_LENGTH,
    `senderMailboxDomain length ${characters} > ${MAX_CLAIM_DOMAIN_LENGTH}`,
  );
  ensure(isWellFormedText(domain), 'senderMailboxDomain is not well-formed Unicode');
  ensure(
    !hasSpaceOrControl(domain),
    'senderMailboxDomain contains whitespace or control characters',
  );
  const domainBytes = utf8(domain);
  // The parser counts bytes; only ASCII domains are the same either way.
  ensure(
    domainBytes.length <= MAX_CLAIM_DOMAIN_LENGTH,
    `senderMailboxDomain is ${domainBytes.length} UTF-8 bytes > ${MAX_CLAIM_DOMAIN_LENGTH}`,
  );
  const ts = u64Field(claim.ts, 'ts', INT64_LIMIT);
  const exp = u64Field(claim.exp, 'exp', INT64_LIMIT);
  ensure(exp > ts, 'exp must be strictly greater than ts');
  return concatBytes(
    MAGIC_BYTES,
    fixedBytes(claim.msgId, 16, 'msgId'),
    fixedBytes(claim.senderSpk, 32, 'senderSpk'),
    Uint8Array.of(domainBytes.length),
    domainBytes,
    Uint8Array.of(uintField(claim.slot, 'slot', 0, MAX_CLAIM_SLOT)),
    u64(ts),
    u64(exp),
  );
}

/**
 * Signs a claim with the sender's 32-byte Ed25519 seed and returns the TXT
 * value (at most 255 bytes).
 *
 * @throws DmpEncodeError on invalid fields, when the seed's public key is not
 *   `senderSpk`, or when the value would exceed 255 bytes.
 */
export function signClaimRecord(claim: ClaimRecordInput, ed25519Seed: Uint8Array): string {
  fixedBytes(ed25519Seed, 32, 'ed25519Seed');
  ensure(
    bytesEqual(ed25519PublicKey(ed25519Seed), claim.senderSpk),
    'signing key does not match senderSpk',
  );
  const body = encodeClaimBody(claim);
  const value = signedRecordValue(CLAIM_RECORD_PREFIX, body, signEd25519(ed25519Seed, body));
  ensure(value.length <= MAX_CLAIM_VALUE_BYTES, `claim value is ${value.length} bytes > 255`);
  return value;
}

/**
 * Parses a claim TXT value, verifies it against its embedded `senderSpk` and
 * checks freshness at `now`: rejects `ts − now > tsSkewSeconds`
 * (forward-dated), `exp ≤ now` (a claim dies at `now == exp`) and
 * `exp − now` over 30 days. A `ts` in the past is fine. Never throws on any
 * value.
 */
export function parseAndVerifyClaimRecord(
  value: string,
  now: number,
  options: ClaimVerifyOptions = {},
): ParseResult<ClaimRecord> {
  const at = nowSeconds(now);
  const skew = nowSeconds(options.tsSkewSeconds ?? DEFAULT_CLAIM_TS_SKEW_SECONDS);
  if (!value.startsWith(CLAIM_RECORD_PREFIX)) return reject('prefix', 'not a claim record');
  if (utf8(value).length > MAX_CLAIM_VALUE_BYTES) {
    return reject('too-long', 'claim value exceeds 255 bytes');
  }
  const blob = decodeBase64Strict(value.slice(CLAIM_RECORD_PREFIX.length));
  if (blob === undefined) return reject('base64', 'claim body is not strict base64');
  if (blob.length < SIGNATURE_BYTES + 1) return reject('length', 'claim blob too short');
  const { body, signature } = splitSignedBlob(blob);
  const parsed = decodeClaimBody(body);
  if (!parsed.ok) return parsed;
  const claim = parsed.value;
  if (!verifyEd25519(claim.senderSpk, body, signature)) {
    return reject('signature', 'claim signature does not verify');
  }
  if (claim.ts - at > skew) return reject('future', 'claim ts too far in the future');
  if (claim.exp <= at) return reject('expired', 'claim expired');
  if (exceedsExpiryCap(claim.exp, at)) return reject('future', 'claim exp more than 30 days ahead');
  return accept({ ...claim, signature: signature.slice() });
}

/** Structural parse of a claim body, including every sign-side rule. */
function decodeClaimBody(body: Uint8Array): ParseResult<Omit<ClaimRecord, 'signature'>> {
  if (body.length < MIN_BODY_BYTES) return reject('length', 'claim body too short');
  if (!bytesEqual(body.subarray(0, 7), MAGIC_BYTES)) return reject('structure', 'bad claim magic');
  const d = body[55]!;
  if (d < 1 || d > MAX_CLAIM_DOMAIN_LENGTH) return reject('structure', `domain length ${d}`);
  const slotAt = 56 + d;
  if (slotAt > body.length) return reject('length', 'claim body truncated in domain');
  const domain = decodeUtf8Exact(body.subarray(56, slotAt));
  if (domain === undefined) return reject('structure', 'domain is not valid UTF-8');
  if (slotAt + 1 > body.length) return reject('length', 'claim body truncated in slot');
  const slot = body[slotAt]!;
  if (slot > MAX_CLAIM_SLOT) return reject('structure', `slot ${slot} > ${MAX_CLAIM_SLOT}`);
  if (slotAt + 17 > body.length) return reject('length', 'claim body truncated in ts/exp');
  if (slotAt + 17 !== body.length) return reject('length', 'trailing bytes after claim exp');
  const ts = readU64(body, slotAt + 1);
  const exp = readU64(body, slotAt + 9);
  if (exp <= ts) return reject('structure', 'claim exp is not after ts');
  if (ts >= INT64_LIMIT || exp >= INT64_LIMIT) return reject('structure', 'ts/exp beyond int64');
  if (hasSpaceOrControl(domain)) return reject('structure', 'domain has whitespace or controls');
  return accept({
    msgId: body.slice(7, 23),
    senderSpk: body.slice(23, 55),
    senderMailboxDomain: domain,
    slot,
    ts,
    exp,
  });
}

/** Any character at or below U+0020, or U+007F. */
function hasSpaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return true;
  }
  return false;
}
