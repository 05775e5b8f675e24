/**
 * Scenario: crash during a pull. Source A holds 5,000 records (written in
 * one bulk store call before it starts) and rate-limits its HTTP API
 * (3 requests/s, burst 3), so follower B takes them in slices over several
 * seconds. B is killed with SIGKILL once its database holds a random part
 * of them (1 to half), then restarted on the same data directory. What B had
 * stored survives the crash untouched (same rows, same write sequence and
 * stored_ts: nothing is pulled twice), and B converges to exactly A's set
 * of (name, value) pairs — compared from both sqlite files, read-only.
 * Every wait is polled within a bound.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { openNodeStores } from '../../src/node/store/sqlite/node-stores.js';
import {
  cleanup,
  describeWith,
  freePort,
  metric,
  type NodeProcess,
  startNode,
  tempDir,
  waitFor,
} from './harness.js';

const ZONE = 'mesh.test';
const TOKEN = 'cluster-kill9-token-0123456789abcdef';
const TOTAL = 5_000;
const PARTIAL_MS = 30_000;
const CONVERGE_MS = 60_000;

interface Row {
  readonly id: number;
  readonly name: string;
  readonly value: string;
  readonly stored_ts: number;
}

/** Every row of a node's records table, read-only, sorted by (name, value). */
function rowsOf(dbPath: string): Row[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT id, name, value, stored_ts FROM records ORDER BY name, value')
      .all() as Row[];
  } finally {
    db.close();
  }
}

function countOf(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const pairs = (rows: readonly Row[]) => rows.map((r) => `${r.name}\t${r.value}`);

afterAll(cleanup);

describeWith([], 'cluster-sync-kill9-mid-pull-converges', () => {
  it('a follower killed mid-pull keeps what it stored and ends with exactly the source set', async () => {
    const portA = await freePort();
    const dirA = await tempDir('dnsmesh-kill9-sync-a-');
    const dirB = await tempDir('dnsmesh-kill9-sync-b-');
    const dbA = join(dirA, 'dnsmesh.db');
    const dbB = join(dirB, 'dnsmesh.db');

    // One bulk store call: 5,000 values, some names holding two.
    const seeded = openNodeStores(dbA);
    const now = Math.floor(Date.now() / 1000);
    seeded.records.apply(
      Array.from({ length: TOTAL }, (_, i) => ({
        kind: 'add' as const,
        name: `rec-${i % 4_000}.${ZONE}`,
        value: `value ${i}`,
        ttl: 3600,
      })),
      now,
    );
    seeded.close();
    expect(countOf(dbA)).toBe(TOTAL);

    const a = await startNode({
      zone: ZONE,
      dataDir: dirA,
      http: true,
      httpPort: portA,
      env: { DMP_SYNC_PEER_TOKEN: TOKEN, DMP_SYNC_HTTP_RATE: '3', DMP_SYNC_HTTP_BURST: '3' },
    });
    const startB = (): Promise<NodeProcess> =>
      startNode({
        zone: ZONE,
        dataDir: dirB,
        http: true,
        env: {
          DMP_SYNC_PEERS: `http://127.0.0.1:${portA}`,
          DMP_SYNC_PEER_TOKEN: TOKEN,
          DMP_SYNC_INTERVAL: '1',
        },
      });

    // The kill lands at an arbitrary point of the stream, while B is pulling.
    const killAfter = 1 + Math.floor(Math.random() * (TOTAL / 2));
    let b = await startB();
    let seen = 0;
    await waitFor(
      () => {
        seen = countOf(dbB);
        return seen >= killAfter;
      },
      PARTIAL_MS,
      `B to store ${killAfter} pulled values`,
      10,
    );
    await b.kill9();
    expect(b.child.signalCode).toBe('SIGKILL');
    const atKill = rowsOf(dbB);
    console.info(
      `[e2e] kill -9 of B after ≥ ${killAfter}: ${atKill.length} of ${TOTAL} values stored`,
    );
    expect(atKill.length).toBeGreaterThanOrEqual(seen);
    expect(atKill.length).toBeLessThan(TOTAL);

    const source = rowsOf(dbA);
    expect(source).toHaveLength(TOTAL);
    const sourcePairs = new Set(pairs(source));
    for (const p of pairs(atKill)) expect(sourcePairs.has(p)).toBe(true);

    b = await startB();
    await waitFor(() => countOf(dbB) >= TOTAL, CONVERGE_MS, 'B to hold all of A', 100);
    // Exactly A's set: same pairs, none twice (the table is keyed by them too).
    const after = rowsOf(dbB);
    expect(pairs(after)).toEqual(pairs(source));
    expect(new Set(pairs(after)).size).toBe(after.length);
    // What B stored before the crash was not written again: same row, same
    // write sequence, same stored_ts — and the restarted B pulled only the rest.
    const byPair = new Map(after.map((r) => [`${r.name}\t${r.value}`, r]));
    for (const r of atKill) {
      const kept = byPair.get(`${r.name}\t${r.value}`)!;
      expect({ id: kept.id, stored_ts: kept.stored_ts }).toEqual({
        id: r.id,
        stored_ts: r.stored_ts,
      });
    }
    expect(await metric(b, 'dmp_sync_records_pulled_total')).toBe(TOTAL - atKill.length);
    await b.stop();
    await a.stop();
  }, 120_000);
});
