/**
 * Cluster sync as the node runs it (node spec §5.4): the peer list from the
 * configuration, the checks that decide whether a worker runs at all, and
 * the worker's start. No peers ⇒ no worker; peers without a sync token ⇒ a
 * warning and no worker (every call would be refused).
 */
import { dirname, join } from 'node:path';
import type { Registry } from 'prom-client';
import type { NodeConfig } from '../config/node-config.js';
import type { Logger } from '../log.js';
import type { RecordStore, RecordSyncSource } from '../store/types.js';
import { type GossipCluster, manifestGossipHook, peersFromManifest } from './manifest-gossip.js';
import { createSyncMetrics } from './metrics.js';
import { loadPeers } from './peers.js';
import { AntiEntropyWorker } from './worker.js';

/** The cluster file used when `DMP_CLUSTER_FILE` is unset: `cluster.json` beside the database. */
export function defaultClusterFile(dbPath: string): string {
  return join(dirname(dbPath), 'cluster.json');
}

/** `DMP_SYNC_OPERATOR_SPK` as 32 bytes, or undefined (with the reason) when unusable. */
export function parseOperatorSpk(hex: string | undefined): Uint8Array | string | undefined {
  if (hex === undefined) return undefined;
  const text = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) return 'DMP_SYNC_OPERATOR_SPK must be 64 hex characters';
  return new Uint8Array(Buffer.from(text, 'hex'));
}

export interface ClusterSyncDeps {
  readonly store: RecordStore & RecordSyncSource;
  readonly registry: Registry;
  readonly log: Logger;
  /** The pinned operator key and cluster base, for manifest gossip (node spec §5.6). */
  readonly cluster?: GossipCluster | undefined;
}

/** Starts the anti-entropy worker when the configuration asks for one; undefined otherwise. */
export function startClusterSync(
  config: NodeConfig,
  deps: ClusterSyncDeps,
): AntiEntropyWorker | undefined {
  const { log } = deps;
  const s = config.sync;
  const list = loadPeers({
    peers: s.peers,
    clusterFile: s.clusterFile ?? defaultClusterFile(config.dbPath),
    nodeId: s.nodeId,
    selfEndpoint: s.selfEndpoint,
  });
  if (list.problem !== undefined) {
    log.warn(`anti-entropy: cluster file ${list.source} gives no peers: ${list.problem}`);
  }
  if (list.peers.length === 0) return undefined;
  if (!s.peerToken) {
    log.warn(
      `anti-entropy: ${list.peers.length} peer(s) from ${list.source} but no ` +
        'DMP_SYNC_PEER_TOKEN; cluster sync not started',
    );
    return undefined;
  }
  const spk = parseOperatorSpk(s.operatorSpk);
  if (typeof spk === 'string') log.warn(`anti-entropy: ${spk}; ignored`);
  const self = { nodeId: s.nodeId, selfEndpoint: s.selfEndpoint };
  // §5.6 step 4: an installed manifest's nodes become the peers.
  const onInstall = (_manifest: unknown, wire: string): void => {
    const peers = peersFromManifest(wire, self);
    if (!self.nodeId && !self.selfEndpoint) {
      log.warn(
        'anti-entropy: neither DMP_NODE_ID nor DMP_SYNC_SELF_ENDPOINT is set, so this node ' +
          'cannot leave itself out of the manifest it installed and may sync with itself',
      );
    }
    worker.setPeers(peers);
    log.info(
      { peers: peers.map((p) => `${p.id}=${p.url}`) },
      `anti-entropy: now syncing with ${peers.length} peer(s) from the installed manifest`,
    );
  };
  const worker: AntiEntropyWorker = new AntiEntropyWorker({
    store: deps.store,
    peers: list.peers,
    token: s.peerToken,
    intervalMs: s.intervalSeconds * 1000,
    log,
    zone: config.zone,
    metrics: createSyncMetrics(deps.registry),
    operatorSpk: spk instanceof Uint8Array ? spk : undefined,
    afterVisit: manifestGossipHook({
      cluster: deps.cluster,
      store: deps.store,
      token: s.peerToken,
      log,
      onInstall,
    }),
  });
  worker.start();
  log.info(
    { peers: list.peers.map((p) => `${p.id}=${p.url}`) },
    `anti-entropy: syncing with ${list.peers.length} peer(s) from ${list.source} ` +
      `every ${s.intervalSeconds}s`,
  );
  return worker;
}
