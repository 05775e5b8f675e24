import { describe, expect, it } from 'vitest';
import type { ResponseKind } from '../../../src/node/dns/responder.js';
import { ResponseRateLimiter, RrlAction, type RrlOptions } from '../../../src/node/dns/rrl.js';

const { Send, Slip, Drop } = RrlAction;

/** A limiter on a hand-driven clock. */
function limiter(options: Partial<RrlOptions> = {}) {
  let now = 1_000_000;
  const rrl = new ResponseRateLimiter({ responsesPerSecond: 5, now: () => now, ...options });
  return {
    rrl,
    advance: (ms: number) => {
      now += ms;
    },
    burst: (n: number, address = '192.0.2.1', kind: ResponseKind = 'answer', qname = 'a.mesh') =>
      Array.from({ length: n }, () => rrl.account(address, kind, qname)),
  };
}

const count = (actions: RrlAction[], what: RrlAction) => actions.filter((a) => a === what).length;

describe('response-rate limiting', () => {
  it('sends up to the rate, then alternates drop and slip (slip 2)', () => {
    const { burst } = limiter();
    expect(burst(11)).toEqual([Send, Send, Send, Send, Send, Drop, Slip, Drop, Slip, Drop, Slip]);
  });

  it('slip 1 truncates every limited response, slip 0 drops them all', () => {
    expect(limiter({ slip: 1 }).burst(8).slice(5)).toEqual([Slip, Slip, Slip]);
    expect(limiter({ slip: 0 }).burst(8).slice(5)).toEqual([Drop, Drop, Drop]);
    expect(count(limiter({ slip: 3 }).burst(11).slice(5), Slip)).toBe(2);
  });

  it('refills credit over time up to one second worth', () => {
    const { burst, advance } = limiter({ windowSeconds: 0 });
    burst(5);
    advance(400); // 2 credits
    expect(burst(3)).toEqual([Send, Send, Drop]);
    advance(60_000); // capped at the rate
    expect(count(burst(10), Send)).toBe(5);
  });

  it('keeps a sustained flood limited and recovers within the window after it stops', () => {
    const { burst, advance } = limiter({ windowSeconds: 2 });
    let sent = 0;
    for (let s = 0; s < 10; s++) {
      sent += count(burst(50), Send); // 50/s against a rate of 5/s
      advance(1000);
    }
    expect(sent).toBe(5); // only the initial credit: debt absorbs all refills
    advance(2000); // window: debt of 2 s × rate is repaid
    expect(burst(1)).toEqual([Send]);
  });

  it('window 0 lets the rate through a flood (plain token bucket)', () => {
    const { burst, advance } = limiter({ windowSeconds: 0 });
    let sent = 0;
    for (let s = 0; s < 10; s++) {
      advance(1000);
      sent += count(burst(50), Send);
    }
    expect(sent).toBe(50);
  });

  it('groups clients by /24 and /56 networks; IPv4-mapped counts as IPv4', () => {
    const { rrl, burst } = limiter();
    burst(5, '192.0.2.1');
    expect(rrl.account('192.0.2.250', 'answer', 'a.mesh')).not.toBe(Send);
    expect(rrl.account('::ffff:192.0.2.7', 'answer', 'a.mesh')).not.toBe(Send);
    expect(rrl.account('192.0.3.1', 'answer', 'a.mesh')).toBe(Send);
    burst(5, '2001:db8:0:1::1');
    expect(rrl.account('2001:db8:0:ff:ffff::1', 'answer', 'a.mesh')).not.toBe(Send);
    expect(rrl.account('2001:db8:0:100::1', 'answer', 'a.mesh')).toBe(Send);
  });

  it('separates answers by name, but groups NXDOMAINs of a network', () => {
    const { rrl, burst } = limiter();
    burst(5, '192.0.2.1', 'answer', 'a.mesh');
    expect(rrl.account('192.0.2.1', 'answer', 'b.mesh')).toBe(Send);
    expect(rrl.account('192.0.2.1', 'nodata', 'a.mesh')).toBe(Send); // another kind
    for (let i = 0; i < 5; i++)
      expect(rrl.account('192.0.2.1', 'nxdomain', `r${i}.mesh`)).toBe(Send);
    expect(rrl.account('192.0.2.1', 'nxdomain', 'r-new.mesh')).not.toBe(Send);
  });

  it('has separate NXDOMAIN and error rates; a rate ≤ 0 is unlimited', () => {
    const { burst } = limiter({ nxdomainsPerSecond: 2, errorsPerSecond: 0 });
    expect(count(burst(10, '192.0.2.1', 'nxdomain'), Send)).toBe(2);
    expect(count(burst(100, '192.0.2.1', 'error'), Send)).toBe(100);
    expect(count(burst(100, '192.0.2.1', 'refused'), Send)).toBe(100);
    expect(count(burst(10, '192.0.2.1', 'answer'), Send)).toBe(5);
  });

  it('is disabled when every rate is ≤ 0', () => {
    const { rrl, burst } = limiter({ responsesPerSecond: 0 });
    expect(rrl.enabled).toBe(false);
    expect(count(burst(1000), Send)).toBe(1000);
    expect(limiter({ responsesPerSecond: -1, nxdomainsPerSecond: 3 }).rrl.enabled).toBe(true);
  });

  it('stays within its table, evicting the least recently used bucket', () => {
    const { rrl, burst, advance } = limiter({ tableSize: 16 });
    // The victim keeps being limited while 5000 other networks pass through.
    burst(5, '198.51.100.1');
    let victimSent = 0;
    for (let i = 0; i < 5000; i++) {
      rrl.account(`10.${i >> 8}.${i & 255}.1`, 'answer', 'x.mesh');
      if (i % 10 === 0) victimSent += count(burst(1, '198.51.100.1'), Send);
      advance(1);
    }
    expect(rrl.counters.evicted).toBeGreaterThan(4000);
    // An evicted bucket comes back under pressure with one response's
    // credit, so the victim gets some answers, but nowhere near all 500.
    expect(victimSent).toBeLessThan(100);
    expect(rrl.pressuredStarts).toBeGreaterThan(4000);
  });

  it('forcing evictions does not reset a limited bucket to full credit', () => {
    // Table of one probe window: every key competes for the same 8 slots.
    const { rrl, burst, advance } = limiter({ tableSize: 8 });
    expect(count(burst(20, '198.51.100.1'), Send)).toBe(5);
    for (let round = 0; round < 3; round++) {
      advance(1);
      // Eight other networks, live, push the victim's bucket out …
      for (let i = 0; i < 8; i++) rrl.account(`10.0.${round * 8 + i}.1`, 'answer', 'x.mesh');
      // … and its new bucket starts with one response, not five.
      expect(count(burst(5, '198.51.100.1'), Send)).toBe(1);
    }
    expect(rrl.counters.evicted).toBe(20);
  });

  it('a calm table gives new buckets full credit, even when full of idle ones', () => {
    const { rrl, burst, advance } = limiter({ tableSize: 8 });
    for (let i = 0; i < 8; i++) rrl.account(`10.0.${i}.1`, 'answer', 'x.mesh');
    advance(10_000); // every bucket has earned its credit back: idle
    const pressured = rrl.pressuredStarts;
    expect(count(burst(10, '198.51.100.1'), Send)).toBe(5);
    expect(rrl.counters.evicted).toBe(1);
    expect(rrl.pressuredStarts).toBe(pressured);
  });

  it('counts what it decided', () => {
    const { rrl, burst } = limiter();
    burst(11);
    expect(rrl.counters).toEqual({ sent: 5, slipped: 3, dropped: 3, evicted: 0 });
  });

  it('rejects nonsense options', () => {
    expect(() => new ResponseRateLimiter({ responsesPerSecond: Number.NaN })).toThrow(RangeError);
    expect(() => new ResponseRateLimiter({ responsesPerSecond: 1, slip: -1 })).toThrow(RangeError);
    expect(() => new ResponseRateLimiter({ responsesPerSecond: 1, ipv6PrefixLength: 65 })).toThrow(
      RangeError,
    );
  });
});
