/**
 * Metrics of the anti-entropy worker: values pulled and stored per peer,
 * values and digest entries refused by reason, failed calls per peer and
 * stage, and how far behind each peer's stream this node is.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** Why something a peer sent was not stored. */
export type SyncRejectReason =
  | 'invalid-entry'
  | 'malformed'
  | 'unrequested'
  | 'unadvertised'
  | 'forged'
  | 'not-replicable'
  | 'misplaced'
  | 'off-zone';

/** A failed step against one peer. */
export type SyncErrorStage = 'digest' | 'pull' | 'store';

export interface SyncMetrics {
  pulled(peer: string, values: number): void;
  rejected(reason: SyncRejectReason, count?: number): void;
  peerError(peer: string, stage: SyncErrorStage): void;
  /** Seconds between now and the newest peer write this node has caught up to (0 = caught up). */
  lag(peer: string, seconds: number): void;
}

/** Metrics that count nothing (tests, a worker without a registry). */
export const NO_SYNC_METRICS: SyncMetrics = {
  pulled() {},
  rejected() {},
  peerError() {},
  lag() {},
};

/** Registers the sync metrics on `registry`. */
export function createSyncMetrics(registry: Registry): SyncMetrics {
  const pulled = new Counter({
    name: 'dmp_sync_records_pulled_total',
    help: 'Values pulled from a cluster peer, verified and stored, by peer id.',
    labelNames: ['peer'],
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'dmp_sync_records_rejected_total',
    help: 'Digest entries and pulled values refused (never stored), by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'dmp_sync_peer_errors_total',
    help: 'Failed anti-entropy calls or writes, by peer id and stage (digest, pull, store).',
    labelNames: ['peer', 'stage'],
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'dmp_sync_peer_lag_seconds',
    help: "Age of this node's watermark in a peer's stream while behind it (0 once caught up).",
    labelNames: ['peer'],
    registers: [registry],
  });
  return {
    pulled: (peer, values) => pulled.inc({ peer }, values),
    rejected: (reason, count = 1) => rejected.inc({ reason }, count),
    peerError: (peer, stage) => errors.inc({ peer, stage }),
    lag: (peer, seconds) => lag.set({ peer }, seconds),
  };
}
