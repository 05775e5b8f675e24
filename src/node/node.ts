/**
 * The node daemon assembled: sqlite stores → DNS responder → UDP/TCP
 * listeners with response-rate limiting → HTTP API → cleanup worker, with
 * one metrics registry and one logger. `startNode` is what `dnsmesh-node`
 * runs; tests start it in-process on port 0.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startNodeCluster } from './cluster/node-cluster.js';
import type { NodeConfig } from './config/node-config.js';
import { createNodeResponder } from './dns/node-responder.js';
import { ResponseByteBudget } from './dns/response-budget.js';
import { ResponseRateLimiter } from './dns/rrl.js';
import type { DnsBoundAddress } from './dns/transport/listeners.js';
import { startDnsListeners } from './dns/transport/listeners.js';
import { UpdateAuditLog } from './dns/update-audit.js';
import { startHeartbeatLayer } from './heartbeat/heartbeat-layer.js';
import { httpApiConfigFromNode } from './http/config.js';
import { syncRoutes } from './http/routes/sync.js';
import { createHttpApi } from './http/server.js';
import type { Logger } from './log.js';
import { createNodeMetrics } from './metrics.js';
import { TokenBucketLimiter } from './rate-limit/token-bucket.js';
import { CleanupWorker } from './store/cleanup-worker.js';
import { openNodeStores } from './store/sqlite/node-stores.js';
import { startClusterSync } from './sync/node-sync.js';

/** How long token audit entries are kept (docs/security.md). */
const TOKEN_AUDIT_RETENTION_SECONDS = 30 * 86_400;

export interface RunningNode {
  readonly config: NodeConfig;
  /** The DNS port actually bound (differs from the config when it was 0). */
  readonly dnsPort: number;
  readonly dnsAddresses: readonly DnsBoundAddress[];
  /** `host:port` of the HTTP API, when enabled. */
  readonly httpAddress?: { readonly host: string; readonly port: number };
  /** Stops everything gracefully and closes the database. Idempotent. */
  close(): Promise<void>;
}

export interface StartNodeOptions {
  readonly logger: Logger;
  /** Wall clock in Unix seconds (tests). */
  readonly now?: () => number;
}

/** Starts a node; on any start-up failure, whatever was opened is closed again. */
export async function startNode(
  config: NodeConfig,
  options: StartNodeOptions,
): Promise<RunningNode> {
  const log = options.logger;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  if (config.dbPath !== ':memory:')
    mkdirSync(dirname(config.dbPath), { recursive: true, mode: 0o700 });
  const stores = openNodeStores(config.dbPath, {
    synchronous: config.store.synchronous,
    records: config.caps.maxRecords > 0 ? { maxRows: config.caps.maxRecords } : {},
  });
  const closers: (() => Promise<void> | void)[] = [() => stores.close()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        log.warn({ err: String(err) }, 'error while shutting down');
      }
    }
  };
  try {
    const rrl = new ResponseRateLimiter({
      responsesPerSecond: config.dns.rrlResponsesPerSecond,
      slip: config.dns.rrlSlip,
    });
    // All UDP replies to a client network, in octets, in front of RRL (same slip).
    const responseBudget = new ResponseByteBudget({
      bytesPerSecond: config.dns.responseBytesPerNetwork,
      slip: config.dns.rrlSlip,
    });
    const metrics = createNodeMetrics({
      records: stores.records,
      now,
      rrl,
      responseBudget,
      onInternalError: (err) => log.error({ err: String(err) }, 'DNS responder error'),
    });
    // One line per UPDATE (key, client, names, outcome); floods summed up.
    const audit = new UpdateAuditLog(log);
    closers.push(() => audit.close());
    const responder = createNodeResponder(
      {
        records: stores.records,
        tsigKeys: stores.tsigKeys,
        clock: () => Date.now() / 1000,
        metrics: metrics.responder,
        audit,
      },
      config,
    );
    const dns = await startDnsListeners(responder, {
      hosts: config.dns.hosts,
      port: config.dns.port,
      logger: log,
      metrics: metrics.transport,
      rrl,
      responseBudget,
      maxTcpConnections: config.dns.maxTcpConnections,
      tcpIdleTimeoutMs: config.dns.tcpIdleTimeoutMs,
    });
    closers.push(() => dns.close());

    // The cluster file's manifest published at cluster.<name>; the cluster base (docs/cluster.md).
    const cluster = startNodeCluster(config, { store: stores.records, log, now });

    // Heartbeats and discovery (docs/node.md); undefined when off.
    const heartbeats = startHeartbeatLayer(config, {
      database: stores.database,
      records: stores.records,
      log,
      now,
    });
    if (heartbeats !== undefined) closers.push(() => heartbeats.stop());

    let httpAddress: RunningNode['httpAddress'];
    if (config.http.enabled) {
      // The sync routes have their own per-client bucket, checked before the
      // token as the reference's shared one is (node spec §4.6), but sized
      // for a follower catching up (DMP_SYNC_HTTP_RATE / _BURST).
      const syncLimiter = new TokenBucketLimiter({
        ratePerSecond: config.sync.httpRatePerSecond,
        burst: config.sync.httpBurst,
      });
      const allowHttp = (key: string): boolean => syncLimiter.allow(key);
      const http = createHttpApi(
        {
          records: stores.records,
          tokens: stores.tokens,
          tsigKeys: stores.tsigKeys,
          tokenAudit: {
            appendAudit: (event) => {
              if (event.event === 'rejected' && event.tokenHash === null) {
                metrics.tokenRejected(event.detail);
              } else {
                stores.tokens.appendAudit(event);
              }
            },
          },
          registry: metrics.registry,
          logger: log,
          routes: [
            ...syncRoutes({
              records: stores.records,
              token: config.sync.peerToken,
              now,
              allow: (key) => allowHttp(key),
            }),
            ...cluster.routes((key) => allowHttp(key)),
          ],
          ...(heartbeats ? { peers: (limit: number) => heartbeats.peers(limit) } : {}),
        },
        httpApiConfigFromNode(config),
      );
      const info = await http.listen();
      closers.push(() => http.close());
      httpAddress = { host: info.address, port: info.port };
    }

    const cleanup = new CleanupWorker({
      store: {
        // Expired records, then audit entries past their retention, in the
        // same bounded steps.
        cleanupExpired: (at, limit) => {
          const removed = stores.records.cleanupExpired(at, limit);
          stores.tokens.pruneAudit(at - TOKEN_AUDIT_RETENTION_SECONDS, limit ?? 10_000);
          return removed;
        },
      },
      intervalMs: config.cleanupIntervalSeconds * 1000,
      now,
      onRun: (removed) => {
        if (removed > 0) log.info(`cleanup worker removed ${removed} expired records`);
      },
      onError: (err) => log.error({ err: String(err) }, 'cleanup failed'),
    });
    cleanup.start();
    closers.push(() => cleanup.stop());

    // Cluster anti-entropy (docs/node.md "Cluster sync"); undefined without peers or token.
    const sync = startClusterSync(config, {
      store: stores.records,
      registry: metrics.registry,
      log,
      cluster,
    });
    if (sync !== undefined) closers.push(() => sync.stop());

    log.info(
      `dnsmesh node up: zone=${config.zone} dns=${dns.port} ` +
        `http=${httpAddress ? httpAddress.port : 'off'} db=${config.dbPath} ` +
        `synchronous=${stores.database.synchronous} ` +
        `update=${config.update.enabled ? 'on' : 'off'}`,
    );
    let closing: Promise<void> | undefined;
    return {
      config,
      dnsPort: dns.port,
      dnsAddresses: dns.addresses,
      ...(httpAddress ? { httpAddress } : {}),
      close: () => {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
