/**
 * Bench-only data generator for `npm run bench:node`: a DMP zone of real,
 * protocol-valid records, written twice — straight into the node's sqlite
 * store (`openNodeStores`, no UPDATE round trips) and as a zone file with the
 * same names and values for NSD — plus the dnsperf/nsupdate input files.
 *
 * The shape follows the anchors' gen_zone.py (shared/bench/anchors): 2,000
 * messages from `sealMessage`, each 4 erasure-coded chunks (`chunk-NNNN-…`,
 * 241-char values) and one signed slot manifest (`slot-N.mb-…`); 195
 * mailboxes × slots 0–9 hold one manifest each, and 10 further `slot-0`
 * names hold five manifests each (5-value RRsets). That is 10,000 TXT RRs on
 * 9,960 names, like the anchors' zone. Unlike the anchors' random bytes the
 * values are real: manifests are signed (≈420 chars, 2 character-strings),
 * chunks open with the recipients' keys.
 *
 *   tsx bench/node/gen-data.ts --out DIR [--zone mesh.test] [--seed S]
 *       [--big 100000] [--updates 1000] [--dnsperf-updates 5000]
 *
 * Writes into DIR: zone/mesh.test.zone (file name fixed by the anchors'
 * servers.sh, whatever the zone), names.txt, queries-hit.txt, queries-nx20.txt,
 * updates.nsupdate, updates.dnsperf, node10k/dnsmesh.db, and with --big N
 * node-big/dnsmesh.db (≈N records: the 10k set plus more messages) and
 * queries-big.txt; stats.txt describes what was written.
 *
 * Deterministic for a given seed and `--now` (default: the current time,
 * which the manifests carry). Records live `--store-ttl` seconds (default a
 * day) so a long run never sees them expire; answers carry the node's
 * configured DNS TTL and the zone file's `$TTL` (`--ttl`, default 300).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installNodeCrypto } from '../../src/index.js';
import { openNodeStores } from '../../src/node/store/sqlite/node-stores.js';
import type { StoreOp } from '../../src/node/store/types.js';
import {
  identityFromPrivateKey,
  newMessageId,
  openMessage,
  type RandomBytes,
  type SealedRecord,
  sealMessage,
} from '../../src/protocol/index.js';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    zone: { type: 'string', default: 'mesh.test' },
    seed: { type: 'string', default: 'dnsmesh-bench-node-1' },
    now: { type: 'string' },
    ttl: { type: 'string', default: '300' },
    'store-ttl': { type: 'string', default: '86400' },
    mailboxes: { type: 'string', default: '195' },
    multi: { type: 'string', default: '10' },
    'nx-share': { type: 'string', default: '0.2' },
    updates: { type: 'string', default: '1000' },
    'dnsperf-updates': { type: 'string', default: '5000' },
    big: { type: 'string', default: '0' },
  },
});
if (!args.out) {
  console.error('gen-data: --out DIR is required');
  process.exit(64);
}
const OUT = args.out;
const ZONE = args.zone!;
const DNS_TTL = Number(args.ttl);
const STORE_TTL = Number(args['store-ttl']);
const UPDATE_TTL = 300;
const NOW = args.now ? Number(args.now) : Math.floor(Date.now() / 1000);
const MAILBOXES = Number(args.mailboxes);
const MULTI = Number(args.multi);
const BIG = Number(args.big);

installNodeCrypto();

/** A deterministic byte stream: SHA-256 of seed and counter. Bench data only. */
function seededRandom(seed: string): RandomBytes {
  let counter = 0;
  let pool = new Uint8Array(0);
  let pos = 0;
  return (n) => {
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      if (pos >= pool.length) {
        pool = createHash('sha256').update(`${seed}:${counter++}`).digest();
        pos = 0;
      }
      const take = Math.min(n - o, pool.length - pos);
      out.set(pool.subarray(pos, pos + take), o);
      o += take;
      pos += take;
    }
    return out;
  };
}

const rng = seededRandom(args.seed!);
const u32 = () => new DataView(rng(4).buffer).getUint32(0);
const hex12 = () => Buffer.from(rng(6)).toString('hex');

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = u32() % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const sender = identityFromPrivateKey(rng(32));
const recipientKey = () => identityFromPrivateKey(rng(32)).x25519Public;

/** Proves the generated records are the real thing: the recipient opens one message. */
function selfCheck(): void {
  const bob = identityFromPrivateKey(rng(32));
  const sealed = seal(bob.x25519Public, 3);
  const opened = openMessage(sealed, { identity: bob }, { now: NOW });
  if (!opened.ok) throw new Error(`self-check: sealed records do not open (${opened.code})`);
}

/** A message id whose slot (`u32(msg_id[0:4]) mod 10`) is `slot`. */
function msgIdForSlot(slot: number): Uint8Array {
  const id = newMessageId(rng);
  const v = new DataView(id.buffer);
  const x = v.getUint32(0) & 0x7fffffff;
  v.setUint32(0, x - (x % 10) + slot);
  return id;
}

/** Seals one small message (1–16 B body: k=3, n=4 chunks) to `recipient` in `slot`. */
function seal(recipient: Uint8Array, slot: number): readonly SealedRecord[] {
  const sealed = sealMessage({
    sender,
    senderZone: ZONE,
    recipient: { x25519Public: recipient },
    body: rng(1 + (u32() % 16)),
    now: NOW,
    ttl: STORE_TTL,
    msgId: msgIdForSlot(slot),
    randomBytes: rng,
  });
  if (sealed.slot !== slot) throw new Error(`slot ${sealed.slot} != ${slot}`);
  return sealed.records.filter((r) => r.kind !== 'claim');
}

interface Rr {
  readonly name: string;
  readonly value: string;
}

/** The zone's records: MULTI 5-value slot-0 names, then MAILBOXES × 10 slots. */
function zoneRecords(mailboxes: number, multi: number): Rr[] {
  const rrs: Rr[] = [];
  const add = (records: readonly SealedRecord[]) => {
    for (const r of records) rrs.push({ name: r.name, value: r.value });
  };
  for (let m = 0; m < multi; m++) {
    const key = recipientKey();
    for (let i = 0; i < 5; i++) add(seal(key, 0));
  }
  for (let m = 0; m < mailboxes; m++) {
    const key = recipientKey();
    for (let s = 0; s < 10; s++) add(seal(key, s));
  }
  return rrs;
}

/** Unique owner names in first-seen order. */
function ownerNames(rrs: readonly Rr[]): string[] {
  return [...new Set(rrs.map((r) => r.name))];
}

function writeStore(dir: string, rrs: readonly Rr[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stores = openNodeStores(join(dir, 'dnsmesh.db'));
  try {
    for (let i = 0; i < rrs.length; i += 2000) {
      const ops: StoreOp[] = rrs
        .slice(i, i + 2000)
        .map((r) => ({ kind: 'add', name: r.name, value: r.value, ttl: STORE_TTL }));
      stores.records.apply(ops, NOW);
    }
    const live = stores.records.liveCount(NOW);
    if (live !== new Set(rrs.map((r) => `${r.name}\n${r.value}`)).size) {
      throw new Error(`store holds ${live} live rows, expected ${rrs.length}`);
    }
  } finally {
    stores.close();
  }
}

/** A TXT value as zone-file character-strings, split every 255 octets as the node does. */
function zoneTxt(value: string): string {
  if (/["\\]/.test(value) || /[^\x20-\x7e]/.test(value)) throw new Error('unexpected TXT value');
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(`"${value.slice(i, i + 255)}"`);
  return parts.join(' ');
}

const lines = (xs: readonly string[]) => xs.map((x) => `${x}\n`).join('');

mkdirSync(join(OUT, 'zone'), { recursive: true });
const t0 = performance.now();
selfCheck();
const rrs = zoneRecords(MAILBOXES, MULTI);
const names = ownerNames(rrs);
const used = new Set(names);

// The anchors' servers.sh always loads `$ANCHORS_DATA/mesh.test.zone`.
writeFileSync(
  join(OUT, 'zone', 'mesh.test.zone'),
  `$ORIGIN ${ZONE}.\n$TTL ${DNS_TTL}\n` +
    `@ IN SOA ns1.${ZONE}. hostmaster.${ZONE}. 1 3600 600 604800 ${DNS_TTL}\n` +
    `@ IN NS ns1.${ZONE}.\nns1 IN A 127.0.0.1\n` +
    rrs.map((r) => `${r.name}. IN TXT ${zoneTxt(r.value)}\n`).join(''),
);
writeFileSync(join(OUT, 'names.txt'), lines(names));
writeFileSync(join(OUT, 'queries-hit.txt'), lines(shuffle([...names]).map((n) => `${n} TXT`)));

const nxCount = Math.round(names.length * Number(args['nx-share']));
const mix = shuffle([...names]).slice(0, names.length - nxCount);
for (let i = 0; i < nxCount; i++) {
  let n: string;
  do {
    n =
      i % 2
        ? `chunk-${String(u32() % 4).padStart(4, '0')}-${hex12()}.${ZONE}`
        : `slot-${u32() % 10}.mb-${hex12()}.${ZONE}`;
  } while (used.has(n));
  used.add(n);
  mix.push(n);
}
writeFileSync(join(OUT, 'queries-nx20.txt'), lines(shuffle(mix).map((n) => `${n} TXT`)));

/** `count` valid chunk records of new messages (names not in the zone). */
function newChunks(count: number): Rr[] {
  const out: Rr[] = [];
  while (out.length < count) {
    for (const r of seal(recipientKey(), u32() % 10)) {
      if (r.kind === 'chunk' && out.length < count) out.push({ name: r.name, value: r.value });
    }
  }
  return out;
}
const updates = newChunks(Number(args.updates));
writeFileSync(
  join(OUT, 'updates.nsupdate'),
  updates
    .map((r) => `update add ${r.name}. ${UPDATE_TTL} IN TXT ${zoneTxt(r.value)}\nsend\n`)
    .join(''),
);
const dnsperfUpdates = newChunks(Number(args['dnsperf-updates']));
writeFileSync(
  join(OUT, 'updates.dnsperf'),
  dnsperfUpdates
    .map((r) => `${ZONE}\nadd ${r.name}. ${UPDATE_TTL} TXT ${zoneTxt(r.value)}\nsend\n`)
    .join(''),
);

writeStore(join(OUT, 'node10k'), rrs);

const lens = (kind: string) =>
  rrs.filter((r) => r.name.startsWith(kind)).map((r) => r.value.length);
const chunkLens = lens('chunk-');
const slotLens = lens('slot-');
const stats = [
  `zone=${ZONE} now=${NOW} seed=${args.seed} store_ttl=${STORE_TTL} dns_ttl=${DNS_TTL}`,
  `txt_rrs=${rrs.length} owner_names=${names.length} chunk_rrs=${chunkLens.length} ` +
    `manifest_rrs=${slotLens.length} multi_rrsets=${MULTI}x5`,
  `chunk_value_len min=${Math.min(...chunkLens)} max=${Math.max(...chunkLens)} ` +
    `manifest_value_len min=${Math.min(...slotLens)} max=${Math.max(...slotLens)}`,
  `queries-hit=${names.length} queries-nx20=${mix.length} (nx=${nxCount}) ` +
    `updates.nsupdate=${updates.length} updates.dnsperf=${dnsperfUpdates.length}`,
];

if (BIG > 0) {
  // The 10k zone plus more mailboxes of 10 single-manifest slots (5 RRs per message).
  const extraMailboxes = Math.max(0, Math.ceil((BIG - rrs.length) / 50));
  const big = rrs.concat(zoneRecords(extraMailboxes, 0));
  writeStore(join(OUT, 'node-big'), big);
  const bigNames = ownerNames(big);
  writeFileSync(join(OUT, 'queries-big.txt'), lines(shuffle(bigNames).map((n) => `${n} TXT`)));
  stats.push(`big_store txt_rrs=${big.length} owner_names=${bigNames.length}`);
}
stats.push(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
writeFileSync(join(OUT, 'stats.txt'), lines(stats));
process.stdout.write(lines(stats));
