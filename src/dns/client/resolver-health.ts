/**
 * Health of one upstream recursive resolver (RFC 1035 §7.2 leaves server
 * selection to the client; core spec §11.1 fixes the DMP baseline) and the
 * order a pool tries its upstreams in.
 *
 * Three tiers, best first:
 * 1. preferred — no failure streak (or its cooldown has elapsed), not
 *    distrusted; ordered by latency bucket, then configured position;
 * 2. cooling down — failed recently; oldest failure first (the reference's
 *    rule: cooldown only reorders, the upstream is still tried last);
 * 3. distrusted — caught lying (an answer that failed verification while
 *    another upstream's verified, or that disagreed with the majority);
 *    earliest expiry first. A liar costs one fast wrong answer, a dead
 *    upstream a whole timeout, but a liar can poison callers that do not
 *    validate, so liars go last.
 */
import type { DnsServer } from './server-address.js';
import { formatServer } from './server-address.js';

/** Tunables of health tracking. */
export interface HealthPolicy {
  /** Consecutive failures that start a cooldown (default 1, as the reference). */
  readonly failureThreshold: number;
  /** How long a failing upstream stays behind healthy ones (default 60 s). */
  readonly cooldownMs: number;
  /** How long a lying upstream stays in the last tier (default 10 min). */
  readonly distrustMs: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = {
  failureThreshold: 1,
  cooldownMs: 60_000,
  distrustMs: 600_000,
};

/** Weight of the newest sample in the latency moving average. */
const EWMA_ALPHA = 0.3;
/** Latencies within the same power-of-two multiple of this are treated as equal, so jitter cannot reshuffle the order. */
const LATENCY_QUANTUM_MS = 5;

/** Serialisable snapshot of one upstream, for `resolvers list` and diagnostics. */
export interface ResolverStatus {
  /** `host:port`. */
  readonly server: string;
  readonly host: string;
  readonly port: number;
  readonly state: 'preferred' | 'cooling-down' | 'distrusted';
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
  /** Clock readings in milliseconds (the pool's clock; `Date.now` by default). */
  readonly lastFailureAt: number | null;
  readonly lastSuccessAt: number | null;
  readonly distrustedUntil: number | null;
  /** Exponentially weighted reply latency, or null before the first reply. */
  readonly latencyMs: number | null;
  readonly queries: number;
  readonly failures: number;
  /** Times this upstream was caught giving a wrong answer. */
  readonly lies: number;
}

/** Mutable health record of one upstream. */
export class ResolverHealth {
  consecutiveFailures = 0;
  lastError: string | null = null;
  lastFailureAt: number | null = null;
  lastSuccessAt: number | null = null;
  distrustedUntil: number | null = null;
  latencyMs: number | null = null;
  queries = 0;
  failures = 0;
  lies = 0;

  constructor(
    readonly server: DnsServer,
    /** Position in the configuration (stable tie-breaker). */
    readonly index: number,
  ) {}

  get label(): string {
    return formatServer(this.server);
  }

  recordQuery(): void {
    this.queries++;
  }

  /** A reply arrived after `rttMs`, whatever it said. */
  recordLatency(rttMs: number): void {
    if (!Number.isFinite(rttMs) || rttMs < 0) return;
    this.latencyMs =
      this.latencyMs === null ? rttMs : EWMA_ALPHA * rttMs + (1 - EWMA_ALPHA) * this.latencyMs;
  }

  recordSuccess(now: number): void {
    this.consecutiveFailures = 0;
    this.lastSuccessAt = now;
  }

  recordFailure(now: number, reason: string): void {
    this.consecutiveFailures++;
    this.failures++;
    this.lastFailureAt = now;
    this.lastError = reason;
  }

  /** A wrong answer: a failure that also moves the upstream to the distrusted tier. */
  recordLie(now: number, reason: string, policy: HealthPolicy): void {
    this.recordFailure(now, reason);
    this.lies++;
    this.distrustedUntil = now + policy.distrustMs;
  }

  tier(now: number, policy: HealthPolicy): 0 | 1 | 2 {
    if (this.distrustedUntil !== null && now < this.distrustedUntil) return 2;
    if (this.consecutiveFailures < policy.failureThreshold) return 0;
    if (this.lastFailureAt === null || now - this.lastFailureAt >= policy.cooldownMs) return 0;
    return 1;
  }

  private latencyBucket(): number {
    if (this.latencyMs === null) return 0;
    return Math.floor(Math.log2(1 + this.latencyMs / LATENCY_QUANTUM_MS));
  }

  snapshot(now: number, policy: HealthPolicy): ResolverStatus {
    const tier = this.tier(now, policy);
    return {
      server: this.label,
      host: this.server.host,
      port: this.server.port,
      state: tier === 0 ? 'preferred' : tier === 1 ? 'cooling-down' : 'distrusted',
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      lastFailureAt: this.lastFailureAt,
      lastSuccessAt: this.lastSuccessAt,
      distrustedUntil: tier === 2 ? this.distrustedUntil : null,
      latencyMs: this.latencyMs === null ? null : Math.round(this.latencyMs * 1000) / 1000,
      queries: this.queries,
      failures: this.failures,
      lies: this.lies,
    };
  }

  /** Sort key within a tier; see the module comment. */
  static compare(a: ResolverHealth, b: ResolverHealth, now: number, policy: HealthPolicy): number {
    const ta = a.tier(now, policy);
    const tb = b.tier(now, policy);
    if (ta !== tb) return ta - tb;
    if (ta === 0) {
      const la = a.latencyBucket();
      const lb = b.latencyBucket();
      if (la !== lb) return la - lb;
    } else if (ta === 1) {
      const d = (a.lastFailureAt ?? 0) - (b.lastFailureAt ?? 0);
      if (d !== 0) return d;
    } else {
      const d = (a.distrustedUntil ?? 0) - (b.distrustedUntil ?? 0);
      if (d !== 0) return d;
    }
    return a.index - b.index;
  }
}

/** The order to try `healths` in at time `now`. */
export function orderByHealth(
  healths: readonly ResolverHealth[],
  now: number,
  policy: HealthPolicy,
): ResolverHealth[] {
  return [...healths].sort((a, b) => ResolverHealth.compare(a, b, now, policy));
}
