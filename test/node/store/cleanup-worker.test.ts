/** CleanupWorker: schedule, reporting, resilience, and that it never holds the process open. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CleanupWorker } from '../../../src/node/store/cleanup-worker.js';
import { MEMORY_PATH, openNodeDatabase } from '../../../src/node/store/sqlite/database.js';
import { SqliteRecordStore } from '../../../src/node/store/sqlite/record-store.js';

const T0 = 1_700_000_000;

const activeTimeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('CleanupWorker', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('purges a large backlog in bounded steps, one event-loop turn apart', async () => {
    const db = openNodeDatabase(MEMORY_PATH);
    const store = new SqliteRecordStore(db);
    store.apply(
      Array.from({ length: 2_500 }, (_, i) => ({
        kind: 'add' as const,
        name: `n${i}.example`,
        value: 'v',
        ttl: 10,
      })),
      T0,
    );
    store.publish('keep.example', 'v', 1_000, T0);
    expect(store.rowCount()).toBe(2_501);
    const steps: number[] = [];
    const worker = new CleanupWorker({
      store,
      intervalMs: 3_600_000,
      now: () => T0 + 60,
      batchSize: 1_000,
      onRun: (n) => steps.push(n),
    });
    worker.start();
    expect(worker.runOnce()).toBe(1_000);
    expect(steps).toEqual([1_000]); // one step, not the whole backlog at once
    for (let i = 0; i < 100 && steps.length < 4; i++) await new Promise((r) => setImmediate(r));
    worker.stop();
    expect(steps).toEqual([1_000, 1_000, 500]);
    expect(store.rowCount()).toBe(1);
    expect(store.liveCount(T0 + 60)).toBe(1);
    db.close();
  });

  it('first runs one interval after start, then every interval, until stopped', () => {
    vi.useFakeTimers();
    const db = openNodeDatabase(MEMORY_PATH);
    const store = new SqliteRecordStore(db);
    let now = T0;
    const runs: number[] = [];
    const worker = new CleanupWorker({
      store,
      intervalMs: 60_000,
      now: () => now,
      onRun: (n) => runs.push(n),
    });
    store.publish('a.example', 'short', 30, T0);
    store.publish('b.example', 'x', 90, T0);
    store.publish('c.example', 'y', 90, T0);
    worker.start();
    worker.start(); // idempotent: still one timer
    expect(worker.running).toBe(true);
    vi.advanceTimersByTime(59_999);
    expect(runs).toEqual([]);
    now = T0 + 60;
    vi.advanceTimersByTime(1);
    expect(runs).toEqual([1]);
    expect(store.query('a.example', T0)).toEqual([]);
    now = T0 + 120;
    vi.advanceTimersByTime(60_000);
    expect(runs).toEqual([1, 2]);
    worker.stop();
    worker.stop();
    expect(worker.running).toBe(false);
    vi.advanceTimersByTime(600_000);
    expect(runs).toEqual([1, 2]);
    db.close();
  });

  it('uses the wall clock in Unix seconds by default', () => {
    const seen: number[] = [];
    const worker = new CleanupWorker({
      store: {
        cleanupExpired: (now) => {
          seen.push(now);
          return 0;
        },
      },
    });
    const before = Math.floor(Date.now() / 1000);
    expect(worker.runOnce()).toBe(0);
    expect(seen).toHaveLength(1);
    expect(Number.isInteger(seen[0])).toBe(true);
    expect(seen[0]).toBeGreaterThanOrEqual(before);
    expect(seen[0]).toBeLessThanOrEqual(before + 1);
    expect(worker.intervalMs).toBe(60_000);
  });

  it('never throws out of the timer: store and callback errors go to onError and runs continue', () => {
    vi.useFakeTimers();
    let calls = 0;
    const errors: unknown[] = [];
    const removed: number[] = [];
    const worker = new CleanupWorker({
      store: {
        cleanupExpired: () => {
          calls++;
          if (calls === 1) throw new Error('database is locked');
          return calls;
        },
      },
      intervalMs: 10,
      onRun: (n) => {
        removed.push(n);
        if (n === 2) throw new Error('metrics exploded');
      },
      onError: (err) => {
        errors.push(err);
        throw new Error('the logger is broken too');
      },
    });
    worker.start();
    expect(() => vi.advanceTimersByTime(30)).not.toThrow();
    worker.stop();
    expect(calls).toBe(3);
    expect(removed).toEqual([2, 3]);
    expect((errors as Error[]).map((e) => e.message)).toEqual([
      'database is locked',
      'metrics exploded',
    ]);
    expect(worker.runOnce()).toBe(4);
  });

  it('does not keep the process alive (unref’d timer)', () => {
    const worker = new CleanupWorker({ store: { cleanupExpired: () => 0 }, intervalMs: 50 });
    const before = activeTimeouts();
    worker.start();
    try {
      expect(activeTimeouts()).toBe(before);
    } finally {
      worker.stop();
    }
  });

  it('runs on a real timer', async () => {
    let runs = 0;
    const worker = new CleanupWorker({
      store: { cleanupExpired: () => 0 },
      intervalMs: 15,
      onRun: () => runs++,
    });
    worker.start();
    try {
      for (let i = 0; i < 100 && runs < 2; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      worker.stop();
    }
    expect(runs).toBeGreaterThanOrEqual(2);
  });

  it('rejects intervals setInterval would mangle', () => {
    const store = { cleanupExpired: () => 0 };
    expect(() => new CleanupWorker({ store, intervalMs: 0 })).toThrow(RangeError);
    expect(() => new CleanupWorker({ store, intervalMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => new CleanupWorker({ store, intervalMs: Number.NaN })).toThrow(RangeError);
  });
});
