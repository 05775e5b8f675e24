/**
 * Which cluster this node belongs to — the base domain whose
 * `cluster.<base>` RRset the manifest route serves and gossip installs into
 * (node spec §4.6, §5.6), first source that gives one:
 *
 * 1. `DMP_CLUSTER_BASE_DOMAIN` (lower-cased);
 * 2. the cluster name of the cluster file's manifest — verified under the
 *    pinned operator key when there is one, decoded structurally otherwise;
 * 3. with a pinned key only: the single cluster X whose `cluster.X` rows in
 *    the local store hold a manifest that verifies for X (two or more ⇒
 *    ambiguous ⇒ none). This is how a node that learnt its cluster by gossip
 *    keeps it across a restart; it is looked up again on each call until it
 *    gives a name, so a manifest gossiped in later is found without one.
 */
import { parseAndVerifyClusterManifest } from '../../protocol/records/cluster-manifest.js';
import { stripTrailingDot } from '../../protocol/records/dns-name.js';
import type { RecordPrefixScan } from '../store/types.js';
import { checkClusterWire, readClusterFileWire } from './manifest-source.js';

/** The owner-name prefix of cluster manifests. */
export const CLUSTER_OWNER_PREFIX = 'cluster.';
/** Rows read by one store scan; a store holding more `cluster.*` rows than this is not a cluster node. */
const SCAN_LIMIT = 1000;

/** The cluster name of the cluster file's manifest, or undefined. */
export function clusterBaseFromFile(
  path: string,
  operatorSpk: Uint8Array | undefined,
  now: number,
): string | undefined {
  const file = readClusterFileWire(path);
  if (file.kind !== 'wire') return undefined;
  const checked = checkClusterWire(file.wire, { now, operatorSpk });
  return checked.ok ? checked.manifest.clusterName.toLowerCase() : undefined;
}

/** What a store scan found: the one cluster, or every candidate when several verify. */
export interface StoreScan {
  readonly base?: string | undefined;
  /** Cluster names found, sorted (more than one ⇒ no base). */
  readonly clusters: readonly string[];
}

/** Step 3 over rows already read: the cluster names X with a verifying manifest at `cluster.X`. */
export function clusterBaseFromRows(
  rows: Iterable<{ readonly name: string; readonly value: string }>,
  operatorSpk: Uint8Array,
  now: number,
): StoreScan {
  const found = new Set<string>();
  for (const { name, value } of rows) {
    if (!name.startsWith(CLUSTER_OWNER_PREFIX)) continue;
    const owner = name.slice(CLUSTER_OWNER_PREFIX.length);
    if (found.has(owner)) continue;
    const r = parseAndVerifyClusterManifest(value, {
      now,
      operatorSpk,
      expectedClusterName: owner,
    });
    if (r.ok) found.add(stripTrailingDot(r.value.clusterName).toLowerCase());
  }
  const clusters = [...found].sort();
  return clusters.length === 1 ? { base: clusters[0], clusters } : { clusters };
}

export interface ClusterBaseOptions {
  /** `DMP_CLUSTER_BASE_DOMAIN`. */
  readonly configured?: string | undefined;
  /** The cluster file (`DMP_CLUSTER_FILE`); read once, when the resolver is made. */
  readonly clusterFile?: string | undefined;
  readonly operatorSpk?: Uint8Array | undefined;
  readonly store?: RecordPrefixScan | undefined;
  /** Unix seconds. */
  readonly now: () => number;
}

/** A function giving the cluster base as of now (sources 1–2 fixed at creation, 3 looked up). */
export function clusterBaseResolver(o: ClusterBaseOptions): () => string | undefined {
  const configured = o.configured?.trim().toLowerCase();
  const fixed =
    configured !== undefined && configured !== ''
      ? configured
      : o.clusterFile !== undefined
        ? clusterBaseFromFile(o.clusterFile, o.operatorSpk, o.now())
        : undefined;
  if (fixed !== undefined) return () => fixed;
  const { operatorSpk, store } = o;
  if (operatorSpk === undefined || store === undefined) return () => undefined;
  let learnt: string | undefined;
  return () => {
    if (learnt === undefined) {
      const now = o.now();
      learnt = clusterBaseFromRows(
        store.liveRowsUnder(CLUSTER_OWNER_PREFIX, now, SCAN_LIMIT),
        operatorSpk,
        now,
      ).base;
    }
    return learnt;
  };
}
