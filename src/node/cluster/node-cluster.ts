/**
 * The cluster manifest as the node runs it: at start, the pinned operator
 * key is read (an unusable `DMP_SYNC_OPERATOR_SPK` is named and treated as
 * unset), the cluster file's manifest is published (§5.3), and the cluster
 * base is settled for `GET /v1/sync/cluster-manifest` (§4.6) and manifest
 * gossip (§5.6).
 */
import { dirname, join } from 'node:path';
import type { NodeConfig } from '../config/node-config.js';
import type { Route } from '../http/router.js';
import { clusterManifestRoutes } from '../http/routes/cluster-manifest.js';
import type { Logger } from '../log.js';
import type { RecordPrefixScan, RecordStore } from '../store/types.js';
import { clusterBaseResolver } from './cluster-base.js';
import { parseOperatorSpkSetting } from './manifest-source.js';
import { publishClusterManifestFromFile } from './publish-manifest.js';

/** What the rest of the node needs of the cluster manifest. */
export interface NodeCluster {
  /** The pinned operator key, when `DMP_SYNC_OPERATOR_SPK` is usable. */
  readonly operatorSpk: Uint8Array | undefined;
  /** The cluster base domain as of now, or undefined. */
  readonly base: () => string | undefined;
  /** `GET /v1/sync/cluster-manifest`, behind the given per-IP limiter. */
  routes(allow: (limitKey: string) => boolean): Route[];
}

/** The cluster file used when `DMP_CLUSTER_FILE` is unset: `cluster.json` beside the database. */
export function clusterFilePath(config: NodeConfig): string {
  return config.sync.clusterFile ?? join(dirname(config.dbPath), 'cluster.json');
}

/** Publishes the cluster file's manifest and settles the cluster base; never throws. */
export function startNodeCluster(
  config: NodeConfig,
  deps: {
    readonly store: RecordStore & RecordPrefixScan;
    readonly log: Logger;
    readonly now: () => number;
  },
): NodeCluster {
  const { store, log, now } = deps;
  const setting = parseOperatorSpkSetting(config.sync.operatorSpk);
  if (setting.kind === 'invalid') log.warn(`cluster manifest: ${setting.problem}`);
  const operatorSpk = setting.kind === 'key' ? setting.spk : undefined;
  const clusterFile = clusterFilePath(config);
  publishClusterManifestFromFile({ path: clusterFile, operatorSpk, store, now: now(), log });
  const base = clusterBaseResolver({
    configured: config.sync.clusterBaseDomain,
    clusterFile,
    operatorSpk,
    store,
    now,
  });
  return {
    operatorSpk,
    base,
    routes: (allow) =>
      clusterManifestRoutes({
        records: store,
        token: config.sync.peerToken,
        allow,
        base,
        operatorSpk,
        now,
      }),
  };
}
