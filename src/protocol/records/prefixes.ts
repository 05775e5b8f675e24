/**
 * TXT prefix registry (core.md §1.2): the exact, case-sensitive string every
 * DMP record value starts with, and a dispatcher keyed on it.
 *
 * Dispatch is on the prefix, never on a body magic: claim records and
 * cluster manifests both start their body with `DMPCL01`.
 */

/** Chunk record: `d=` carries base64 of one 168-byte wrapped block (§4.6). */
export const CHUNK_RECORD_PREFIX = 'v=dmp1;t=chunk;d=';
/** Slot manifest (§6.1). */
export const SLOT_MANIFEST_PREFIX = 'v=dmp1;t=manifest;d=';
/** Identity record (§6.2). */
export const IDENTITY_RECORD_PREFIX = 'v=dmp1;t=identity;d=';
/** Prekey record (§6.3). */
export const PREKEY_RECORD_PREFIX = 'v=dmp1;t=prekey;d=';
/** Claim record (§6.4). No `d=`: the base64 follows the type directly. */
export const CLAIM_RECORD_PREFIX = 'v=dmp1;t=claim;';
/** Cluster manifest (node.md). */
export const CLUSTER_RECORD_PREFIX = 'v=dmp1;t=cluster;';
/** Bootstrap record (node.md). */
export const BOOTSTRAP_RECORD_PREFIX = 'v=dmp1;t=bootstrap;';
/** Node heartbeat (node.md). */
export const HEARTBEAT_RECORD_PREFIX = 'v=dmp1;t=heartbeat;';
/** Key rotation record (node.md). */
export const ROTATION_RECORD_PREFIX = 'v=dmp1;t=rotation;';
/** Key revocation record (node.md). */
export const REVOCATION_RECORD_PREFIX = 'v=dmp1;t=revocation;';

/**
 * Start of the unsigned JSON identity string the reference can build in
 * memory but never publishes (§6.5). Not a record type: only recognised.
 */
export const LEGACY_JSON_IDENTITY_PREFIX = 'v=dmp1;type=identity;data=';

/**
 * Receivers hand a chunk-name TXT value to the legacy key/value parser only
 * when it starts with this marker (§1.7, §8.7).
 */
export const LEGACY_KV_RECORD_MARKER = 'v=dmp';

/** Every DMP record type that travels as a TXT value. */
export type DmpRecordType =
  | 'chunk'
  | 'manifest'
  | 'identity'
  | 'prekey'
  | 'claim'
  | 'cluster'
  | 'bootstrap'
  | 'heartbeat'
  | 'rotation'
  | 'revocation';

/** Record type → exact TXT prefix. */
export const RECORD_PREFIXES: Readonly<Record<DmpRecordType, string>> = Object.freeze({
  chunk: CHUNK_RECORD_PREFIX,
  manifest: SLOT_MANIFEST_PREFIX,
  identity: IDENTITY_RECORD_PREFIX,
  prekey: PREKEY_RECORD_PREFIX,
  claim: CLAIM_RECORD_PREFIX,
  cluster: CLUSTER_RECORD_PREFIX,
  bootstrap: BOOTSTRAP_RECORD_PREFIX,
  heartbeat: HEARTBEAT_RECORD_PREFIX,
  rotation: ROTATION_RECORD_PREFIX,
  revocation: REVOCATION_RECORD_PREFIX,
});

const PREFIX_ENTRIES = Object.entries(RECORD_PREFIXES) as [DmpRecordType, string][];

/**
 * The record type whose exact prefix `value` starts with, or `undefined` for
 * anything else (unrelated TXT data such as SPF shares RRsets with DMP
 * records and is simply ignored). No prefix is a prefix of another, so at
 * most one type matches. This only classifies: the value may still fail to
 * parse as that type.
 */
export function recordTypeOf(value: string): DmpRecordType | undefined {
  for (const [type, prefix] of PREFIX_ENTRIES) {
    if (value.startsWith(prefix)) return type;
  }
  return undefined;
}
