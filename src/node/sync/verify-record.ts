/**
 * Re-verification of values pulled from a peer (node spec §5.5): a peer is
 * not trusted, so a value is stored only if it would be accepted as a
 * direct publish of its type. Dispatch is on the exact TXT prefix.
 *
 * - slot manifest, identity, claim, rotation, revocation: full signature
 *   verification with the protocol parsers;
 * - cluster manifest: full verification under `DMP_SYNC_OPERATOR_SPK` when
 *   set, else the payload must strict-base64-decode to ≥ 65 bytes;
 * - prekey, bootstrap: the payload must strict-base64-decode to ≥ 65 bytes
 *   (the node has no key to check them against; clients do);
 * - chunk: the block must unwrap (Reed-Solomon and checksum);
 * - any other `v=dmp…` value (heartbeats, seen lists, unknown types):
 *   refused — each node publishes its own;
 * - anything else: accepted unless the owner is a DMP-reserved name.
 *
 * On top of the reference, values in the shared namespaces must be usable
 * where they are (a slot manifest at its recipient's mailbox, see
 * `shared-namespace-values.ts`) — a check no honest peer's data fails.
 */
import { decodeBase64Strict } from '../../protocol/base64.js';
import { unwrapChunkBlock } from '../../protocol/coding/chunk-block.js';
import { parseChunkRecord } from '../../protocol/records/chunk-record.js';
import { parseAndVerifyClaimRecord } from '../../protocol/records/claim-record.js';
import { parseAndVerifyClusterManifest } from '../../protocol/records/cluster-manifest.js';
import { parseAndVerifyIdentityRecord } from '../../protocol/records/identity-record.js';
import {
  BOOTSTRAP_RECORD_PREFIX,
  CHUNK_RECORD_PREFIX,
  CLUSTER_RECORD_PREFIX,
  LEGACY_KV_RECORD_MARKER,
  PREKEY_RECORD_PREFIX,
  recordTypeOf,
} from '../../protocol/records/prefixes.js';
import { parseAndVerifyRevocationRecord } from '../../protocol/records/revocation-record.js';
import { parseAndVerifyRotationRecord } from '../../protocol/records/rotation-record.js';
import { parseAndVerifySlotManifest } from '../../protocol/records/slot-manifest.js';
import { sharedValueAllowed } from '../shared-namespace-values.js';

/**
 * Why a value was refused: `forged` (a signature or structure check
 * failed), `not-replicable` (a type or owner that never replicates),
 * `misplaced` (valid, but not where it was found).
 */
export type VerifyRefusal = 'forged' | 'not-replicable' | 'misplaced';

/** What verification needs besides the value. */
export interface VerifyContext {
  /** Unix seconds. */
  readonly now: number;
  /** The pinned cluster operator key, when configured. */
  readonly operatorSpk?: Uint8Array | undefined;
}

/** Owners whose plain (non-`v=dmp`) values never replicate (§5.5), matched lower-cased. */
const RESERVED_OWNERS = [
  /^slot-\d+\.mb-[a-f0-9]+\./,
  /^chunk-\d+-[a-f0-9]+\./,
  /^mb-[a-f0-9]+\./,
  /^id-[a-f0-9]+\./,
  /^prekeys\.id-[a-f0-9]+\./,
  /^_dnsmesh-/,
  /^claim-\d+\.mb-[a-f0-9]+\./,
  /^cluster\./,
  /^_dmp\./,
  /^dmp\./,
  /^rotate\./,
];

/** A signed blob the node cannot check: strict base64 of at least signature + 1 bytes. */
function structurallySigned(value: string, prefix: string): boolean {
  const blob = decodeBase64Strict(value.slice(prefix.length));
  return blob !== undefined && blob.length >= 65;
}

/** The §5.5 verdict on the value alone (`true` = acceptable). Never throws. */
export function verifyPulledValue(
  name: string,
  value: string,
  ctx: VerifyContext,
): true | VerifyRefusal {
  if (value === '') return 'forged';
  if (!value.startsWith(LEGACY_KV_RECORD_MARKER)) {
    const owner = name.toLowerCase();
    return RESERVED_OWNERS.some((re) => re.test(owner)) ? 'not-replicable' : true;
  }
  const now = ctx.now;
  let ok: boolean;
  switch (recordTypeOf(value)) {
    case 'manifest':
      ok = parseAndVerifySlotManifest(value, now).ok;
      break;
    case 'identity':
      ok = parseAndVerifyIdentityRecord(value).ok;
      break;
    case 'claim':
      ok = parseAndVerifyClaimRecord(value, now).ok;
      break;
    case 'rotation':
      ok = parseAndVerifyRotationRecord(value, { now }).ok;
      break;
    case 'revocation':
      ok = parseAndVerifyRevocationRecord(value, { now }).ok;
      break;
    case 'cluster':
      ok =
        ctx.operatorSpk === undefined
          ? structurallySigned(value, CLUSTER_RECORD_PREFIX)
          : parseAndVerifyClusterManifest(value, { now, operatorSpk: ctx.operatorSpk }).ok;
      break;
    case 'prekey':
      ok = structurallySigned(value, PREKEY_RECORD_PREFIX);
      break;
    case 'bootstrap':
      ok = structurallySigned(value, BOOTSTRAP_RECORD_PREFIX);
      break;
    case 'chunk': {
      const parsed = value.startsWith(CHUNK_RECORD_PREFIX) ? parseChunkRecord(value) : undefined;
      ok =
        parsed?.ok === true &&
        parsed.value.data.length > 0 &&
        unwrapChunkBlock(parsed.value.data) !== undefined;
      break;
    }
    default:
      // Heartbeats, seen lists and unknown v=dmp types: each node publishes its own.
      return 'not-replicable';
  }
  if (!ok) return 'forged';
  return sharedValueAllowed(name.toLowerCase(), value, now) ? true : 'misplaced';
}
