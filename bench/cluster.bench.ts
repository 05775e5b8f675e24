/**
 * `npm run bench:cluster`: anti-entropy between real nodes (docs/node.md
 * "Cluster sync"). Four measurements, each run `--runs R` times (default
 * 3) and reported as the median with the min–max spread:
 *
 * 1. catch-up: a source `dnsmesh-node` holds N records (written straight
 *    into its database before it starts: 20,000 by default, `--records N`)
 *    and a fresh follower is started with DMP_SYNC_PEERS naming it and
 *    DMP_SYNC_INTERVAL=1. Seconds from the follower's spawn (and from its
 *    "up" line) until its /stats counts all N — with the source's sync
 *    routes limited as a reference node limits them, at the default, and
 *    raised.
 * 2. write → visible: a synced pair (each the other's peer, interval 1 s);
 *    `--writes W` (default 100) TSIG-signed UPDATEs on A, spaced by a random
 *    0–1 s pause, each followed by TCP TXT queries to B every 10 ms until B
 *    serves it (at most 15 s). Latency from sending the UPDATE to B's first
 *    answer holding the value: p50, p99 and max per run.
 * 3. idle CPU: the same pair once both hold everything, over
 *    `--idle-seconds S` (default 60): utime + stime from /proc/<pid>/stat of
 *    each node, as % of one core.
 * 4. big catch-up: as 1 with `--big N` records (default 200,000), plus the
 *    peak RSS (VmHWM) of source and follower.
 *
 * `--only catchup,latency,idle,big` picks sections (latency and idle share
 * the pair). Both nodes are real processes on loopback, run from the
 * sources through tsx. Numbers are reported, never asserted. Every loop
 * and wait is bounded; every process is stopped at the end (also on
 * failure).
 */
import { join } from 'node:path';
import { Rcode } from '../src/dns/wire/constants.js';
import { txtAdd } from '../src/dns/wire/update.js';
import { openNodeStores } from '../src/node/store/sqlite/node-stores.js';
import type { StoreOp } from '../src/node/store/types.js';
import {
  cleanup,
  decode,
  freePort,
  type KeyMaterial,
  mintKey,
  type NodeProcess,
  signedUpdate,
  startNode,
  tcpTxt,
  tempDir,
  udpExchange,
} from '../test/e2e/harness.js';
import { printTable } from './lib/measure.js';
import { cpuSeconds, peakRssKiB } from './lib/proc.js';

const ZONE = 'mesh.test';
const TOKEN = 'bench-cluster-sync-token-0123456789';
const CATCH_UP_LIMIT_MS = 600_000;
const VISIBLE_LIMIT_MS = 15_000;
const POLL_MS = 10;
const SECTIONS = ['catchup', 'latency', 'idle', 'big'] as const;
type Section = (typeof SECTIONS)[number];

// ---------------------------------------------------------------------------
// Arguments

function argNumber(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  const n = i < 0 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} takes a positive integer`);
  return n;
}

function argSections(): Set<Section> {
  const i = process.argv.indexOf('--only');
  if (i < 0) return new Set(SECTIONS);
  const picked = (process.argv[i + 1] ?? '').split(',');
  for (const s of picked) {
    if (!(SECTIONS as readonly string[]).includes(s)) {
      throw new Error(`--only takes a comma list of ${SECTIONS.join(', ')}`);
    }
  }
  return new Set(picked as Section[]);
}

// ---------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Nearest-rank percentile of unsorted samples. */
function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

/** `median (min–max)` of the runs' values. */
function spread(values: readonly number[], digits: number): string {
  const ok = values.filter((v) => Number.isFinite(v));
  if (ok.length === 0) return '-';
  const med = percentile(ok, 0.5);
  if (ok.length === 1) return med.toFixed(digits);
  return `${med.toFixed(digits)} (${Math.min(...ok).toFixed(digits)}–${Math.max(...ok).toFixed(digits)})`;
}

const mib = (kib: number | undefined) => (kib === undefined ? Number.NaN : kib / 1024);

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

/** Polls `port`'s /stats every 50 ms until it counts `n` records or `limitMs` passed. */
async function waitForCount(port: number, n: number, limitMs: number): Promise<number> {
  const deadline = performance.now() + limitMs;
  let have = -1;
  while (performance.now() < deadline) {
    have = await stats(port);
    if (have >= n) break;
    await sleep(50);
  }
  return have;
}

/** A data directory whose database holds `n` records (before any node starts). */
async function seededDir(prefix: string, n: number): Promise<string> {
  const dir = await tempDir(prefix);
  const stores = openNodeStores(join(dir, 'dnsmesh.db'));
  const now = Math.floor(Date.now() / 1000);
  for (let start = 0; start < n; start += 5000) {
    const ops: StoreOp[] = [];
    for (let i = start; i < Math.min(n, start + 5000); i++) {
      // Neutral names (values at slot names are reserved and would not
      // replicate), of mailbox-slot length; mailbox-sized values.
      ops.push({
        kind: 'add',
        name: `r${i}-${'a'.repeat(20)}.${ZONE}`,
        value: `v=spf1 record ${i} ${'x'.repeat(120)}`,
        ttl: 3600,
      });
    }
    stores.records.apply(ops, now);
  }
  stores.close();
  return dir;
}

// ---------------------------------------------------------------------------
// 1 and 4: a fresh follower catching up

interface Scenario {
  readonly label: string;
  readonly env: Record<string, string>;
}

/**
 * The source's per-client limit of the sync routes: a reference peer charges
 * sync calls to its records limit (10/s, burst 100 — the first scenario
 * reproduces that), a dnsmesh peer to its own bucket (200/s, burst 1000).
 */
const SCENARIOS: readonly Scenario[] = [
  {
    label: "the reference's (10/s, burst 100)",
    env: { DMP_SYNC_HTTP_RATE: '10', DMP_SYNC_HTTP_BURST: '100' },
  },
  { label: 'default (200/s, burst 1000)', env: {} },
  {
    label: 'raised (1000/s, burst 10000)',
    env: { DMP_SYNC_HTTP_RATE: '1000', DMP_SYNC_HTTP_BURST: '10000' },
  },
];

interface CatchUp {
  readonly caught: boolean;
  readonly have: number;
  readonly fromSpawn: number;
  readonly afterUp: number;
  readonly sourceHwm: number | undefined;
  readonly followerHwm: number | undefined;
}

async function catchUp(sourceDir: string, n: number, scenario: Scenario): Promise<CatchUp> {
  const sourcePort = await freePort();
  const followerPort = await freePort();
  const source = await startNode({
    zone: ZONE,
    dataDir: sourceDir,
    http: true,
    httpPort: sourcePort,
    env: { DMP_SYNC_PEER_TOKEN: TOKEN, ...scenario.env },
    startTimeoutMs: 60_000,
  });
  try {
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
    try {
      const up = performance.now();
      const have = await waitForCount(followerPort, n, CATCH_UP_LIMIT_MS - (up - spawned));
      const done = performance.now();
      if (!follower.alive()) console.log('follower exited early:\n', follower.output());
      return {
        caught: have >= n,
        have,
        fromSpawn: (done - spawned) / 1000,
        afterUp: (done - up) / 1000,
        sourceHwm: peakRssKiB(source.pid),
        followerHwm: peakRssKiB(follower.pid),
      };
    } finally {
      await follower.stop();
    }
  } finally {
    await source.stop();
  }
}

async function catchUpTable(n: number, runs: number, withRss: boolean): Promise<void> {
  const sourceDir = await seededDir('dnsmesh-bench-source-', n);
  const rows: string[][] = [];
  for (const scenario of SCENARIOS) {
    const results: CatchUp[] = [];
    for (let r = 0; r < runs; r++) {
      const c = await catchUp(sourceDir, n, scenario);
      results.push(c);
      console.log(
        `  ${n} records, ${scenario.label}, run ${r + 1}: ${c.caught ? 'caught up' : `NOT caught up (${c.have})`} ` +
          `${c.fromSpawn.toFixed(2)} s from spawn, ${c.afterUp.toFixed(2)} s after up, ` +
          `peak RSS source ${mib(c.sourceHwm).toFixed(0)} MiB, follower ${mib(c.followerHwm).toFixed(0)} MiB`,
      );
    }
    const caught = results.filter((c) => c.caught);
    const row = [
      scenario.label,
      `${caught.length}/${runs}`,
      spread(
        caught.map((c) => c.fromSpawn),
        2,
      ),
      spread(
        caught.map((c) => c.afterUp),
        2,
      ),
      spread(
        caught.map((c) => n / c.afterUp),
        0,
      ),
    ];
    if (withRss) {
      row.push(
        spread(
          results.map((c) => mib(c.sourceHwm)),
          0,
        ),
        spread(
          results.map((c) => mib(c.followerHwm)),
          0,
        ),
      );
    }
    rows.push(row);
  }
  printTable(
    `Fresh follower catching up with ${n} records (DMP_SYNC_INTERVAL=1; median (min–max) of ${runs} runs)`,
    [
      'source HTTP limit',
      'caught up',
      'from spawn (s)',
      'after up (s)',
      'records/s after up',
      ...(withRss ? ['source peak RSS (MiB)', 'follower peak RSS (MiB)'] : []),
    ],
    rows,
  );
}

// ---------------------------------------------------------------------------
// 2 and 3: a synced pair

interface Pair {
  readonly a: NodeProcess;
  readonly b: NodeProcess;
  readonly key: KeyMaterial;
  readonly seeded: number;
}

/** A (seeded with `n` records, a TSIG key minted) and B, each the other's peer, interval 1 s. */
async function startPair(n: number): Promise<Pair> {
  const aDir = await seededDir('dnsmesh-bench-a-', n);
  const key = await mintKey(aDir, ZONE, 'bench-writer');
  const aHttp = await freePort();
  const bHttp = await freePort();
  const common = { DMP_SYNC_PEER_TOKEN: TOKEN, DMP_SYNC_INTERVAL: '1' };
  const a = await startNode({
    zone: ZONE,
    dataDir: aDir,
    http: true,
    httpPort: aHttp,
    env: { ...common, DMP_SYNC_PEERS: `http://127.0.0.1:${bHttp}` },
    startTimeoutMs: 60_000,
  });
  try {
    const b = await startNode({
      zone: ZONE,
      http: true,
      httpPort: bHttp,
      env: { ...common, DMP_SYNC_PEERS: `http://127.0.0.1:${aHttp}`, DMP_DNS_RRL_RATE: '0' },
      startTimeoutMs: 60_000,
    });
    return { a, b, key, seeded: n };
  } catch (err) {
    await a.stop();
    throw err;
  }
}

async function stopPair(pair: Pair): Promise<void> {
  await pair.b.stop();
  await pair.a.stop();
}

interface Latencies {
  readonly samples: number[];
  readonly failed: number;
}

/** `writes` UPDATEs on A, each timed until B serves it. */
async function writeToVisible(pair: Pair, run: number, writes: number): Promise<Latencies> {
  const samples: number[] = [];
  let failed = 0;
  for (let i = 0; i < writes; i++) {
    await sleep(Math.random() * 1000);
    const name = `lat-${run}-${i}.${ZONE}`;
    const value = `written-on-a ${run} ${i}`;
    const t0 = performance.now();
    const reply = await udpExchange(
      pair.a.port,
      signedUpdate(pair.key, ZONE, [txtAdd(name, 3600, value)]).wire,
      { timeoutMs: 5000 },
    );
    if (!reply || decode(reply).header.rcode !== Rcode.NOERROR) {
      failed++;
      continue;
    }
    let seen = false;
    while (performance.now() - t0 < VISIBLE_LIMIT_MS) {
      try {
        if ((await tcpTxt(pair.b.port, name)).values.includes(value)) {
          seen = true;
          break;
        }
      } catch {
        // A refused or dropped connection counts as not yet visible.
      }
      await sleep(POLL_MS);
    }
    if (seen) samples.push((performance.now() - t0) / 1000);
    else failed++;
  }
  return { samples, failed };
}

interface Idle {
  readonly a: number;
  readonly b: number;
}

/** CPU of both nodes over `seconds`, once both hold `total` records, as % of one core. */
async function idleCpu(pair: Pair, total: number, seconds: number): Promise<Idle | undefined> {
  const [ha, hb] = [
    await waitForCount(pair.a.httpPort!, total, 120_000),
    await waitForCount(pair.b.httpPort!, total, 120_000),
  ];
  if (ha < total || hb < total) {
    console.log(`  pair not synced (A ${ha}, B ${hb} of ${total}): idle CPU not measured`);
    return undefined;
  }
  await sleep(3000); // let the last visits and GC settle
  const a0 = cpuSeconds(pair.a.pid);
  const b0 = cpuSeconds(pair.b.pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const a1 = cpuSeconds(pair.a.pid);
  const b1 = cpuSeconds(pair.b.pid);
  const wall = (performance.now() - t0) / 1000;
  if (a0 === undefined || b0 === undefined || a1 === undefined || b1 === undefined)
    return undefined;
  return { a: ((a1 - a0) / wall) * 100, b: ((b1 - b0) / wall) * 100 };
}

async function pairTables(
  sections: Set<Section>,
  runs: number,
  writes: number,
  idleSeconds: number,
): Promise<void> {
  const seeded = 20_000;
  const latencyRows: string[][] = [];
  const idleRows: string[][] = [];
  const p50s: number[] = [];
  const p99s: number[] = [];
  const maxes: number[] = [];
  const idleA: number[] = [];
  const idleB: number[] = [];
  for (let r = 0; r < runs; r++) {
    const pair = await startPair(seeded);
    try {
      let total = seeded;
      const synced = await waitForCount(pair.b.httpPort!, seeded, 120_000);
      if (synced < seeded)
        console.log(`  run ${r + 1}: B holds ${synced} of ${seeded} before writes`);
      if (sections.has('latency')) {
        const l = await writeToVisible(pair, r, writes);
        total += l.samples.length;
        const p50 = percentile(l.samples, 0.5);
        const p99 = percentile(l.samples, 0.99);
        const max = Math.max(...l.samples);
        p50s.push(p50);
        p99s.push(p99);
        maxes.push(max);
        latencyRows.push([
          `run ${r + 1}`,
          `${l.samples.length}/${writes}`,
          p50.toFixed(3),
          p99.toFixed(3),
          max.toFixed(3),
          percentile(l.samples, 0).toFixed(3),
        ]);
        console.log(
          `  write → visible run ${r + 1}: ${l.samples.length} seen, ${l.failed} failed, p50 ${p50.toFixed(3)} s, p99 ${p99.toFixed(3)} s`,
        );
      }
      if (sections.has('idle')) {
        const idle = await idleCpu(pair, total, idleSeconds);
        if (idle) {
          idleA.push(idle.a);
          idleB.push(idle.b);
          idleRows.push([`run ${r + 1}`, idle.a.toFixed(2), idle.b.toFixed(2)]);
          console.log(
            `  idle run ${r + 1}: A ${idle.a.toFixed(2)} %, B ${idle.b.toFixed(2)} % of one core`,
          );
        }
      }
    } finally {
      await stopPair(pair);
    }
  }
  if (sections.has('latency')) {
    latencyRows.push([
      'median (min–max)',
      '',
      spread(p50s, 3),
      spread(p99s, 3),
      spread(maxes, 3),
      '',
    ]);
    printTable(
      `Write on A → served by B (DMP_SYNC_INTERVAL=1, ${writes} UPDATEs 0–1 s apart, B polled over TCP every ${POLL_MS} ms)`,
      ['run', 'seen', 'p50 (s)', 'p99 (s)', 'max (s)', 'min (s)'],
      latencyRows,
    );
  }
  if (sections.has('idle')) {
    idleRows.push(['median (min–max)', spread(idleA, 2), spread(idleB, 2)]);
    printTable(
      `Idle synced pair (${seeded} + writes records, DMP_SYNC_INTERVAL=1, each the other's peer): CPU over ${idleSeconds} s, % of one core`,
      ['run', 'A (%)', 'B (%)'],
      idleRows,
    );
  }
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const sections = argSections();
  const runs = argNumber('--runs', 3);
  console.log(`bench:cluster on ${new Date().toISOString()}, node ${process.version}`);
  if (sections.has('catchup')) await catchUpTable(argNumber('--records', 20_000), runs, false);
  if (sections.has('latency') || sections.has('idle')) {
    await pairTables(sections, runs, argNumber('--writes', 100), argNumber('--idle-seconds', 60));
  }
  if (sections.has('big')) await catchUpTable(argNumber('--big', 200_000), runs, true);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
