/**
 * SqliteRecordStore: the RecordStore contract on a real file and in memory,
 * with and without the read cache, plus what only the sqlite store
 * promises — stored columns, persistence across reopen, the row bound.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreFullError } from '../../../src/node/store/errors.js';
import {
  MEMORY_PATH,
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/node/store/sqlite/database.js';
import {
  SqliteRecordStore,
  type SqliteRecordStoreOptions,
} from '../../../src/node/store/sqlite/record-store.js';
import { describeRecordStoreContract } from './record-store-contract.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

const T0 = 1_700_000_000;

function harness(where: 'file' | 'memory', options: SqliteRecordStoreOptions) {
  return () => {
    const dir = where === 'file' ? makeTempDir() : undefined;
    const db = openNodeDatabase(dir ? dir.file('node.db') : MEMORY_PATH);
    const store = new SqliteRecordStore(db, options);
    return {
      store,
      dispose: () => {
        store.close();
        db.close();
        dir?.remove();
      },
    };
  };
}

describeRecordStoreContract('sqlite file, read cache', harness('file', { readCache: true }));
describeRecordStoreContract('sqlite file, no cache', harness('file', { readCache: false }));
describeRecordStoreContract('sqlite :memory:, read cache', harness('memory', {}));
describeRecordStoreContract(
  'sqlite :memory:, tiny cache',
  harness('memory', { readCache: { maxNames: 2, maxChars: 64 } }),
);
describeRecordStoreContract(
  'sqlite file, bounded, no cache',
  harness('file', { readCache: false, maxRows: 1000 }),
);

interface RecordRow {
  name: string;
  value: string;
  ttl: number;
  created_at: number;
  expires_at: number;
  stored_ts: number;
  value_hash: string;
}

describe('SqliteRecordStore specifics', () => {
  let dir: TempDir;
  let db: NodeDatabase;
  beforeEach(() => {
    dir = makeTempDir();
    db = openNodeDatabase(dir.file('node.db'));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  const rows = (): RecordRow[] =>
    db.connection.prepare('SELECT * FROM records ORDER BY id').all() as RecordRow[];

  it('stores ttl, created_at, expires_at, stored_ts (ms) and the value hash', () => {
    let clock = 1_700_000_000_123;
    const store = new SqliteRecordStore(db, { clockMs: () => clock });
    store.publish('Slot-1.MB-abc.Example.', 'hello', 300, T0 + 0.9);
    clock += 5000;
    store.publish('other.example', 'héllo', 60, T0 + 10);
    const sha = (s: string) => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');
    expect(rows()).toEqual([
      expect.objectContaining({
        name: 'slot-1.mb-abc.example',
        value: 'hello',
        ttl: 300,
        created_at: T0,
        expires_at: T0 + 300,
        stored_ts: 1_700_000_000_123,
        value_hash: sha('hello'),
      }),
      expect.objectContaining({
        name: 'other.example',
        value_hash: sha('héllo'),
        stored_ts: 1_700_000_005_123,
      }),
    ]);
  });

  it('a re-add rewrites the row: one row, new times, new stored_ts', () => {
    let clock = 1000;
    const store = new SqliteRecordStore(db, { clockMs: () => clock });
    store.publish('a.example', 'v', 10, T0);
    clock = 2000;
    store.publish('A.example.', 'v', 99, T0 + 7);
    const all = rows();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      ttl: 99,
      created_at: T0 + 7,
      expires_at: T0 + 106,
      stored_ts: 2000,
    });
  });

  it('keeps records across close and reopen of the file', () => {
    const store = new SqliteRecordStore(db);
    store.publish('a.example', 'one', 300, T0);
    store.publish('a.example', 'two', 300, T0);
    store.close();
    db.close();
    db = openNodeDatabase(dir.file('node.db'));
    const reopened = new SqliteRecordStore(db);
    expect(reopened.query('a.example', T0 + 1)).toEqual(['one', 'two']);
  });

  it('a cached answer is never served at or past the earliest expiry', () => {
    const store = new SqliteRecordStore(db, { readCache: true });
    store.publish('a.example', 'short', 5, T0);
    store.publish('a.example', 'long', 50, T0);
    expect(store.query('a.example', T0)).toEqual(['short', 'long']);
    expect(store.query('a.example', T0 + 4)).toEqual(['short', 'long']);
    expect(store.query('a.example', T0 + 5)).toEqual(['long']);
    expect(store.query('a.example', T0 + 49)).toEqual(['long']);
    expect(store.query('a.example', T0 + 50)).toEqual([]);
  });

  describe('maxRows', () => {
    it('refuses a new row beyond the bound with StoreFullError and rolls the batch back', () => {
      const store = new SqliteRecordStore(db, { maxRows: 3 });
      store.publish('a.example', '1', 300, T0);
      store.publish('a.example', '2', 300, T0);
      let err: unknown;
      try {
        store.apply(
          [
            { kind: 'add', name: 'b.example', value: '3', ttl: 300 },
            { kind: 'add', name: 'b.example', value: '4', ttl: 300 },
          ],
          T0,
        );
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StoreFullError);
      expect((err as StoreFullError).maxRows).toBe(3);
      expect(store.query('b.example', T0)).toEqual([]);
      expect(rows()).toHaveLength(2);
      // The in-memory count rolled back too: exactly one more row fits.
      store.publish('b.example', '3', 300, T0);
      expect(() => store.publish('b.example', '4', 300, T0)).toThrow(StoreFullError);
    });

    it('still refreshes stored values and deletes when full', () => {
      const store = new SqliteRecordStore(db, { maxRows: 2 });
      store.publish('a.example', '1', 10, T0);
      store.publish('a.example', '2', 10, T0);
      store.publish('a.example', '1', 300, T0 + 5);
      expect(store.query('a.example', T0 + 100)).toEqual(['1']);
      store.apply(
        [
          { kind: 'delete-value', name: 'a.example', value: '1' },
          { kind: 'add', name: 'c.example', value: 'new', ttl: 300 },
        ],
        T0 + 6,
      );
      expect(store.query('c.example', T0 + 6)).toEqual(['new']);
    });

    it('purges expired rows before refusing', () => {
      const store = new SqliteRecordStore(db, { maxRows: 2 });
      store.publish('a.example', 'old', 10, T0);
      store.publish('b.example', 'live', 300, T0);
      expect(() => store.publish('c.example', 'x', 300, T0 + 9)).toThrow(StoreFullError);
      store.publish('c.example', 'x', 300, T0 + 10);
      expect(rows().map((r) => r.value)).toEqual(['live', 'x']);
    });

    it('counts the rows already in the file when reopened', () => {
      const first = new SqliteRecordStore(db);
      for (let i = 0; i < 5; i++) first.publish(`n${i}.example`, 'v', 300, T0);
      const bounded = new SqliteRecordStore(db, { maxRows: 6 });
      bounded.publish('n5.example', 'v', 300, T0);
      expect(() => bounded.publish('n6.example', 'v', 300, T0)).toThrow(StoreFullError);
      expect(bounded.delete('n0.example', undefined)).toBe(true);
      bounded.publish('n6.example', 'v', 300, T0);
      expect(bounded.cleanupExpired(T0 + 300)).toBe(6);
      for (let i = 0; i < 6; i++) bounded.publish(`m${i}.example`, 'v', 300, T0 + 300);
      expect(() => bounded.publish('m6.example', 'v', 300, T0 + 300)).toThrow(StoreFullError);
    });

    it('rejects a non-positive bound', () => {
      expect(() => new SqliteRecordStore(db, { maxRows: 0 })).toThrow(RangeError);
      expect(() => new SqliteRecordStore(db, { maxRows: 1.5 })).toThrow(RangeError);
    });
  });

  describe('atomically', () => {
    it('commits what the function wrote and returns its result', () => {
      const store = new SqliteRecordStore(db);
      const result = store.atomically(() => {
        expect(db.connection.inTransaction).toBe(true);
        store.publish('a.example', 'one', 300, T0);
        store.apply([{ kind: 'add', name: 'b.example', value: 'two', ttl: 300 }], T0);
        return store.query('a.example', T0).length;
      });
      expect(result).toBe(1);
      expect(db.connection.inTransaction).toBe(false);
      expect(rows().map((r) => r.value)).toEqual(['one', 'two']);
    });

    it('rolls everything back when the function throws, cache and row count included', () => {
      const store = new SqliteRecordStore(db, { maxRows: 2 });
      store.publish('a.example', 'kept', 300, T0);
      expect(() =>
        store.atomically(() => {
          store.publish('a.example', 'gone', 300, T0);
          expect(store.query('a.example', T0)).toEqual(['kept', 'gone']);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(store.query('a.example', T0)).toEqual(['kept']);
      // The rolled-back row no longer counts against the bound.
      store.publish('b.example', 'fits', 300, T0);
      expect(() => store.publish('c.example', 'full', 300, T0)).toThrow(StoreFullError);
    });

    it('keeps an apply that fails inside all or nothing on its own', () => {
      const store = new SqliteRecordStore(db, { maxRows: 2 });
      store.atomically(() => {
        store.publish('a.example', 'one', 300, T0);
        expect(() =>
          store.apply(
            [
              { kind: 'add', name: 'b.example', value: 'two', ttl: 300 },
              { kind: 'add', name: 'c.example', value: 'three', ttl: 300 },
            ],
            T0,
          ),
        ).toThrow(StoreFullError);
      });
      expect(rows().map((r) => r.value)).toEqual(['one']);
    });
  });
});

describe('row count kept by every write', () => {
  it('equals the rows in the table after any sequence of adds, deletes, failed batches and purges', () => {
    const name = fc.constantFrom('a.example', 'b.example', 'c.example');
    const value = fc.constantFrom('x', 'y', 'z');
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), name, value, ttl: fc.constantFrom(5, 500) }),
      fc.record({ kind: fc.constant('delete-value' as const), name, value }),
      fc.record({ kind: fc.constant('delete-name' as const), name }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(op, { maxLength: 4 }), { maxLength: 12 }),
        fc.boolean(),
        (batches, purge) => {
          const db = openNodeDatabase(MEMORY_PATH);
          const store = new SqliteRecordStore(db, { maxRows: 5 });
          try {
            for (const ops of batches) {
              try {
                store.apply(ops, 1_000);
              } catch (err) {
                if (!(err instanceof StoreFullError)) throw err;
              }
            }
            if (purge) store.cleanupExpired(1_010, 2);
            const table = db.connection.prepare('SELECT count(*) AS n FROM records').get() as {
              n: number;
            };
            return store.rowCount() === table.n;
          } finally {
            db.close();
          }
        },
      ),
    );
  });
});

describe('writer usage kept by every write', () => {
  const WRITERS = ['', 's:alice@mesh.test', 's:bob@mesh.test', 'n:192.0.2'] as const;

  /** (rows, bytes) per stored writer column, as sqlite counts them; '' excluded. */
  function tableUsage(db: NodeDatabase): string[] {
    const rows = db.connection
      .prepare(
        "SELECT count(*) AS r, sum(length(CAST(value AS BLOB))) AS b FROM records WHERE writer != '' GROUP BY writer",
      )
      .all() as { r: number; b: number }[];
    return rows.map((x) => `${x.r}/${x.b}`).sort();
  }

  function storeUsage(store: SqliteRecordStore): string[] {
    return WRITERS.slice(1)
      .map((w) => store.writerUsage(w))
      .filter((u) => u.rows > 0)
      .map((u) => `${u.rows}/${u.bytes}`)
      .sort();
  }

  it('equals what the table holds after any adds, takeovers, deletes, rolled-back batches and purges', () => {
    const name = fc.constantFrom('a.example', 'b.example');
    const value = fc.constantFrom('x', 'yy', 'zzé');
    const writer = fc.constantFrom(...WRITERS);
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        name,
        value,
        ttl: fc.constantFrom(5, 500),
        writer,
      }),
      fc.record({ kind: fc.constant('delete-value' as const), name, value }),
      fc.record({ kind: fc.constant('delete-name' as const), name }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(op, { maxLength: 4 }), fc.boolean()), { maxLength: 12 }),
        fc.boolean(),
        (batches, purge) => {
          const db = openNodeDatabase(MEMORY_PATH);
          const store = new SqliteRecordStore(db, { maxRows: 5 });
          try {
            for (const [ops, abort] of batches) {
              try {
                // An outer transaction that throws after its apply rolls
                // back usage too (the UPDATE path's shape).
                store.atomically(() => {
                  store.apply(ops, 1_000);
                  if (abort) throw new RangeError('abort');
                });
              } catch (err) {
                if (!(err instanceof StoreFullError) && !(err instanceof RangeError)) throw err;
              }
            }
            if (purge) store.cleanupExpired(1_010, 2);
            const classN = db.connection
              .prepare("SELECT count(*) AS n FROM records WHERE writer LIKE 'n:%'")
              .get() as { n: number };
            return (
              JSON.stringify(storeUsage(store)) === JSON.stringify(tableUsage(db)) &&
              store.writerClassUsage('n').rows === classN.n
            );
          } finally {
            db.close();
          }
        },
      ),
    );
  });

  it('never stores a writer identity in the clear, and counts live values per writer and name', () => {
    const db = openNodeDatabase(MEMORY_PATH);
    const store = new SqliteRecordStore(db);
    try {
      store.apply(
        [
          {
            kind: 'add',
            name: 'slot-1.mb-abc.mesh.test',
            value: 'm1',
            ttl: 60,
            writer: 's:alice@mesh.test',
          },
          {
            kind: 'add',
            name: 'slot-1.mb-abc.mesh.test',
            value: 'm2',
            ttl: 5,
            writer: 's:alice@mesh.test',
          },
          {
            kind: 'add',
            name: 'slot-1.mb-abc.mesh.test',
            value: 'm3',
            ttl: 60,
            writer: 's:bob@mesh.test',
          },
        ],
        T0,
      );
      const stored = db.connection.prepare('SELECT writer FROM records').pluck().all() as string[];
      for (const w of stored) {
        expect(w).toMatch(/^s:[A-Za-z0-9_-]{22}$/);
        expect(w).not.toContain('alice');
      }
      expect(store.countLiveByWriter('SLOT-1.mb-abc.mesh.test.', 's:alice@mesh.test', T0)).toBe(2);
      expect(store.countLiveByWriter('slot-1.mb-abc.mesh.test', 's:alice@mesh.test', T0 + 10)).toBe(
        1,
      );
      expect(store.countLiveByWriter('slot-1.mb-abc.mesh.test', 's:carol@mesh.test', T0)).toBe(0);
      expect(store.writerUsage('s:alice@mesh.test')).toEqual({ rows: 2, bytes: 4 });
      expect(store.writerClassUsage('s')).toEqual({ rows: 3, bytes: 6 });
    } finally {
      db.close();
    }
  });

  it('keeps class totals across a reopen but forgets who wrote what', () => {
    const dir = makeTempDir();
    try {
      const path = dir.file('node.db');
      let db = openNodeDatabase(path);
      let store = new SqliteRecordStore(db);
      store.publish('x.mesh.test', 'v', 60, T0);
      store.apply(
        [
          {
            kind: 'add',
            name: 'claim-0.mb-abc.mesh.test',
            value: 'c',
            ttl: 60,
            writer: 'n:192.0.2',
          },
        ],
        T0,
      );
      store.close();
      db.close();
      db = openNodeDatabase(path);
      store = new SqliteRecordStore(db);
      expect(store.writerClassUsage('n')).toEqual({ rows: 1, bytes: 1 });
      expect(store.writerUsage('n:192.0.2')).toEqual({ rows: 0, bytes: 0 });
      store.delete('claim-0.mb-abc.mesh.test', undefined);
      expect(store.writerClassUsage('n')).toEqual({ rows: 0, bytes: 0 });
      store.close();
      db.close();
    } finally {
      dir.remove();
    }
  });
});
