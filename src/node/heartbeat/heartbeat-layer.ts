/**
 * The heartbeat layer assembled from the node configuration (node spec
 * §6.5, `_load_heartbeat_from_env`): enabled only when asked for and
 * complete — a served zone, a valid self endpoint, a private operator key
 * that loads, sane numbers and resolvers. Anything missing is one ERROR
 * line naming it, and the node runs without heartbeats, as the reference
 * does.
 */
import { getServers } from 'node:dns';
import { ResolverPool } from '../../dns/client/resolver-pool.js';
import type { TxtReader } from '../../dns/client/txt-reader.js';
import { heartbeatEndpointError } from '../../protocol/records/heartbeat-endpoint.js';
import { VERSION } from '../../version.js';
import type { NodeConfig } from '../config/node-config.js';
import type { Logger } from '../log.js';
import type { NodeDatabase } from '../store/sqlite/database.js';
import { type SeenHeartbeat, SqliteSeenStore } from '../store/sqlite/heartbeat-seen-store.js';
import type { RecordStore } from '../store/types.js';
import { HeartbeatWorker } from './heartbeat-worker.js';
import { loadOperatorSeed } from './operator-key.js';
import { PublicSeeds } from './public-seeds.js';

/** A running heartbeat layer. */
export interface HeartbeatLayer {
  readonly worker: HeartbeatWorker;
  readonly seen: SqliteSeenStore;
  /** Peers for the landing page: unexpired, newest first. */
  peers(limit: number): SeenHeartbeat[];
  stop(): Promise<void>;
}

export interface HeartbeatLayerDeps {
  readonly database: NodeDatabase;
  readonly records: RecordStore;
  readonly log: Logger;
  readonly now: () => number;
  /** Harvest reader (tests); default a pool over the configured resolvers. */
  readonly reader?: TxtReader;
}

/** Everything wrong with the heartbeat settings (empty when the layer can run). */
export function heartbeatProblems(config: NodeConfig): string[] {
  const h = config.heartbeat;
  const p: string[] = [];
  if (h.selfEndpoint === undefined) p.push('DMP_HEARTBEAT_SELF_ENDPOINT is not set');
  else {
    const problem = heartbeatEndpointError(h.selfEndpoint);
    if (problem !== undefined) p.push(`DMP_HEARTBEAT_SELF_ENDPOINT: ${problem}`);
  }
  if (h.operatorKeyPath === undefined) p.push('DMP_HEARTBEAT_OPERATOR_KEY_PATH is not set');
  const whole = (name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min || v > max)
      p.push(`${name} must be an integer ${min}..${max}`);
  };
  whole('DMP_HEARTBEAT_INTERVAL_SECONDS', h.intervalSeconds, 1, 2_147_483);
  whole('DMP_HEARTBEAT_TTL_SECONDS', h.ttlSeconds, 1, 30 * 86_400);
  whole('DMP_HEARTBEAT_MAX_PEERS', h.maxPeers, 0);
  whole('DMP_HEARTBEAT_SEEN_MAX_ROWS', h.seenMaxRows, 1);
  whole('DMP_HEARTBEAT_GOSSIP_LIMIT', h.gossipLimit, 0, 50);
  if (!(Number.isFinite(h.retentionHours) && h.retentionHours >= 0)) {
    p.push('DMP_HEARTBEAT_RETENTION_HOURS must be ≥ 0');
  }
  if (h.version !== undefined && (h.version.length > 32 || !/^[\x20-\x7e]*$/.test(h.version))) {
    p.push('DMP_HEARTBEAT_VERSION must be printable ASCII, at most 32 characters');
  }
  if (config.zone.length > 64)
    p.push(`the served zone ${config.zone} is longer than 64 characters`);
  return p;
}

/**
 * Opens the seen-store and starts the worker, or logs why not and returns
 * `undefined`. The worker's first tick runs at once.
 */
export function startHeartbeatLayer(
  config: NodeConfig,
  deps: HeartbeatLayerDeps,
): HeartbeatLayer | undefined {
  const h = config.heartbeat;
  if (!h.enabled) return undefined;
  const off = (why: string) => {
    deps.log.error(`heartbeats are off: ${why}`);
    return undefined;
  };
  const problems = heartbeatProblems(config);
  if (problems.length > 0) return off(problems.join('; '));
  const key = loadOperatorSeed(h.operatorKeyPath!);
  if (!key.ok) return off(key.error);
  let reader: TxtReader;
  if (deps.reader !== undefined) reader = deps.reader;
  else {
    const resolvers = h.dnsResolvers.length > 0 ? h.dnsResolvers : getServers();
    if (resolvers.length === 0) {
      return off('no resolver: DMP_HEARTBEAT_DNS_RESOLVERS is empty and the system has none');
    }
    try {
      reader = new ResolverPool(resolvers, {
        timeoutMs: 3000,
        deadlineMs: 6000,
        dnssecRequired: h.dnssecRequired,
      });
    } catch (err) {
      return off(`DMP_HEARTBEAT_DNS_RESOLVERS: ${(err as Error).message}`);
    }
  }
  const seen = new SqliteSeenStore(deps.database, {
    maxRows: h.seenMaxRows,
    retentionSeconds: h.retentionHours * 3600,
  });
  let worker: HeartbeatWorker;
  try {
    worker = new HeartbeatWorker({
      records: deps.records,
      seen,
      reader,
      zone: config.zone,
      selfEndpoint: h.selfEndpoint!,
      operatorSeed: key.seed,
      version: h.version ?? VERSION.slice(0, 32),
      claimProvider: config.update.enabled && config.update.claimProvider,
      ttlSeconds: h.ttlSeconds,
      intervalMs: h.intervalSeconds * 1000,
      // The reference also harvests its cluster peers' hosts (DMP_SYNC_PEERS).
      seeds: [...h.seeds, ...config.sync.peers],
      publicSeeds: h.publicSeedsDisabled
        ? undefined
        : new PublicSeeds({
            urls: h.publicSeedUrls,
            onError: (url, err) =>
              deps.log.warn(
                { url, err: err instanceof Error ? err.message : String(err) },
                'public seed list not fetched; its previous zones are kept',
              ),
          }),
      maxPeers: h.maxPeers,
      gossipLimit: h.gossipLimit,
      now: deps.now,
      log: deps.log,
    });
  } catch (err) {
    return off((err as Error).message);
  }
  worker.start();
  deps.log.info(
    `heartbeats on: operator ${worker.operatorKeyHex.slice(0, 16)}… every ${h.intervalSeconds}s, ` +
      `seeds ${h.seeds.length > 0 ? h.seeds.join(',') : 'none'}`,
  );
  return {
    worker,
    seen,
    peers: (limit) => seen.listRecent(limit, deps.now()),
    stop: () => worker.stop(),
  };
}
