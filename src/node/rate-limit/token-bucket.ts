/**
 * Token-bucket rate limiting keyed by string (node spec §1.7): the per-IP
 * limiters of the HTTP API and the DNS server, the registration limiter
 * (§4.5) and the per-token buckets of the records API (§4.2).
 *
 * Each key owns a bucket of capacity `burst` that refills at `ratePerSecond`
 * tokens per second on a monotonic clock and starts full; a request spends
 * `cost` (default 1). A limit with `ratePerSecond ≤ 0` or `burst ≤ 0` is
 * disabled and lets everything through. At most `maxKeys` buckets are kept;
 * the least recently used one is forgotten first, so a flood of distinct
 * source addresses costs bounded memory (a forgotten key simply starts full
 * again).
 */

/** Refill rate and capacity of a bucket. */
export interface RateLimit {
  /** Tokens added per second (≤ 0 disables the limit). */
  readonly ratePerSecond: number;
  /** Bucket capacity, also its starting level (≤ 0 disables the limit). */
  readonly burst: number;
}

/** Seconds on a clock that never goes backwards (wall-clock jumps must not refill or drain buckets). */
export type MonotonicClock = () => number;

/** `performance.now()` in seconds. */
export const monotonicSeconds: MonotonicClock = () => performance.now() / 1000;

/** Default bound on tracked keys (spec §1.7). */
export const DEFAULT_MAX_KEYS = 10_000;

/** True when `limit` actually limits anything. */
export function rateLimitEnabled(limit: RateLimit): boolean {
  return limit.ratePerSecond > 0 && limit.burst > 0;
}

interface Bucket {
  tokens: number;
  last: number;
}

/** Options shared by {@link TokenBuckets} and {@link TokenBucketLimiter}. */
export interface TokenBucketOptions {
  /** Most buckets kept at once (default {@link DEFAULT_MAX_KEYS}); must be ≥ 1. */
  readonly maxKeys?: number;
  /** Monotonic time source in seconds (default {@link monotonicSeconds}). */
  readonly clock?: MonotonicClock;
}

/**
 * Buckets whose limit is chosen per call — used where every key carries its
 * own rate, such as bearer tokens with their stored `rate_per_sec` / `rate_burst`.
 */
export class TokenBuckets {
  // A Map iterates in insertion order; re-inserting on every touch keeps the
  // least recently used key first, which makes eviction O(1).
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly clock: MonotonicClock;

  constructor(options: TokenBucketOptions = {}) {
    const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new RangeError(`maxKeys must be a positive integer, got ${maxKeys}`);
    }
    this.maxKeys = maxKeys;
    this.clock = options.clock ?? monotonicSeconds;
  }

  /**
   * Spends `cost` tokens from `key`'s bucket under `limit`; false (and
   * nothing spent) when the bucket holds less. A disabled limit always
   * allows and tracks nothing.
   */
  take(key: string, limit: RateLimit, cost = 1): boolean {
    if (!rateLimitEnabled(limit)) return true;
    const now = this.clock();
    const bucket = this.buckets.get(key);
    let tokens: number;
    if (bucket === undefined) {
      tokens = limit.burst;
    } else {
      // A clock that stalls or steps back must never mint tokens.
      const elapsed = Math.max(0, now - bucket.last);
      tokens = Math.min(limit.burst, bucket.tokens + elapsed * limit.ratePerSecond);
      this.buckets.delete(key);
    }
    const allowed = tokens >= cost;
    // The refilled level is stored even on refusal, so rapid retries do not
    // refill again from an old timestamp.
    this.buckets.set(key, { tokens: allowed ? tokens - cost : tokens, last: now });
    this.evictOverflow();
    return allowed;
  }

  /** Drops `key`'s bucket (e.g. when its token is revoked). */
  forget(key: string): void {
    this.buckets.delete(key);
  }

  /** Number of buckets currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private evictOverflow(): void {
    while (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (oldest.done) return;
      this.buckets.delete(oldest.value);
    }
  }
}

/** A limiter with one fixed {@link RateLimit} for every key (per-IP limiting). */
export class TokenBucketLimiter {
  /** False when the configured limit is disabled (every request allowed). */
  readonly enabled: boolean;
  private readonly buckets: TokenBuckets;

  constructor(
    readonly limit: RateLimit,
    options: TokenBucketOptions = {},
  ) {
    this.enabled = rateLimitEnabled(limit);
    this.buckets = new TokenBuckets(options);
  }

  /** Spends `cost` tokens (default 1) from `key`'s bucket; false when over budget. */
  allow(key: string, cost = 1): boolean {
    return this.buckets.take(key, this.limit, cost);
  }

  /** Number of keys currently tracked. */
  get size(): number {
    return this.buckets.size;
  }
}
