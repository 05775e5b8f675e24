/** Token-bucket limiter: burst, refill on the injected clock, disabled limits, LRU bound. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  rateLimitEnabled,
  TokenBucketLimiter,
  TokenBuckets,
} from '../../../src/node/rate-limit/token-bucket.js';

function manualClock(start = 100) {
  let t = start;
  return { clock: () => t, advance: (s: number) => (t += s), set: (s: number) => (t = s) };
}

describe('TokenBucketLimiter', () => {
  it('allows exactly `burst` requests at once, then refuses', () => {
    const c = manualClock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 5 }, { clock: c.clock });
    const results = Array.from({ length: 7 }, () => limiter.allow('1.2.3.4'));
    expect(results).toEqual([true, true, true, true, true, false, false]);
  });

  it('refills at `ratePerSecond`, never above `burst`', () => {
    const c = manualClock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 2, burst: 3 }, { clock: c.clock });
    for (let i = 0; i < 3; i++) expect(limiter.allow('k')).toBe(true);
    expect(limiter.allow('k')).toBe(false);
    c.advance(0.49);
    expect(limiter.allow('k')).toBe(false);
    c.advance(0.02); // 0.51 s → 1.02 tokens
    expect(limiter.allow('k')).toBe(true);
    expect(limiter.allow('k')).toBe(false);
    c.advance(1000);
    const after = Array.from({ length: 4 }, () => limiter.allow('k'));
    expect(after).toEqual([true, true, true, false]);
  });

  it('keeps keys independent', () => {
    const c = manualClock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 1 }, { clock: c.clock });
    expect(limiter.allow('a')).toBe(true);
    expect(limiter.allow('a')).toBe(false);
    expect(limiter.allow('b')).toBe(true);
  });

  it('does not mint tokens when the clock steps back', () => {
    const c = manualClock(1000);
    const limiter = new TokenBucketLimiter({ ratePerSecond: 10, burst: 1 }, { clock: c.clock });
    expect(limiter.allow('k')).toBe(true);
    c.set(0);
    expect(limiter.allow('k')).toBe(false);
  });

  it('charges `cost` tokens', () => {
    const c = manualClock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 5 }, { clock: c.clock });
    expect(limiter.allow('k', 3)).toBe(true);
    expect(limiter.allow('k', 3)).toBe(false);
    expect(limiter.allow('k', 2)).toBe(true);
  });

  it.each([
    [0, 10],
    [10, 0],
    [-1, 5],
    [5, -1],
  ])('is disabled with rate %d and burst %d', (ratePerSecond, burst) => {
    const limiter = new TokenBucketLimiter({ ratePerSecond, burst });
    expect(limiter.enabled).toBe(false);
    expect(rateLimitEnabled({ ratePerSecond, burst })).toBe(false);
    for (let i = 0; i < 1000; i++) expect(limiter.allow('k')).toBe(true);
    expect(limiter.size).toBe(0);
  });

  it('tracks at most `maxKeys`, forgetting the least recently used key first', () => {
    const c = manualClock();
    const limiter = new TokenBucketLimiter(
      { ratePerSecond: 0.001, burst: 1 },
      { clock: c.clock, maxKeys: 3 },
    );
    for (const k of ['a', 'b', 'c']) expect(limiter.allow(k)).toBe(true);
    expect(limiter.allow('a')).toBe(false); // touches 'a': 'b' is now the oldest
    expect(limiter.allow('d')).toBe(true); // evicts 'b'
    expect(limiter.size).toBe(3);
    expect(limiter.allow('b')).toBe(true); // forgotten → full again; evicts 'c'
    expect(limiter.allow('a')).toBe(false); // 'a' survived both evictions
    expect(limiter.allow('c')).toBe(true);
  });

  it('defaults to 10,000 tracked keys', () => {
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 1 }, { clock: () => 0 });
    for (let i = 0; i < 10_050; i++) limiter.allow(`ip-${i}`);
    expect(limiter.size).toBe(10_000);
  });

  it('rejects a non-positive key bound', () => {
    expect(() => new TokenBucketLimiter({ ratePerSecond: 1, burst: 1 }, { maxKeys: 0 })).toThrow(
      RangeError,
    );
  });

  it('never allows more than burst + rate × elapsed (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { maxLength: 200 }),
        (rate, burst, gaps) => {
          const c = manualClock(0);
          const limiter = new TokenBucketLimiter(
            { ratePerSecond: rate, burst },
            { clock: c.clock },
          );
          let allowed = 0;
          for (const gap of gaps) {
            c.advance(gap);
            if (limiter.allow('k')) allowed++;
          }
          const elapsed = gaps.reduce((a, b) => a + b, 0);
          expect(allowed).toBeLessThanOrEqual(burst + rate * elapsed + 1e-6);
        },
      ),
    );
  });
});

describe('TokenBuckets (per-call limits)', () => {
  it('applies the limit given with each call, per key', () => {
    const c = manualClock();
    const buckets = new TokenBuckets({ clock: c.clock });
    const tight = { ratePerSecond: 1, burst: 1 };
    const loose = { ratePerSecond: 1, burst: 3 };
    expect(buckets.take('t1', tight)).toBe(true);
    expect(buckets.take('t1', tight)).toBe(false);
    expect([1, 2, 3, 4].map(() => buckets.take('t2', loose))).toEqual([true, true, true, false]);
    buckets.forget('t1');
    expect(buckets.take('t1', tight)).toBe(true);
  });
});
