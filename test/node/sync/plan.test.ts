/**
 * The anti-entropy page rules (node spec §5.4 steps 3–6): digest entry
 * validation, the pull / handled / TTL-refresh decision, and the watermark
 * that never moves backwards and only over the contiguous handled prefix.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SyncCursor } from '../../../src/node/store/types.js';
import { CURSOR_START, compareCursors } from '../../../src/node/sync/cursor.js';
import {
  advanceWatermark,
  CLOCK_SKEW_MS,
  cursorOfEntry,
  type DigestEntry,
  pageEntries,
  pairKey,
  planPage,
  validDigestEntry,
} from '../../../src/node/sync/plan.js';

const NOW = 1_900_000_000_000;
const H = (c: string) => c.repeat(64);
const entry = (name: string, hash: string, ts: number, ttl = 100): DigestEntry => ({
  name,
  hash,
  ts,
  ttl,
});

describe('validDigestEntry', () => {
  it('accepts the reference shape', () => {
    expect(validDigestEntry({ name: 'a.mesh.test', hash: H('a'), ts: 5, ttl: 0 }, NOW)).toEqual(
      entry('a.mesh.test', H('a'), 5, 0),
    );
    expect(
      validDigestEntry(
        { name: 'A_b-c.x', hash: H('0'), ts: NOW + CLOCK_SKEW_MS, ttl: 2 ** 31 },
        NOW,
      ),
    ).toBeDefined();
  });

  it.each([
    ['not an object', 'x'],
    ['array', []],
    ['name missing', { hash: H('a'), ts: 1, ttl: 1 }],
    ['name with a space', { name: 'a b', hash: H('a'), ts: 1, ttl: 1 }],
    ['name with a colon', { name: 'a:b', hash: H('a'), ts: 1, ttl: 1 }],
    ['name with non-ASCII', { name: 'é.x', hash: H('a'), ts: 1, ttl: 1 }],
    ['name of 254 chars', { name: 'a'.repeat(254), hash: H('a'), ts: 1, ttl: 1 }],
    ['empty name', { name: '', hash: H('a'), ts: 1, ttl: 1 }],
    ['upper-case hash', { name: 'a', hash: H('A'), ts: 1, ttl: 1 }],
    ['short hash', { name: 'a', hash: 'ab', ts: 1, ttl: 1 }],
    ['ts a string', { name: 'a', hash: H('a'), ts: '1', ttl: 1 }],
    ['ts a bool', { name: 'a', hash: H('a'), ts: true, ttl: 1 }],
    ['ts a fraction', { name: 'a', hash: H('a'), ts: 1.5, ttl: 1 }],
    ['ts negative', { name: 'a', hash: H('a'), ts: -1, ttl: 1 }],
    ['ts too far ahead', { name: 'a', hash: H('a'), ts: NOW + CLOCK_SKEW_MS + 1, ttl: 1 }],
    ['ttl missing', { name: 'a', hash: H('a'), ts: 1 }],
    ['ttl negative', { name: 'a', hash: H('a'), ts: 1, ttl: -1 }],
    ['ttl above 2^31', { name: 'a', hash: H('a'), ts: 1, ttl: 2 ** 31 + 1 }],
  ])('refuses %s', (_what, raw) => {
    expect(validDigestEntry(raw, NOW)).toBeUndefined();
  });
});

describe('pageEntries', () => {
  it('drops malformed, out-of-order and not-after-cursor entries, and reads at most max', () => {
    const cursor: SyncCursor = { ts: 10n, name: 'm', hash: '' };
    const raw = [
      { name: 'a', hash: H('a'), ts: 9, ttl: 1 }, // before the cursor
      { name: 'z', hash: H('a'), ts: 11, ttl: 1 },
      { name: 'bad name', hash: H('a'), ts: 12, ttl: 1 },
      { name: 'b', hash: H('a'), ts: 11, ttl: 1 }, // not after the previous entry
      { name: 'c', hash: H('b'), ts: 12, ttl: 1 },
      { name: 'd', hash: H('b'), ts: 13, ttl: 1 }, // beyond max
    ];
    const { entries, dropped } = pageEntries(raw, cursor, NOW, 5);
    expect(entries.map((e) => e.name)).toEqual(['z', 'c']);
    expect(dropped).toBe(4);
  });
});

describe('planPage', () => {
  it('pulls what is missing, skips what is held, pulls a TTL refresh beyond the slop', () => {
    const entries = [
      entry('new.x', H('1'), 1, 100),
      entry('held.x', H('2'), 2, 104),
      entry('refresh.x', H('3'), 3, 106),
      entry('zero.x', H('4'), 4, 0),
      entry('other.x', H('5'), 5, 10),
      entry('new.x', H('1'), 6, 100), // duplicate pair
    ];
    const local = new Map([
      ['held.x', new Map([[H('2'), 99]])],
      ['refresh.x', new Map([[H('3'), 100]])],
      ['zero.x', new Map([[H('4'), 50]])],
      ['other.x', new Map([[H('6'), 500]])],
    ]);
    const plan = planPage(entries, local);
    expect(plan.toPull).toEqual([
      { name: 'new.x', hash: H('1') },
      { name: 'refresh.x', hash: H('3') },
      { name: 'other.x', hash: H('5') },
    ]);
    expect([...plan.handled]).toEqual([pairKey('held.x', H('2')), pairKey('zero.x', H('4'))]);
  });
});

describe('advanceWatermark', () => {
  const entries = [
    entry('a', H('1'), 1),
    entry('b', H('2'), 2),
    entry('c', H('3'), 3),
    entry('d', H('4'), 4),
  ];

  it('moves to the last entry of the contiguous handled prefix', () => {
    const handled = new Set([pairKey('a', H('1')), pairKey('b', H('2')), pairKey('d', H('4'))]);
    expect(advanceWatermark(CURSOR_START, entries, handled)).toEqual(cursorOfEntry(entries[1]!));
  });

  it('stays put when the first entry is not handled, and never moves back', () => {
    const handled = new Set([pairKey('b', H('2'))]);
    expect(advanceWatermark(CURSOR_START, entries, handled)).toBe(CURSOR_START);
    const ahead: SyncCursor = { ts: 100n, name: '', hash: '' };
    const all = new Set(entries.map((e) => pairKey(e.name, e.hash)));
    expect(advanceWatermark(ahead, entries, all)).toBe(ahead);
  });

  it('property: never backwards, never past an unhandled entry', () => {
    const arb = fc.array(
      fc.record({ ts: fc.integer({ min: 0, max: 20 }), name: fc.constantFrom('a', 'b', 'c') }),
      { maxLength: 15 },
    );
    fc.assert(
      fc.property(arb, fc.array(fc.boolean()), fc.integer({ min: 0, max: 20 }), (raw, flags, w) => {
        const start: SyncCursor = { ts: BigInt(w), name: '', hash: '' };
        const list = raw.map((r, i) => entry(r.name, i.toString(16).padStart(64, '0'), r.ts));
        const { entries: page } = pageEntries(list, start, NOW, 1000);
        const handled = new Set(
          page.filter((_, i) => flags[i] ?? true).map((e) => pairKey(e.name, e.hash)),
        );
        const next = advanceWatermark(start, page, handled);
        expect(compareCursors(next, start)).toBeGreaterThanOrEqual(0);
        const firstUnhandled = page.find((e) => !handled.has(pairKey(e.name, e.hash)));
        if (firstUnhandled !== undefined) {
          expect(compareCursors(next, cursorOfEntry(firstUnhandled))).toBeLessThan(0);
        }
      }),
    );
  });
});
