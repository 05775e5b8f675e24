/**
 * Focused micro-benchmark of the node's UPDATE path, without sockets or a
 * client: where the serial `nsupdate` time goes on the server side.
 *
 *   tsx bench/node/update-micro.ts [--records 10000] [--updates 3000] [--reps 3]
 *       [--only respond,apply,verify] [--synchronous normal|full] [--audit]
 *
 * Builds a file-backed node database (WAL, as the daemon opens it, with
 * `--synchronous` as DMP_SQLITE_SYNCHRONOUS, default normal) holding
 * `--records` chunk-shaped TXT records, mints a TSIG key, and signs
 * `--updates` single-add UPDATEs (241-character chunk values, as
 * bench/node/run.sh sends). Then, one rep at a time on a fresh copy of that
 * database, it times per UPDATE:
 *
 *   respond   the whole responder (parse, TSIG verify, checks, store apply,
 *             signed reply), with the daemon's prom-client metrics
 *   apply     `records.apply` of the same ops alone (the write transaction)
 *   verify    the same requests answered with UPDATE disabled (parse, TSIG
 *             verify, signed REFUSED reply: everything but the UPDATE step)
 *
 * `--audit` adds the daemon's UPDATE audit log (one JSON line per UPDATE,
 * written synchronously to /dev/null).
 *
 * Numbers are µs per UPDATE, median of the reps; reported, never asserted.
 * Wrap it in `node --cpu-prof --import tsx` for a profile.
 */
import { copyFileSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { signMessage } from '../../src/dns/tsig.js';
import { txtAdd, updateMessage } from '../../src/dns/wire/update.js';
import { createNodeResponder } from '../../src/node/dns/node-responder.js';
import type { NodeResponderConfig } from '../../src/node/dns/responder-config.js';
import { UpdateAuditLog } from '../../src/node/dns/update-audit.js';
import { createNodeLogger } from '../../src/node/log.js';
import { createNodeMetrics } from '../../src/node/metrics.js';
import { openNodeStores } from '../../src/node/store/sqlite/node-stores.js';
import type { SqliteSynchronous } from '../../src/node/store/sqlite/synchronous.js';
import type { StoreOp } from '../../src/node/store/types.js';
import { installNodeCrypto } from '../../src/runtime/node-crypto-provider.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    updates: { type: 'string', default: '3000' },
    reps: { type: 'string', default: '3' },
    only: { type: 'string' },
    synchronous: { type: 'string', default: 'normal' },
    audit: { type: 'boolean', default: false },
  },
});
const RECORDS = Number(args.records);
const UPDATES = Number(args.updates);
const REPS = Number(args.reps);
const MODES = (args.only?.split(',') ?? ['respond', 'apply', 'verify']) as Mode[];
const SYNCHRONOUS = args.synchronous as SqliteSynchronous;
const ZONE = 'mesh.test';
const NOW = Math.floor(Date.now() / 1000);
const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const KEY = { name: 'bench-key.mesh.test', algorithm: 'hmac-sha256', secret: SECRET };

installNodeCrypto();

let seed = 0x2545f491;
function hex(n: number): string {
  let s = '';
  while (s.length < n) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    s += (seed >>> 8).toString(16).padStart(6, '0');
  }
  return s.slice(0, n);
}
const chunkValue = () => `v=dmp1;t=chunk;d=${hex(224)}`.slice(0, 241);
const chunkName = (i: number) => `chunk-${String(i % 10_000).padStart(4, '0')}-${hex(12)}.${ZONE}`;

const dir = mkdtempSync(join(tmpdir(), 'dnsmesh-update-micro-'));
const pristine = join(dir, 'pristine.db');
{
  const stores = openNodeStores(pristine);
  const ops: StoreOp[] = [];
  for (let i = 0; i < RECORDS; i++) {
    ops.push({ kind: 'add', name: chunkName(i), value: chunkValue(), ttl: 86_400 });
  }
  for (let i = 0; i < ops.length; i += 1000) stores.records.apply(ops.slice(i, i + 1000), NOW);
  stores.tsigKeys.upsert({
    ...KEY,
    allowedSuffixes: [ZONE],
    createdAt: NOW - 10,
    expiresAt: 0,
    revoked: false,
    subject: '',
    registeredSpk: '',
    registeredX25519Pub: '',
  });
  stores.close(); // checkpoints: the copy below is the whole database
}

const updateOps: StoreOp[] = [];
const wires: Uint8Array[] = [];
for (let i = 0; i < UPDATES; i++) {
  const name = chunkName(RECORDS + i);
  const value = chunkValue();
  updateOps.push({ kind: 'add', name, value, ttl: 300 });
  const msg = updateMessage({ id: i & 0xffff, zone: ZONE, updates: [txtAdd(name, 300, value)] });
  wires.push(signMessage(msg, KEY, { timeSigned: NOW }).wire);
}

const config = (enabled: boolean): NodeResponderConfig => ({
  zone: ZONE,
  dns: { ttl: 300 },
  apex: { ns: `ns1.${ZONE}`, soaRname: `hostmaster.${ZONE}`, a: '127.0.0.1' },
  update: { enabled, claimProvider: true, receiverClaims: false, claimMaxTtl: 86_400 },
  caps: { maxTtl: 86_400, maxValueBytes: 2048, maxValuesPerName: 64 },
});

const devNull = openSync('/dev/null', 'w');
const auditLogger = createNodeLogger({
  level: 'info',
  format: 'json',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      writeSync(devNull, chunk);
      done();
    },
  }),
});

type Mode = 'respond' | 'apply' | 'verify';
function rep(mode: Mode, n: number): number {
  const path = join(dir, `rep-${mode}-${n}.db`);
  copyFileSync(pristine, path);
  // Unbounded, as the daemon runs by default (DMP_MAX_RECORDS=0).
  const stores = openNodeStores(path, { synchronous: SYNCHRONOUS });
  const metrics = createNodeMetrics({ records: stores.records, now: () => NOW });
  const responder = createNodeResponder(
    {
      records: stores.records,
      tsigKeys: stores.tsigKeys,
      clock: () => NOW,
      metrics: metrics.responder,
      ...(args.audit ? { audit: new UpdateAuditLog(auditLogger) } : {}),
    },
    config(mode !== 'verify'),
  );
  const ctx = { transport: 'udp', remoteAddress: '127.0.0.1' } as const;
  let bad = 0;
  const t0 = process.hrtime.bigint();
  if (mode === 'apply') {
    for (const op of updateOps) stores.records.apply([op], NOW);
  } else {
    for (const wire of wires) {
      const r = responder.respond(wire, ctx);
      if (r === undefined || r.rcode !== (mode === 'verify' ? 5 : 0)) bad++;
    }
  }
  const t1 = process.hrtime.bigint();
  stores.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  if (bad > 0) throw new Error(`${mode}: ${bad} unexpected answers`);
  return Number(t1 - t0) / 1000 / UPDATES;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<Mode, number[]> = { respond: [], apply: [], verify: [] };
for (let n = 0; n < REPS; n++) {
  for (const mode of MODES) results[mode].push(rep(mode, n));
}
console.log(
  `records=${RECORDS} updates=${UPDATES} reps=${REPS} synchronous=${SYNCHRONOUS} ` +
    `audit=${args.audit ? 'on' : 'off'} ` +
    '(µs per UPDATE, median; all reps)',
);
for (const mode of MODES) {
  const all = results[mode].map((x) => x.toFixed(1)).join(' ');
  console.log(`${mode.padEnd(8)} ${median(results[mode]).toFixed(1).padStart(7)}   [${all}]`);
}
rmSync(dir, { recursive: true, force: true });
