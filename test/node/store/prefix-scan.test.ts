/** The record store's owner-prefix scan (the `cluster.*` scan of node spec §5.6). */
import { afterEach, describe, expect, it } from 'vitest';
import { MEMORY_PATH, openNodeDatabase } from '../../../src/node/store/sqlite/database.js';
import { SqliteRecordStore } from '../../../src/node/store/sqlite/record-store.js';

const T0 = 1_700_000_000;

let close: (() => void) | undefined;
afterEach(() => {
  close?.();
  close = undefined;
});

function open() {
  const db = openNodeDatabase(MEMORY_PATH);
  const store = new SqliteRecordStore(db, { readCache: false });
  close = () => {
    store.close();
    db.close();
  };
  return store;
}

describe('liveRowsUnder', () => {
  it('gives the live rows whose owner starts with the prefix, by name, up to the limit', () => {
    const store = open();
    store.publish('cluster.b.example', 'b1', 100, T0);
    store.publish('cluster.a.example', 'a1', 100, T0);
    store.publish('cluster.a.example', 'a2', 100, T0 + 1);
    store.publish('cluster.gone.example', 'old', 1, T0);
    // Neighbours in byte order that are not under the prefix.
    store.publish('cluster', 'bare', 100, T0);
    store.publish('cluster/x', 'slash', 100, T0);
    store.publish('clustera.example', 'letter', 100, T0);
    store.publish('acluster.example', 'before', 100, T0);
    expect(store.liveRowsUnder('cluster.', T0 + 5, 100)).toEqual([
      { name: 'cluster.a.example', value: 'a1' },
      { name: 'cluster.a.example', value: 'a2' },
      { name: 'cluster.b.example', value: 'b1' },
    ]);
    expect(store.liveRowsUnder('cluster.', T0 + 5, 2)).toHaveLength(2);
  });

  it('refuses an empty prefix and a limit that is not a positive integer', () => {
    const store = open();
    expect(() => store.liveRowsUnder('', T0, 10)).toThrow(RangeError);
    expect(() => store.liveRowsUnder('cluster.', T0, 0)).toThrow(RangeError);
  });
});
