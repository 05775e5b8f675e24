/**
 * The sqlite record store as a sync source (node spec §3.1, §4.6): digest
 * pages in strict (stored_ts, name, value_hash) order after a cursor,
 * unexpired rows only, served from the sync-order index; live rows by name.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MEMORY_PATH, openNodeDatabase } from '../../../src/node/store/sqlite/database.js';
import { SqliteRecordStore } from '../../../src/node/store/sqlite/record-store.js';
import type { SyncCursor, SyncRow } from '../../../src/node/store/types.js';
import { compareCursors } from '../../../src/node/sync/cursor.js';

const T0 = 1_700_000_000;
const sha = (v: string) => createHash('sha256').update(v, 'utf8').digest('hex');

let close: (() => void) | undefined;
afterEach(() => {
  close?.();
  close = undefined;
});

function open(clockMs: () => number) {
  const db = openNodeDatabase(MEMORY_PATH);
  const store = new SqliteRecordStore(db, { clockMs, readCache: false });
  close = () => {
    store.close();
    db.close();
  };
  return { db, store };
}

const cursorOf = (r: SyncRow): SyncCursor => ({
  ts: BigInt(r.storedTs),
  name: r.name,
  hash: r.valueHash,
});

describe('digestAfter', () => {
  it('pages through every live row once, in strict tuple order, skipping expired rows', () => {
    let ms = 1_000;
    const { store } = open(() => ms);
    // Same millisecond for a whole batch: ties broken by name, then hash.
    store.apply(
      [
        { kind: 'add', name: 'b.mesh.test', value: 'v1', ttl: 100 },
        { kind: 'add', name: 'a.mesh.test', value: 'v2', ttl: 100 },
        { kind: 'add', name: 'a.mesh.test', value: 'v3', ttl: 100 },
        { kind: 'add', name: 'gone.mesh.test', value: 'old', ttl: 1 },
      ],
      T0,
    );
    ms = 2_000;
    store.publish('c.mesh.test', 'v4', 100, T0);
    const all: SyncRow[] = [];
    let cursor: SyncCursor = { ts: 0n, name: '', hash: '' };
    for (let i = 0; i < 10; i++) {
      const page = store.digestAfter(cursor, 2, T0 + 5);
      if (page.length === 0) break;
      all.push(...page);
      cursor = cursorOf(page.at(-1)!);
    }
    expect(all.map((r) => r.name)).toEqual([
      'a.mesh.test',
      'a.mesh.test',
      'b.mesh.test',
      'c.mesh.test',
    ]);
    expect(all.map((r) => r.valueHash).slice(0, 2)).toEqual([sha('v2'), sha('v3')].sort());
    for (let i = 1; i < all.length; i++) {
      expect(compareCursors(cursorOf(all[i - 1]!), cursorOf(all[i]!))).toBeLessThan(0);
    }
    expect(all[3]!.storedTs).toBe(2_000);
    expect(all[3]!.expiresAt).toBe(T0 + 100);
  });

  it('treats a cursor beyond any 64-bit timestamp as the end', () => {
    const { store } = open(() => 5);
    store.publish('a.mesh.test', 'v', 100, T0);
    expect(store.digestAfter({ ts: 2n ** 70n, name: '', hash: '' }, 10, T0)).toEqual([]);
  });

  it('uses the (stored_ts, name, value_hash) index', () => {
    const { db } = open(() => 5);
    const plan = db.connection
      .prepare(
        `EXPLAIN QUERY PLAN SELECT name, value_hash, stored_ts, expires_at FROM records
         WHERE (stored_ts, name, value_hash) > (?, ?, ?) AND expires_at > ?
         ORDER BY stored_ts, name, value_hash LIMIT ?`,
      )
      .all(0, '', '', 0, 10) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('records_sync_order');
  });

  it('matches a sort of the table for any rows and cursor (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ms: fc.integer({ min: 0, max: 3 }),
            name: fc.constantFrom('a.x', 'b.x', 'é.x', 'A.x'),
            value: fc.string({ maxLength: 3 }),
          }),
          { maxLength: 12 },
        ),
        fc.record({
          ts: fc.bigInt({ min: 0n, max: 4n }),
          name: fc.constantFrom('', 'a.x', 'b.x', '\u00ff'),
          hash: fc.constantFrom('', sha('x'), 'g'),
        }),
        (rows, cursor) => {
          let ms = 0;
          const { store } = open(() => ms);
          for (const r of rows) {
            ms = r.ms;
            store.publish(r.name, r.value, 100, T0);
          }
          const everything = store.digestAfter({ ts: 0n, name: '', hash: '' }, 1000, T0);
          const expected = everything
            .filter((r) => compareCursors(cursorOf(r), cursor) > 0)
            .map(cursorOf);
          const got = store.digestAfter(cursor, 1000, T0).map(cursorOf);
          close?.();
          close = undefined;
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('liveRowsAt', () => {
  it('returns every live value at the names, in sync order, nothing else', () => {
    let ms = 10;
    const { store } = open(() => ms);
    store.publish('a.mesh.test', 'one', 100, T0);
    ms = 20;
    store.publish('a.mesh.test', 'two', 100, T0);
    store.publish('b.mesh.test', 'other', 100, T0);
    store.publish('a.mesh.test', 'expired', 1, T0 - 10);
    const rows = store.liveRowsAt(['a.mesh.test', 'missing.mesh.test'], T0);
    expect(rows.map((r) => [r.name, r.value, r.valueHash, r.storedTs])).toEqual([
      ['a.mesh.test', 'one', sha('one'), 10],
      ['a.mesh.test', 'two', sha('two'), 20],
    ]);
    expect(store.liveRowsAt([], T0)).toEqual([]);
  });
});
