/**
 * `npm run bench:cli`: what each `dnsmesh` command costs a user, end to end.
 *
 * 1. Wall time per CLI step — init, tsig register, identity publish,
 *    identity fetch --add, send, recv (one message waiting), recv (nothing
 *    waiting), identity show (local only: start-up + Argon2id) — against a
 *    real `dnsmesh-node` on loopback, each step the median of ≥ 5 runs, for
 *    the built CLI (`node dist/cli/main.js`) and the sources through tsx.
 *    The CLI runs with DNSMESH_DEBUG=1, whose last trace line gives the time
 *    the command spent after Node started ("in-process"); wall − in-process
 *    is process creation and exit. `node -e 0` in the same environment is
 *    the floor no command can go below (Node 20 parses NODE_EXTRA_CA_CERTS,
 *    when set, before any JS runs). "unlock" is passphrase → keys (Argon2id,
 *    t=2 m=32 MiB, overlapping the loading of the client code). Target:
 *    send and recv ≤ 150 ms wall.
 * 2. Client-side receive cost: DNS lookups per receive (the client
 *    library's `stats.queries`) with N = 1, 5, 20 pinned contacts, each in
 *    their own zone — idle, and with N messages waiting announced by claims
 *    or found by the slot walk — plus the median wall time of the receive.
 *    One in-process authoritative server (test/client/harness) serves the
 *    N + 1 zones over loopback UDP; lookup counts do not depend on it.
 *
 * Numbers are reported, never asserted. Every loop is bounded; every
 * process started is killed by PID at the end (also on failure).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DmpClient } from '../src/client/client.js';
import { openSqliteClientState } from '../src/client/state/sqlite-state.js';
import { pinned, type TestUser, TestWorld } from '../test/client/harness/world.js';
import {
  CLI_JS,
  type CliRun,
  type CliUser,
  type MeshNode,
  makeUser,
  startMeshNode,
} from '../test/e2e/cli-harness.js';
import { cleanEnv, cleanup, REPO, run, tempDir } from '../test/e2e/harness.js';
import { fmt, printTable } from './lib/measure.js';

const RUNS = 5;
const ZONE = 'mesh.test';
const TARGET_MS = 150;
const STEPS = [
  'init',
  'tsig register',
  'identity publish',
  'identity fetch --add',
  'send',
  'recv (1 waiting)',
  'recv (none waiting)',
  'identity show',
] as const;
type Step = (typeof STEPS)[number];

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// ---------------------------------------------------------------------------
// The built CLI must be current: rebuild when dist is missing or older than src.

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

async function ensureBuilt(): Promise<boolean> {
  const stale =
    !existsSync(CLI_JS) || statSync(CLI_JS).mtimeMs < (await newestSource(join(REPO, 'src')));
  if (!stale) return true;
  console.log(
    `${existsSync(CLI_JS) ? 'dist is older than src' : 'dist is missing'}: npm run build`,
  );
  try {
    execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit', timeout: 180_000 });
    return true;
  } catch {
    console.log(
      existsSync(CLI_JS)
        ? 'build failed: benchmarking the existing dist'
        : 'build failed: tsx only',
    );
    return existsSync(CLI_JS);
  }
}

// ---------------------------------------------------------------------------
// 1. CLI steps

interface Sample {
  readonly wall: number;
  readonly inProcess: number | undefined;
  /** Passphrase read → identity derived (Argon2id, overlapping module loading). */
  readonly unlock: number | undefined;
  readonly queries: number | undefined;
}

function sampleOf(r: CliRun, what: string): Sample {
  if (r.code !== 0) {
    throw new Error(
      `${what} exited ${r.code}${r.timedOut ? ' (timed out)' : ''}:\n${r.stdout}${r.stderr}`,
    );
  }
  const done = /\[(\d+(?:\.\d+)?) ms\] done \(exit 0\)/.exec(r.stderr);
  const phases = [...r.stderr.matchAll(/receive: \S+ done \((\d+) queries\)/g)];
  const at = (label: string) => {
    const m = new RegExp(`\\[(\\d+(?:\\.\\d+)?) ms\\] ${label}\\n`).exec(r.stderr);
    return m ? Number(m[1]) : undefined;
  };
  const read = at('passphrase read');
  const derived = at('identity derived');
  return {
    wall: r.ms,
    inProcess: done ? Number(done[1]) : undefined,
    unlock: read !== undefined && derived !== undefined ? derived - read : undefined,
    queries: phases.length > 0 ? Number(phases.at(-1)![1]) : undefined,
  };
}

async function cliRound(
  node: MeshNode,
  round: number,
  built: boolean,
  samples: Map<Step, Sample[]>,
): Promise<void> {
  const tag = built ? 'b' : 't';
  const alice = await makeUser(`alice${round}${tag}`, { env: { DNSMESH_DEBUG: '1' } });
  const bob = await makeUser(`bob${round}${tag}`, { env: { DNSMESH_DEBUG: '1' } });
  const step = async (name: Step, user: CliUser, args: string[]) => {
    const s = sampleOf(await user.cli(args, { built }), `${user.name}: ${args.join(' ')}`);
    samples.get(name)!.push(s);
  };
  for (const u of [alice, bob]) {
    await step('init', u, [
      'init',
      u.name,
      '--domain',
      ZONE,
      '--endpoint',
      node.endpoint,
      '--dns-resolvers',
      `127.0.0.1:${node.port}`,
      '--no-probe-local-dns',
    ]);
    await step('tsig register', u, [
      'tsig',
      'register',
      '--node',
      `127.0.0.1:${node.httpPort}`,
      '--scheme',
      'http',
      '--dns-server',
      '127.0.0.1',
      '--dns-port',
      String(node.port),
    ]);
    // First-contact claims to this node instead of the public seed (not timed).
    await u.editConfig((c) => {
      c.claim_provider_override = node.endpoint;
      c.claim_provider_zone = ZONE;
    });
    u.env.DMP_PROVIDER_DNS_PORT = String(node.port);
    await step('identity publish', u, ['identity', 'publish']);
  }
  await step('identity fetch --add', alice, ['identity', 'fetch', bob.name, '--add']);
  await step('identity fetch --add', bob, ['identity', 'fetch', alice.name, '--add']);
  await step('send', alice, ['send', bob.name, `bench message ${round}`]);
  await step('recv (1 waiting)', bob, ['recv']);
  await step('recv (none waiting)', bob, ['recv']);
  await step('identity show', alice, ['identity', 'show']);
}

/** Median wall time of `node -e 0` in the CLI's environment: Node's own start-up. */
async function nodeFloor(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = performance.now();
    await run(process.execPath, ['-e', '0'], { env: cleanEnv() });
    if (i > 0) times.push(performance.now() - start); // the first run warms the file cache
  }
  return median(times);
}

async function benchCli(haveBuilt: boolean): Promise<void> {
  const node = await startMeshNode(ZONE, {
    // Bench traffic from one address would trip the node's per-client limits.
    env: { DMP_DNS_RRL_RATE: '0', DMP_DNS_RESPONSE_BYTES_PER_NETWORK: '0' },
  });
  const variants = haveBuilt ? [true, false] : [false];
  const samples = new Map(
    variants.map((built) => [built, new Map<Step, Sample[]>(STEPS.map((s) => [s, []]))]),
  );
  // Warm-up (file cache, tsx's transform cache), not recorded.
  for (const built of variants) await cliRound(node, 99, built, new Map(STEPS.map((s) => [s, []])));
  for (let round = 0; round < RUNS; round++) {
    for (const built of variants) await cliRound(node, round, built, samples.get(built)!);
  }
  const header = ['step', 'runs'];
  for (const built of variants) {
    const v = built ? 'built' : 'tsx';
    header.push(`${v} wall ms`, `${v} in-process ms`);
  }
  header.push('unlock ms', 'DNS lookups');
  const rows: (string | number)[][] = STEPS.map((name) => {
    const row: (string | number)[] = [name, samples.get(variants[0]!)!.get(name)!.length];
    for (const built of variants) {
      const s = samples.get(built)!.get(name)!;
      row.push(fmt(median(s.map((x) => x.wall))));
      const inProc = s.map((x) => x.inProcess).filter((x): x is number => x !== undefined);
      row.push(inProc.length ? fmt(median(inProc)) : '—');
    }
    const first = samples.get(variants[0]!)!.get(name)!;
    const unlock = first.map((x) => x.unlock).filter((x): x is number => x !== undefined);
    row.push(unlock.length ? fmt(median(unlock)) : '—');
    const q = first.map((x) => x.queries).filter((x): x is number => x !== undefined);
    row.push(q.length ? String(median(q)) : '—');
    return row;
  });
  printTable(
    `dnsmesh CLI steps against a real node on loopback (median of ${RUNS} rounds; init/register/publish/fetch: 2 users per round)`,
    header,
    rows,
  );
  const floor = await nodeFloor();
  const certs = process.env.NODE_EXTRA_CA_CERTS ? ' (NODE_EXTRA_CA_CERTS is set)' : '';
  console.log(`  Node alone, \`node -e 0\` in the same environment${certs}: ${fmt(floor)} ms wall`);
  const main = samples.get(variants[0]!)!;
  for (const name of ['send', 'recv (1 waiting)'] as const) {
    const m = median(main.get(name)!.map((x) => x.wall));
    console.log(
      `  ${name}: ${fmt(m)} ms wall (${variants[0] ? 'built' : 'tsx'}) — target ≤ ${TARGET_MS} ms: ${m <= TARGET_MS ? 'met' : 'NOT met'}`,
    );
  }
  await node.stop();
}

// ---------------------------------------------------------------------------
// 2. Client-side receive cost

interface CostRow {
  readonly n: number;
  readonly idleFull: number;
  readonly idleClaimsOnly: number;
  readonly claimsQueries: number;
  readonly claimsMs: number;
  readonly walkQueries: number;
  readonly walkMs: number;
}

async function receiveCost(n: number): Promise<CostRow> {
  const zones = ['bob.test', ...Array.from({ length: n }, (_, i) => `z${i}.test`)];
  const world = await TestWorld.start(zones);
  try {
    const bob = world.user('bob', 'bob.test');
    const friends: TestUser[] = Array.from({ length: n }, (_, i) =>
      world.user(`friend${i}`, `z${i}.test`),
    );
    const contacts = Object.fromEntries(friends.map((f) => [f.name, pinned(f)]));
    const dir = await tempDir('dnsmesh-bench-state-');
    let fresh = 0;
    /** A client for bob with an empty state file, so each run sees every waiting message. */
    const bobClient = (): { client: DmpClient; close: () => void } => {
      const state = openSqliteClientState(join(dir, `state-${fresh++}.db`));
      return { client: bob.client({ contacts, state }), close: () => state.close() };
    };
    const receive = async (options: Parameters<DmpClient['receive']>[0], expect: number) => {
      const qs: number[] = [];
      const ms: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const { client, close } = bobClient();
        try {
          const got = await client.receive(options);
          if (got.messages.length !== expect) {
            throw new Error(
              `receive with ${n} contacts: ${got.messages.length} messages, expected ${expect}`,
            );
          }
          qs.push(got.stats.queries.queries);
          ms.push(got.stats.durationMs);
        } finally {
          close();
        }
      }
      return { queries: median(qs), ms: median(ms) };
    };

    const idleFull = await receive({}, 0);
    const idleClaimsOnly = await receive({ primaryOnly: true }, 0);
    // N messages announced by receiver-zone claims (contact pinned with its zone).
    for (const f of friends)
      await f.client({ contacts: { bob: pinned(bob) } }).send('bob', `hi from ${f.name}`);
    const claims = await receive({ primaryOnly: true }, n);
    world.dns.records.clear();
    // N messages without claims: only the slot walk finds them.
    for (const f of friends)
      await f.client({ contacts: { bob: pinned(bob, false) } }).send('bob', `walk ${f.name}`);
    const walk = await receive({ skipPrimary: true }, n);
    return {
      n,
      idleFull: idleFull.queries,
      idleClaimsOnly: idleClaimsOnly.queries,
      claimsQueries: claims.queries,
      claimsMs: claims.ms,
      walkQueries: walk.queries,
      walkMs: walk.ms,
    };
  } finally {
    await world.close();
  }
}

// ---------------------------------------------------------------------------

console.log(`dnsmesh CLI benchmarks — Node ${process.version}, ${new Date().toISOString()}`);
try {
  const haveBuilt = await ensureBuilt();
  await benchCli(haveBuilt);
  const rows: (string | number)[][] = [];
  for (const n of [1, 5, 20]) {
    const r = await receiveCost(n);
    rows.push([
      r.n,
      r.idleFull,
      r.idleClaimsOnly,
      r.claimsQueries,
      fmt(r.claimsMs),
      r.walkQueries,
      fmt(r.walkMs),
    ]);
  }
  printTable(
    `Client receive cost, N pinned contacts in N zones (DmpClient stats.queries; median of ${RUNS}; loopback, no added latency)`,
    [
      'N',
      'idle: full recv',
      'idle: claims only',
      'N waiting, claims: lookups',
      'ms',
      'N waiting, slot walk: lookups',
      'ms',
    ],
    rows,
  );
  console.log(
    '  idle full = 10 own claim slots + 10 slots per polled zone (own + N); a claim-announced message adds the 10 slots of its sender zone + k chunks.',
  );
} finally {
  await cleanup();
}
