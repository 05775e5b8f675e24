/**
 * Renders one `bench/node/run.sh` results directory as Markdown: the query
 * table (NSD and our node, interleaved, with ratios), then writes, memory and
 * start-up. Reads queries.tsv (the anchors' qperf.sh RESULTS rows),
 * updates.tsv (uperf.sh RESULTS rows), extra.tsv (key, value) and env.txt.
 * Reports; never asserts.
 *
 *   tsx bench/node/report.ts /tmp/dnsmesh-bench/<stamp>
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: report.ts RESULTS_DIR');
  process.exit(64);
}

// Measured earlier on this machine (shared/bench/anchors/README.md and the task brief).
const REFERENCE_NODE_QPS = 2050;
const NODE_CEILING_QPS = 131_000;
const TARGET_QPS_PER_CORE = 80_000;
const TARGET_UPDATES_SERIAL = 3000;

const tsv = (file: string): string[][] =>
  existsSync(join(dir, file))
    ? readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.split('\t'))
    : [];

const num = (s: string | undefined): number => (s === undefined || s === '' ? NaN : Number(s));
const int = (n: number): string =>
  Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
const fix = (n: number, d: number): string => (Number.isFinite(n) ? n.toFixed(d) : '–');
const ratio = (a: number, b: number): string =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–';
const millions = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} k` : String(n);

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

interface QueryRow {
  server: string;
  placement: string;
  workload: string;
  qps: [number, number, number];
  meanLatMs: number;
  p50p99: string;
  lost: number;
  sent: number;
  respBytes: string;
  cores: number;
  perCore: number;
}

const queries: QueryRow[] = tsv('queries.tsv').map((c) => {
  const [server = '?', placement = '?', workload = '?'] = (c[0] ?? '').split('|');
  return {
    server,
    placement,
    workload,
    qps: [num(c[1]), num(c[2]), num(c[3])],
    meanLatMs: num(c[5]),
    p50p99: c[13] ?? '',
    lost: num(c[7]),
    sent: num(c[8]),
    respBytes: c[9] ?? '',
    cores: num(c[10]),
    perCore: num(c[11]),
  };
});

const fixedRate = (r: QueryRow) => r.workload.includes('@');
const p50 = (r: QueryRow) => num(r.p50p99.split('/')[0]);

const qRows: string[][] = [];
for (const r of queries) {
  const nsd = queries.find((o) => o.server === 'nsd' && o.workload === r.workload);
  let vs = '–';
  let vsCore = '–';
  if (r.server !== 'nsd' && nsd) {
    if (fixedRate(r)) {
      vs = `p50 ${ratio(p50(r), p50(nsd))}`;
    } else {
      vs = ratio(r.qps[1], nsd.qps[1]);
      vsCore = ratio(r.perCore, nsd.perCore);
    }
  }
  qRows.push([
    r.server,
    r.placement,
    r.workload,
    fixedRate(r) ? int(r.qps[1]) : r.qps.map(int).join(' / '),
    fix(r.meanLatMs, 3),
    r.p50p99 ? r.p50p99.replace('/', ' / ') : '–',
    `${int(r.lost)} / ${millions(r.sent)}`,
    r.respBytes,
    fix(r.cores, 2),
    fixedRate(r) ? '–' : int(r.perCore),
    vs,
    vsCore,
  ]);
}

const extra = new Map<string, string[]>();
for (const [k, v] of tsv('extra.tsv')) {
  if (k === undefined || v === undefined) continue;
  extra.set(k, [...(extra.get(k) ?? []), v]);
}
const one = (k: string) => num(extra.get(k)?.[0]);
const mib = (kb: number) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MiB` : '–');
function medianOf(k: string): { med: number; min: number; max: number; n: number } {
  const xs = (extra.get(k) ?? []).map(Number).filter(Number.isFinite);
  xs.sort((a, b) => a - b);
  const n = xs.length;
  const med = n === 0 ? NaN : n % 2 ? xs[(n - 1) / 2]! : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
  return { med, min: xs[0] ?? NaN, max: xs[n - 1] ?? NaN, n };
}

const wRows: string[][] = [];
for (const c of tsv('updates.tsv')) {
  const tool =
    c[1] === 'nsupdate' ? 'nsupdate, serial, 1000 adds' : 'dnsperf -u -c 10 -q 20, 5000 adds';
  const missing = num(c[8]);
  wRows.push([
    `UPDATE + TSIG (hmac-sha256): ${tool}`,
    `${int(num(c[2]))} / ${int(num(c[3]))} / ${int(num(c[4]))} updates/s`,
    `${fix(num(c[6]), 3)} ms per update (med); ` +
      (missing === 0
        ? 'every added record read back in every rep'
        : `${missing} rep(s) MISSING records`),
  ]);
}
const serialDiag: readonly [string, (n: number) => string][] = [
  ['diag', (n) => `one more nsupdate run of ${int(n)} on a fresh node`],
  ['diag_warm', (n) => `the 3rd run of ${int(n)} on that node (after ${int(2 * n)}: JIT-warm)`],
];
for (const [key, what] of serialDiag) {
  if (!extra.has(`${key}_updates`)) continue;
  const wall = one(`${key}_wall_ms_per_update`);
  wRows.push([
    `Serial UPDATE, ${what(one(`${key}_updates`))}: where the time goes`,
    `${fix(wall, 3)} ms wall per update (${int(1000 / wall)}/s)`,
    `node CPU ${fix(one(`${key}_server_cpu_ms_per_update`), 3)} ms, nsupdate CPU ` +
      `${fix(one(`${key}_client_cpu_ms_per_update`), 3)} ms per update (the rest: waits, loopback)`,
  ]);
}
const records10k = one('records10k');
wRows.push([
  `RSS, ${int(records10k)}-record store, after all query runs`,
  mib(one('rss10k_after_load_kb')),
  `VmHWM ${mib(one('hwm10k_after_load_kb'))}`,
]);
const bigStats = existsSync(join(dir, 'data', 'stats.txt'))
  ? /big_store txt_rrs=(\d+) owner_names=(\d+)/.exec(
      readFileSync(join(dir, 'data', 'stats.txt'), 'utf8'),
    )
  : null;
if (bigStats) {
  const big = int(Number(bigStats[1]));
  wRows.push([`RSS, ${big}-record store, idle after start`, mib(one('rss_big_idle_kb')), '']);
  wRows.push([
    `RSS, ${big}-record store, after one pass over all ${int(Number(bigStats[2]))} names`,
    mib(one('rss_big_after_pass_kb')),
    `VmHWM ${mib(one('hwm_big_kb'))}; pass ${int(one('big_pass_completed'))} / ` +
      `${int(one('big_pass_sent'))} answered at ${int(one('big_pass_qps'))} q/s; ` +
      `db file ${mib(one('big_db_bytes') / 1024)}`,
  ]);
}
for (const [key, label] of [
  ['start_node10k_ms', `${int(records10k)} records`],
  ['start_node-big_ms', bigStats ? `${int(Number(bigStats[1]))} records` : ''],
] as const) {
  const s = medianOf(key);
  if (s.n === 0) continue;
  wRows.push([
    `Cold start, spawn → first dig answer, ${label}`,
    `${int(s.med)} ms (median of ${s.n})`,
    `min ${int(s.min)} / max ${int(s.max)} ms; dig polls every ≈20 ms`,
  ]);
}

const env = existsSync(join(dir, 'env.txt')) ? readFileSync(join(dir, 'env.txt'), 'utf8') : '';
const out: string[] = [];
out.push(`## dnsmesh node vs NSD — ${dir}`, '');
out.push(
  env
    .split('\n')
    .filter((l) => /^(git|node|cpus|loadavg|config)=|^config /.test(l))
    .map((l) => `    ${l}`)
    .join('\n'),
  '',
);
out.push(
  table(
    [
      'server',
      'workers / placement',
      'workload',
      'qps min / med / max',
      'mean lat ms (med)',
      'p50 / p99 ms',
      'lost / sent',
      'resp B',
      'server cores',
      'qps per server core',
      'ours ÷ NSD',
      'ours ÷ NSD per core',
    ],
    qRows,
  ),
  '',
);
out.push(table(['writes, memory, start', 'value (min / med / max)', 'notes'], wRows), '');

const hit = queries.find((r) => r.server === 'ours' && r.workload === 'udp-hit');
const serial = tsv('updates.tsv').find((c) => c[1] === 'nsupdate');
const notes: string[] = [];
if (hit) {
  notes.push(
    `- UDP hits, ours: ${int(hit.qps[1])} q/s (${int(hit.perCore)} per server core); ` +
      `target ≥ ${int(TARGET_QPS_PER_CORE)} per core: ${hit.perCore >= TARGET_QPS_PER_CORE ? 'met' : 'not met'}. ` +
      `${ratio(hit.qps[1], REFERENCE_NODE_QPS)} the reference node's ≈${int(REFERENCE_NODE_QPS)} q/s; ` +
      `${ratio(hit.perCore, NODE_CEILING_QPS)} the bare Node.js UDP ceiling (≈131k, anchors' node_ceiling).`,
  );
}
if (serial) {
  const med = num(serial[3]);
  notes.push(
    `- Serial UPDATE: ${int(med)}/s; target ≥ ${int(TARGET_UPDATES_SERIAL)}/s: ` +
      `${med >= TARGET_UPDATES_SERIAL ? 'met' : 'not met'} (nsupdate timing includes its own TSIG signing and process start).`,
  );
}
notes.push(
  '- Earlier on this machine (other sessions, for scale only): NSD ≈340k, Knot ≈320k, BIND ≈180k q/s on one core; ' +
    'BIND ≈1,100 and Knot ≈80 serial UPDATEs/s. Compare only ratios taken in the same run.',
);
out.push(notes.join('\n'));
process.stdout.write(`${out.join('\n')}\n`);
