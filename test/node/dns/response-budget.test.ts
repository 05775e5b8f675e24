import { describe, expect, it } from 'vitest';
import {
  MIN_BURST_BYTES,
  type ResponseBudgetOptions,
  ResponseByteBudget,
} from '../../../src/node/dns/response-budget.js';
import { RrlAction } from '../../../src/node/dns/rrl.js';

const { Send, Slip, Drop } = RrlAction;

/** A budget on a hand-driven clock. */
function budget(options: Partial<ResponseBudgetOptions> = {}) {
  let now = 1_000_000;
  const b = new ResponseByteBudget({ bytesPerSecond: 10_000, now: () => now, ...options });
  return {
    b,
    advance: (ms: number) => {
      now += ms;
    },
    burst: (n: number, bytes: number, address = '192.0.2.1') =>
      Array.from({ length: n }, () => b.account(address, bytes)),
  };
}

const count = (actions: RrlAction[], what: RrlAction) => actions.filter((a) => a === what).length;

describe('per-network response byte budget', () => {
  it('sends up to the burst in bytes, then alternates drop and slip (slip 2)', () => {
    const { burst } = budget();
    // 10,000 B of credit: ten 1,000-byte replies, then limited.
    expect(burst(14, 1000)).toEqual([...Array(10).fill(Send), Drop, Slip, Drop, Slip]);
  });

  it('counts bytes, not replies: small replies go further', () => {
    const { burst } = budget();
    expect(count(burst(200, 100), Send)).toBe(100);
  });

  it('lets exactly the rate through a sustained flood; slips are not charged', () => {
    const { b, burst, advance } = budget({ slip: 1 });
    let sentBytes = 0;
    for (let s = 0; s < 10; s++) {
      sentBytes += count(burst(100, 1000), Send) * 1000; // 100 kB/s against 10 kB/s
      advance(1000);
    }
    // The burst plus nine refills of one second.
    expect(sentBytes).toBe(10_000 + 9 * 10_000);
    expect(b.counters.sentBytes).toBe(sentBytes);
    expect(b.counters.slipped).toBe(1000 - sentBytes / 1000);
    expect(b.counters.dropped).toBe(0);
  });

  it('groups every reply of a /24 or /56, whatever the address inside it', () => {
    const { b, burst } = budget();
    burst(10, 1000, '192.0.2.1');
    expect(b.account('192.0.2.200', 1000)).not.toBe(Send);
    expect(b.account('::ffff:192.0.2.9', 1000)).not.toBe(Send);
    expect(b.account('192.0.3.1', 1000)).toBe(Send);
    burst(10, 1000, '2001:db8:0:1::1');
    expect(b.account('2001:db8:0:ff::2', 1000)).not.toBe(Send);
    expect(b.account('2001:db8:0:100::1', 1000)).toBe(Send);
  });

  it('has a burst of at least one full UDP reply', () => {
    const { b, burst } = budget({ bytesPerSecond: 100 });
    expect(b.burstBytes).toBe(MIN_BURST_BYTES);
    expect(burst(2, 1232)).toEqual([Send, Drop]);
  });

  it('is off at a rate ≤ 0 and refuses nonsense options', () => {
    const { b, burst } = budget({ bytesPerSecond: 0 });
    expect(b.enabled).toBe(false);
    expect(count(burst(1000, 1232), Send)).toBe(1000);
    expect(() => new ResponseByteBudget({ bytesPerSecond: Number.NaN })).toThrow(RangeError);
    expect(() => new ResponseByteBudget({ bytesPerSecond: 1, slip: 11 })).toThrow(RangeError);
    expect(() => new ResponseByteBudget({ bytesPerSecond: 1, burstBytes: -1 })).toThrow(RangeError);
  });

  it('forcing evictions does not refill a network: new buckets under pressure start low', () => {
    // One probe window: every network competes for the same 8 slots.
    const { b, burst, advance } = budget({ tableSize: 8 });
    expect(count(burst(50, 1000, '198.51.100.1'), Send)).toBe(10);
    for (let round = 0; round < 3; round++) {
      advance(1);
      for (let i = 0; i < 8; i++) b.account(`10.0.${round * 8 + i}.1`, 1000);
      // Evicted while live; its new bucket holds one full reply, not 10 kB.
      expect(count(burst(10, 1000, '198.51.100.1'), Send)).toBe(1);
    }
    expect(b.counters.pressuredStarts).toBeGreaterThan(3);
  });

  it('a calm table starts new buckets full, even when it is full of idle ones', () => {
    const { b, burst, advance } = budget({ tableSize: 8 });
    for (let i = 0; i < 8; i++) b.account(`10.0.${i}.1`, 1000);
    advance(5_000); // every bucket has earned its credit back: idle
    const pressured = b.counters.pressuredStarts;
    expect(count(burst(20, 1000, '198.51.100.1'), Send)).toBe(10);
    expect(b.counters.evicted).toBe(1);
    expect(b.counters.pressuredStarts).toBe(pressured);
  });

  it('a half-full probe window counts as pressure', () => {
    const { b, burst } = budget({ tableSize: 8 });
    // Five live networks in the only window: more than half of 8 slots.
    for (let i = 0; i < 5; i++) b.account(`10.0.${i}.1`, 1000);
    expect(count(burst(20, 1000, '198.51.100.1'), Send)).toBe(1);
    expect(b.counters.evicted).toBe(0);
  });
});
