/**
 * The RecordStore contract (src/node/store/types.ts, node spec §3.1),
 * written once against the interface; each implementation's test file runs
 * it with its own factory.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordStore, StoreOp } from '../../../src/node/store/types.js';

/** A fresh, empty store, and how to dispose of it. */
export interface RecordStoreHarness {
  readonly store: RecordStore;
  dispose(): void;
}

const T0 = 1_700_000_000;
const ZONE = 'mesh.example';

/** Registers the contract tests for stores made by `make`. */
export function describeRecordStoreContract(label: string, make: () => RecordStoreHarness): void {
  describe(`RecordStore contract: ${label}`, () => {
    let h: RecordStoreHarness;
    let store: RecordStore;
    beforeEach(() => {
      h = make();
      store = h.store;
    });
    afterEach(() => h.dispose());

    it('starts empty', () => {
      expect(store.query(`a.${ZONE}`, T0)).toEqual([]);
      expect(store.countLive(`a.${ZONE}`, T0)).toBe(0);
      expect(store.liveCount(T0)).toBe(0);
    });

    it('appends values per name (a second value does not replace the first)', () => {
      store.publish(`a.${ZONE}`, 'one', 300, T0);
      store.publish(`a.${ZONE}`, 'two', 300, T0 + 1);
      store.publish(`b.${ZONE}`, 'other', 300, T0);
      expect(store.query(`a.${ZONE}`, T0 + 2)).toEqual(['one', 'two']);
      expect(store.query(`b.${ZONE}`, T0 + 2)).toEqual(['other']);
      expect(store.countLive(`a.${ZONE}`, T0 + 2)).toBe(2);
      expect(store.liveCount(T0 + 2)).toBe(3);
    });

    it('orders by write time, then by write order within one second', () => {
      store.publish(`a.${ZONE}`, 'late', 300, T0 + 5);
      store.publish(`a.${ZONE}`, 'early', 300, T0);
      store.publish(`a.${ZONE}`, 'z-same-second-first', 300, T0 + 2);
      store.publish(`a.${ZONE}`, 'a-same-second-second', 300, T0 + 2);
      expect(store.query(`a.${ZONE}`, T0 + 6)).toEqual([
        'early',
        'z-same-second-first',
        'a-same-second-second',
        'late',
      ]);
    });

    it('re-adding a value refreshes its TTL and moves it to the latest write', () => {
      store.publish(`a.${ZONE}`, 'x', 10, T0);
      store.publish(`a.${ZONE}`, 'y', 100, T0);
      store.publish(`a.${ZONE}`, 'x', 50, T0 + 5);
      // Without the refresh 'x' would be gone at T0+10.
      expect(store.query(`a.${ZONE}`, T0 + 20)).toEqual(['y', 'x']);
      expect(store.countLive(`a.${ZONE}`, T0 + 20)).toBe(2);
      expect(store.query(`a.${ZONE}`, T0 + 54)).toEqual(['y', 'x']);
      expect(store.query(`a.${ZONE}`, T0 + 55)).toEqual(['y']);
    });

    it('re-adding with a shorter TTL shortens the lifetime (the latest write wins)', () => {
      store.publish(`a.${ZONE}`, 'x', 1000, T0);
      store.publish(`a.${ZONE}`, 'x', 10, T0 + 1);
      expect(store.query(`a.${ZONE}`, T0 + 10)).toEqual(['x']);
      expect(store.query(`a.${ZONE}`, T0 + 11)).toEqual([]);
    });

    it('expires at the exact second: live while expires_at > now, gone when ≤ now', () => {
      store.publish(`a.${ZONE}`, 'v', 60, T0);
      expect(store.query(`a.${ZONE}`, T0 + 59)).toEqual(['v']);
      expect(store.countLive(`a.${ZONE}`, T0 + 59)).toBe(1);
      expect(store.liveCount(T0 + 59)).toBe(1);
      expect(store.query(`a.${ZONE}`, T0 + 60)).toEqual([]);
      expect(store.countLive(`a.${ZONE}`, T0 + 60)).toBe(0);
      expect(store.liveCount(T0 + 60)).toBe(0);
    });

    it('a TTL of 0 is stored but never live', () => {
      store.publish(`a.${ZONE}`, 'v', 0, T0);
      expect(store.query(`a.${ZONE}`, T0)).toEqual([]);
      expect(store.cleanupExpired(T0)).toBe(1);
    });

    it('an expired value does not shadow a live one at the same name', () => {
      store.publish(`a.${ZONE}`, 'short', 5, T0);
      store.publish(`a.${ZONE}`, 'long', 500, T0);
      expect(store.query(`a.${ZONE}`, T0 + 1)).toEqual(['short', 'long']);
      expect(store.query(`a.${ZONE}`, T0 + 5)).toEqual(['long']);
    });

    it('deletes one value and reports whether a row went', () => {
      store.publish(`a.${ZONE}`, 'keep', 300, T0);
      store.publish(`a.${ZONE}`, 'drop', 300, T0);
      expect(store.query(`a.${ZONE}`, T0)).toEqual(['keep', 'drop']);
      expect(store.delete(`a.${ZONE}`, 'drop')).toBe(true);
      expect(store.query(`a.${ZONE}`, T0)).toEqual(['keep']);
      expect(store.delete(`a.${ZONE}`, 'drop')).toBe(false);
      expect(store.delete(`a.${ZONE}`, 'never-there')).toBe(false);
    });

    it('deletes a whole RRset and leaves other names alone', () => {
      store.publish(`a.${ZONE}`, '1', 300, T0);
      store.publish(`a.${ZONE}`, '2', 300, T0);
      store.publish(`b.${ZONE}`, '3', 300, T0);
      expect(store.query(`a.${ZONE}`, T0)).toHaveLength(2);
      expect(store.delete(`a.${ZONE}`, undefined)).toBe(true);
      expect(store.query(`a.${ZONE}`, T0)).toEqual([]);
      expect(store.query(`b.${ZONE}`, T0)).toEqual(['3']);
      expect(store.delete(`a.${ZONE}`, undefined)).toBe(false);
    });

    it('apply: deleting something absent is a no-op, not an error', () => {
      store.apply(
        [
          { kind: 'delete-value', name: `a.${ZONE}`, value: 'nothing' },
          { kind: 'delete-name', name: `nobody.${ZONE}` },
          { kind: 'add', name: `a.${ZONE}`, value: 'v', ttl: 60 },
        ],
        T0,
      );
      expect(store.query(`a.${ZONE}`, T0)).toEqual(['v']);
    });

    it('apply runs ops in order (add, delete, re-add within one batch)', () => {
      store.apply(
        [
          { kind: 'add', name: `a.${ZONE}`, value: 'one', ttl: 60 },
          { kind: 'add', name: `a.${ZONE}`, value: 'two', ttl: 60 },
          { kind: 'delete-value', name: `a.${ZONE}`, value: 'one' },
          { kind: 'delete-name', name: `b.${ZONE}` },
          { kind: 'add', name: `b.${ZONE}`, value: 'three', ttl: 60 },
        ],
        T0,
      );
      expect(store.query(`a.${ZONE}`, T0)).toEqual(['two']);
      expect(store.query(`b.${ZONE}`, T0)).toEqual(['three']);
    });

    it('apply is all or nothing: a batch whose 3rd op throws writes nothing', () => {
      store.publish(`pre.${ZONE}`, 'existing', 300, T0);
      store.query(`a.${ZONE}`, T0); // let a read cache see the name first
      const ops: StoreOp[] = [
        { kind: 'add', name: `a.${ZONE}`, value: 'first', ttl: 60 },
        { kind: 'delete-name', name: `pre.${ZONE}` },
        { kind: 'add', name: `a.${ZONE}`, value: 'bad', ttl: -1 },
        { kind: 'add', name: `c.${ZONE}`, value: 'never', ttl: 60 },
      ];
      expect(() => store.apply(ops, T0)).toThrow();
      expect(store.query(`a.${ZONE}`, T0)).toEqual([]);
      expect(store.query(`pre.${ZONE}`, T0)).toEqual(['existing']);
      expect(store.query(`c.${ZONE}`, T0)).toEqual([]);
      expect(store.liveCount(T0)).toBe(1);
      // The store is still usable after the rollback.
      store.publish(`a.${ZONE}`, 'after', 60, T0);
      expect(store.query(`a.${ZONE}`, T0)).toEqual(['after']);
    });

    it('apply rejects an unknown op kind and a non-integer TTL (rolling back)', () => {
      const bogus = { kind: 'upsert', name: `a.${ZONE}`, value: 'v', ttl: 1 } as unknown as StoreOp;
      expect(() =>
        store.apply([{ kind: 'add', name: `a.${ZONE}`, value: 'v', ttl: 1 }, bogus], T0),
      ).toThrow(/unknown store op/);
      expect(() => store.publish(`a.${ZONE}`, 'v', 1.5, T0)).toThrow(RangeError);
      expect(store.query(`a.${ZONE}`, T0)).toEqual([]);
    });

    it('normalises case and a trailing dot on every write and read path', () => {
      store.publish(`MiXeD.${ZONE.toUpperCase()}.`, 'v1', 300, T0);
      store.apply([{ kind: 'add', name: `mixed.${ZONE}`, value: 'v2', ttl: 300 }], T0);
      expect(store.query(`mixed.${ZONE}`, T0)).toEqual(['v1', 'v2']);
      expect(store.query(`MIXED.${ZONE}.`, T0)).toEqual(['v1', 'v2']);
      expect(store.countLive(`Mixed.${ZONE}.`, T0)).toBe(2);
      expect(store.liveCount(T0)).toBe(2);
      expect(store.delete(`MIXED.${ZONE}.`, 'v1')).toBe(true);
      expect(store.query(`mixed.${ZONE}`, T0)).toEqual(['v2']);
      store.apply([{ kind: 'delete-name', name: `mIxEd.${ZONE}.` }], T0);
      expect(store.query(`mixed.${ZONE}`, T0)).toEqual([]);
      // Values are data, not names: their case is kept and significant.
      store.publish(`v.${ZONE}`, 'Case', 300, T0);
      store.publish(`v.${ZONE}`, 'case', 300, T0);
      expect(store.query(`v.${ZONE}`, T0)).toEqual(['Case', 'case']);
    });

    it('stores any Unicode value and values of a few KiB intact', () => {
      const big = 'k'.repeat(4000);
      store.publish(`u.${ZONE}`, 'héllo \u{1F510} "quoted" ;semi', 300, T0);
      store.publish(`u.${ZONE}`, big, 300, T0);
      expect(store.query(`u.${ZONE}`, T0)).toEqual(['héllo \u{1F510} "quoted" ;semi', big]);
    });

    it('cleanupExpired removes exactly the rows with expires_at ≤ now', () => {
      store.publish(`a.${ZONE}`, 'gone-1', 10, T0);
      store.publish(`b.${ZONE}`, 'gone-2', 20, T0);
      store.publish(`b.${ZONE}`, 'stays', 21, T0);
      expect(store.query(`b.${ZONE}`, T0)).toEqual(['gone-2', 'stays']);
      expect(store.cleanupExpired(T0 + 20)).toBe(2);
      expect(store.cleanupExpired(T0 + 20)).toBe(0);
      expect(store.liveCount(T0)).toBe(1);
      // Gone for good: even a query at an earlier time no longer sees them.
      expect(store.query(`a.${ZONE}`, T0)).toEqual([]);
      expect(store.query(`b.${ZONE}`, T0 + 1)).toEqual(['stays']);
    });

    it('liveCount counts unexpired rows across names', () => {
      for (let i = 0; i < 25; i++) store.publish(`n${i}.${ZONE}`, `v${i}`, 100 + i, T0);
      expect(store.liveCount(T0)).toBe(25);
      expect(store.liveCount(T0 + 110)).toBe(14);
      expect(store.liveCount(T0 + 125)).toBe(0);
    });

    it('writes after a read are visible to the next read', () => {
      expect(store.query(`a.${ZONE}`, T0)).toEqual([]);
      store.publish(`a.${ZONE}`, 'v', 60, T0);
      expect(store.query(`a.${ZONE}`, T0)).toEqual(['v']);
      expect(store.countLive(`a.${ZONE}`, T0)).toBe(1);
      store.delete(`a.${ZONE}`, 'v');
      expect(store.query(`a.${ZONE}`, T0)).toEqual([]);
      store.apply([{ kind: 'add', name: `A.${ZONE}.`, value: 'w', ttl: 60 }], T0);
      expect(store.query(`a.${ZONE}`, T0)).toEqual(['w']);
    });

    it('answers as of the given time, also for a time before an earlier query', () => {
      store.publish(`a.${ZONE}`, 'v', 10, T0);
      expect(store.query(`a.${ZONE}`, T0 + 20)).toEqual([]);
      expect(store.query(`a.${ZONE}`, T0 + 5)).toEqual(['v']);
      expect(store.countLive(`a.${ZONE}`, T0 + 9)).toBe(1);
      expect(store.query(`a.${ZONE}`, T0 + 10)).toEqual([]);
    });

    it('a caller mutating a returned array cannot change later answers', () => {
      store.publish(`a.${ZONE}`, 'v', 60, T0);
      const first = store.query(`a.${ZONE}`, T0) as string[];
      try {
        first.push('injected');
        first[0] = 'changed';
      } catch {
        // Frozen arrays throw in strict mode; that is fine too.
      }
      expect(store.query(`a.${ZONE}`, T0)).toEqual(['v']);
    });

    it('refuses use after close', () => {
      store.close();
      expect(() => store.query(`a.${ZONE}`, T0)).toThrow();
    });
  });
}
