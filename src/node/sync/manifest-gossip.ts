/**
 * Manifest gossip (node spec §5.6): after a peer's data sync, ask it for
 * its cluster manifest and install a newer one. An operator then rolls out
 * a new manifest (a node added or removed) by placing it on one node; the
 * others pick it up from each other within a few ticks.
 *
 * Enabled only with a pinned operator key and a cluster base (see
 * `cluster/cluster-base.ts`). One exchange:
 *
 * 1. `GET <peer>/v1/sync/cluster-manifest` with the sync token; anything
 *    but 200 with a JSON object (204 included) ⇒ nothing;
 * 2. the `wire` must verify under the pinned key for the base (§5.1);
 * 3. the current seq is the higher of the one installed by this process and
 *    the best verifying seq at `cluster.<base>` in the local store; only a
 *    strictly higher seq is installed;
 * 4. install: the wire is published at `cluster.<cluster name>` with TTL
 *    `max(1, exp − now)` (older wires stay until they expire), and
 *    `onInstall` gets the manifest, for the caller to replace its peers
 *    (`peersFromManifest`).
 *
 * A newer manifest usually reaches a node by data sync first (a `cluster.*`
 * value is replicated like any record, and data sync runs before the
 * exchange), so step 3 then finds it held and installs nothing. With
 * `state.peersSeq` set (the hook sets it), a verifying offer at the held
 * seq that is above `peersSeq` is handed to `onInstall` all the same: the
 * peer list follows the best manifest however it arrived.
 *
 * The peer's `seq`, `exp` and `cluster_name` fields are not trusted: only
 * the signed wire counts.
 */
import type { Logger } from 'pino';
import {
  type ClusterManifest,
  parseAndVerifyClusterManifest,
  selectClusterManifest,
} from '../../protocol/records/cluster-manifest.js';
import { CLUSTER_OWNER_PREFIX } from '../cluster/cluster-base.js';
import type { RecordStore } from '../store/types.js';
import { callPeer } from './peer-client.js';
import { type PeerSources, peersFromClusterText, type SyncPeer } from './peers.js';

/** The manifest route's path. */
export const CLUSTER_MANIFEST_ROUTE = '/v1/sync/cluster-manifest';
/** A manifest wire is ≤ 1200 bytes; its JSON answer is far below this. */
const MAX_ANSWER_BYTES = 16 * 1024;

/** What one exchange did. */
export type GossipOutcome = 'installed' | 'unchanged' | 'skipped';

/** What this process has installed, kept across exchanges. */
export interface GossipState {
  installedSeq: bigint | undefined;
  /**
   * Seq whose node list the caller's peers already follow (or that was held
   * at start, when the peers came from the configuration). Undefined ⇒ only
   * an install reaches `onInstall`.
   */
  peersSeq?: bigint | undefined;
}

/** A fresh {@link GossipState}. */
export function newGossipState(peersSeq?: bigint): GossipState {
  return { installedSeq: undefined, peersSeq };
}

/** What {@link gossipManifest} works with. */
export interface ManifestGossipDeps {
  readonly store: Pick<RecordStore, 'query' | 'publish'>;
  /** `DMP_SYNC_PEER_TOKEN`. */
  readonly token: string;
  /** The pinned operator key (`DMP_SYNC_OPERATOR_SPK`). */
  readonly operatorSpk: Uint8Array;
  /** The cluster base as of now; undefined ⇒ every exchange is skipped. */
  readonly base: () => string | undefined;
  /** Wall clock, Unix seconds. */
  readonly now: () => number;
  readonly state: GossipState;
  readonly log: Logger;
  /** Called after a newer manifest is stored (replace the peer list here). */
  readonly onInstall?: ((manifest: ClusterManifest, wire: string) => void) | undefined;
  /** Deadline of the call (default 5 s). */
  readonly timeoutMs?: number | undefined;
  /** Aborts the call (the worker stopping). */
  readonly signal?: AbortSignal | undefined;
}

/** Asks `peer` for its manifest and installs it when it verifies and is newer. Never throws. */
export async function gossipManifest(
  peer: SyncPeer,
  deps: ManifestGossipDeps,
): Promise<GossipOutcome> {
  const base = deps.base();
  if (base === undefined) return 'skipped';
  const answer = await callPeer(`${peer.url}${CLUSTER_MANIFEST_ROUTE}`, deps.token, undefined, {
    timeoutMs: deps.timeoutMs ?? 5000,
    maxBytes: MAX_ANSWER_BYTES,
    signal: deps.signal,
  });
  if (!answer.ok) {
    deps.log.debug({ peer: peer.id, why: answer.detail }, 'manifest gossip: nothing from peer');
    return 'skipped';
  }
  const wire = answer.body.wire;
  if (typeof wire !== 'string') return 'skipped';
  const now = deps.now();
  const pin = { now, operatorSpk: deps.operatorSpk, expectedClusterName: base };
  const offered = parseAndVerifyClusterManifest(wire, pin);
  if (!offered.ok) {
    deps.log.warn(
      { peer: peer.id, why: offered.detail },
      'manifest gossip: peer offered a manifest that does not verify; ignored',
    );
    return 'skipped';
  }
  const m = offered.value;
  const owner = `${CLUSTER_OWNER_PREFIX}${m.clusterName}`.toLowerCase();
  let current = deps.state.installedSeq;
  try {
    const held = selectClusterManifest(deps.store.query(owner, now), pin)?.seq;
    if (held !== undefined && (current === undefined || held > current)) current = held;
  } catch (err) {
    deps.log.warn({ err: String(err) }, 'manifest gossip: local manifest not readable');
    return 'skipped';
  }
  if (current !== undefined && m.seq <= current) {
    const adopted = deps.state.peersSeq;
    if (adopted !== undefined && m.seq === current && m.seq > adopted) {
      deps.state.peersSeq = m.seq;
      deps.log.info(
        { peer: peer.id, seq: m.seq.toString(), nodes: m.nodes.length },
        `manifest gossip: ${owner} seq ${m.seq} already held (data sync); its nodes become the peers`,
      );
      deps.onInstall?.(m, wire);
    }
    return 'unchanged';
  }
  const ttl = Math.max(1, Number(m.exp - BigInt(Math.floor(now))));
  try {
    deps.store.publish(owner, wire, ttl, now);
  } catch (err) {
    deps.log.warn({ err: String(err) }, 'manifest gossip: could not store the manifest');
    return 'skipped';
  }
  deps.state.installedSeq = m.seq;
  if (deps.state.peersSeq !== undefined) deps.state.peersSeq = m.seq;
  deps.log.info(
    { peer: peer.id, seq: m.seq.toString(), previous: current?.toString(), nodes: m.nodes.length },
    `manifest gossip: installed ${owner} seq ${m.seq} from ${peer.id}`,
  );
  deps.onInstall?.(m, wire);
  return 'installed';
}

/** The peers a manifest names, without this node (by `DMP_NODE_ID` / `DMP_SYNC_SELF_ENDPOINT`). */
export function peersFromManifest(
  wire: string,
  self: Pick<PeerSources, 'nodeId' | 'selfEndpoint'>,
): SyncPeer[] {
  return peersFromClusterText(wire, self).peers;
}

/** The best verifying seq held at `cluster.<base>`, if any. Never throws. */
function heldSeq(
  store: Pick<RecordStore, 'query'>,
  base: string | undefined,
  operatorSpk: Uint8Array,
  now: number,
): bigint | undefined {
  if (base === undefined) return undefined;
  try {
    const owner = `${CLUSTER_OWNER_PREFIX}${base}`.toLowerCase();
    return selectClusterManifest(store.query(owner, now), {
      now,
      operatorSpk,
      expectedClusterName: base,
    })?.seq;
  } catch {
    return undefined;
  }
}

/** The cluster as the node settled it at start (see `cluster/node-cluster.ts`). */
export interface GossipCluster {
  readonly operatorSpk: Uint8Array | undefined;
  readonly base: () => string | undefined;
}

/**
 * The worker's after-visit hook running {@link gossipManifest}, or undefined
 * (with a log line saying why) when gossip is off: it needs the pinned
 * operator key; without a cluster base yet it waits for one (a manifest
 * gossiped or published later is found then).
 */
export function manifestGossipHook(o: {
  readonly cluster: GossipCluster | undefined;
  readonly store: Pick<RecordStore, 'query' | 'publish'>;
  readonly token: string;
  readonly log: Logger;
  readonly now?: () => number;
  /** Called after an install (the node replaces its worker's peers here). */
  readonly onInstall?: ManifestGossipDeps['onInstall'];
}): ((peer: SyncPeer, signal: AbortSignal) => Promise<GossipOutcome>) | undefined {
  const { cluster, log } = o;
  if (cluster?.operatorSpk === undefined) {
    log.info(
      'manifest gossip: off without DMP_SYNC_OPERATOR_SPK; new cluster manifests reach a node ' +
        'only through its cluster file',
    );
    return undefined;
  }
  if (cluster.base() === undefined) {
    log.warn(
      'manifest gossip: no cluster base yet (set DMP_CLUSTER_BASE_DOMAIN or mount a manifest ' +
        'as DMP_CLUSTER_FILE); nothing is installed until one is known',
    );
  }
  const { operatorSpk, base } = cluster;
  const now = o.now ?? (() => Math.floor(Date.now() / 1000));
  // The manifest held at start is what the configured peers were chosen
  // against; any better one (installed or replicated) replaces them.
  const state = newGossipState(heldSeq(o.store, base(), operatorSpk, now()) ?? -1n);
  return (peer, signal) =>
    gossipManifest(peer, {
      store: o.store,
      token: o.token,
      operatorSpk,
      base,
      now,
      state,
      log,
      signal,
      onInstall: o.onInstall,
    });
}
