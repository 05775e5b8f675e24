/**
 * `npm run bench:cluster`: how fast a fresh node catches up with a cluster
 * peer through anti-entropy (docs/node.md "Cluster sync").
 *
 * A source `dnsmesh-node` holds N records (written straight into its
 * database before it starts: 20,000 by default, `--records N` to change)
 * and serves the sync routes; a fresh follower is started with
 * DMP_SYNC_PEERS naming it and DMP_SYNC_INTERVAL=1. Reported: seconds from
 * the follower's spawn until its /stats counts all N records, the time
 * after its "up" line, and records per second. Both nodes are real
 * processes on loopback (sources through tsx).
 *
 * Numbers are reported, never asserted. Every wait is bounded; both
 * processes are stopped at the end (also on failure).
 */
import { join } from 'node:path';
import { openNodeStores } from '../src/node/store/sqlite/node-stores.js';
import type { StoreOp } from '../src/node/store/types.js';
import { cleanup, freePort, startNode, tempDir } from '../test/e2e/harness.js';
import { printTable } from './lib/measure.js';

const ZONE = 'mesh.test';
const TOKEN = 'bench-cluster-sync-token-0123456789';
const LIMIT_MS = 300_000;

function argRecords(): number {
  const i = process.argv.indexOf('--records');
  const n = i < 0 ? 20_000 : Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error('--records takes a positive integer');
  return n;
}

async function stats(port: number): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/stats`, {
      signal: AbortSignal.timeout(2000),
    });
    return ((await res.json()) as { records: number }).records;
  } catch {
    return -1;
  }
}

async function main(): Promise<void> {
  const n = argRecords();
  const sourceDir = await tempDir('dnsmesh-bench-source-');
  const stores = openNodeStores(join(sourceDir, 'dnsmesh.db'));
  const now = Math.floor(Date.now() / 1000);
  const ops: StoreOp[] = [];
  for (let i = 0; i < n; i++) {
    // Shaped like mailbox traffic: two values at every other name.
    ops.push({
      kind: 'add',
      name: `slot-${i % 10}.mb-${(i >> 1).toString(16).padStart(12, '0')}.${ZONE}`,
      value: `v=spf1 record ${i} ${'x'.repeat(120)}`,
      ttl: 3600,
    });
  }
  // Plain values at slot names would not replicate (reserved owners):
  // use neutral names instead, keeping the name shapes' lengths.
  const plain = ops.map((op, i) => ({ ...op, name: `r${i}-${'a'.repeat(20)}.${ZONE}` }));
  for (let i = 0; i < plain.length; i += 5000) stores.records.apply(plain.slice(i, i + 5000), now);
  stores.close();

  const rows: string[][] = [];
  for (const scenario of SCENARIOS) rows.push(await catchUp(sourceDir, n, scenario));
  printTable(
    `Fresh follower catching up with ${n} records through anti-entropy (DMP_SYNC_INTERVAL=1)`,
    ['source HTTP limit', 'caught up', 'from spawn (s)', 'after up (s)', 'records/s after up'],
    rows,
  );
}

interface Scenario {
  readonly label: string;
  readonly env: Record<string, string>;
}

/** The source's per-client HTTP limit (shared by the records API and the sync routes). */
const SCENARIOS: readonly Scenario[] = [
  { label: 'default (10/s, burst 100)', env: {} },
  {
    label: 'raised (1000/s, burst 10000)',
    env: { DMP_HTTP_RATE: '1000', DMP_HTTP_BURST: '10000' },
  },
];

async function catchUp(sourceDir: string, n: number, scenario: Scenario): Promise<string[]> {
  const sourcePort = await freePort();
  const followerPort = await freePort();
  const source = await startNode({
    zone: ZONE,
    dataDir: sourceDir,
    http: true,
    httpPort: sourcePort,
    env: { DMP_SYNC_PEER_TOKEN: TOKEN, ...scenario.env },
  });
  const spawned = performance.now();
  const follower = await startNode({
    zone: ZONE,
    http: true,
    httpPort: followerPort,
    env: {
      DMP_SYNC_PEERS: `http://127.0.0.1:${sourcePort}`,
      DMP_SYNC_PEER_TOKEN: TOKEN,
      DMP_SYNC_INTERVAL: '1',
    },
    startTimeoutMs: 60_000,
  });
  const up = performance.now();
  let have = 0;
  while (performance.now() - spawned < LIMIT_MS) {
    have = await stats(followerPort);
    if (have >= n) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const done = performance.now();
  const caught = have >= n;
  const afterUp = (done - up) / 1000;
  if (!follower.alive()) console.log('follower exited early:\n', follower.output());
  await follower.stop();
  await source.stop();
  return [
    scenario.label,
    caught ? 'yes' : `no (${have} after ${LIMIT_MS / 1000} s)`,
    ((done - spawned) / 1000).toFixed(2),
    afterUp.toFixed(2),
    caught ? Math.round(n / afterUp).toString() : '-',
  ];
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
