/**
 * `npm run bench`: protocol-core benchmarks, printed as tables. Numbers are
 * reported, never asserted. Every loop is bounded in count and time.
 *
 * The reference (Python dnsmesh 0.7.5) figures used for ratios were measured
 * on this class of machine in-process, as given in the protocol-core issue:
 * send ≈ 4 ms and receive ≈ 5 ms per 1 KB message, Argon2id unlock 27–43 ms.
 */

import { unwrapChunkBlock, wrapChunkBlock } from '../src/protocol/coding/chunk-block.js';
import { erasureDecode, erasureEncode } from '../src/protocol/coding/erasure.js';
import { rsDecode, rsEncode } from '../src/protocol/coding/reed-solomon.js';
import { installCryptoProvider } from '../src/protocol/crypto/active.js';
import { deriveIdentity, identityFromPrivateKey } from '../src/protocol/crypto/identity.js';
import { nobleCryptoProvider } from '../src/protocol/crypto/noble-provider.js';
import type { CryptoProvider } from '../src/protocol/crypto/provider.js';
import { openMessage } from '../src/protocol/message/open.js';
import { sealMessage } from '../src/protocol/message/seal.js';
import { nodeCryptoProvider } from '../src/runtime/node-crypto-provider.js';
import { fmt, measure, measureAsync, printTable } from './lib/measure.js';

const REFERENCE_SEND_RECV_1KB_MICROS = 9000;
const providers: CryptoProvider[] = [nodeCryptoProvider, nobleCryptoProvider];
const salt = new TextEncoder().encode('bench-salt-0123456789');

console.log(`dnsmesh protocol benchmarks — Node ${process.version}, ${new Date().toISOString()}`);

// 1. Argon2id unlock.
const unlockRows: (string | number)[][] = [];
for (const p of providers) {
  installCryptoProvider(p);
  const m = await measureAsync(() => deriveIdentity('correct horse battery staple', salt), {
    warmup: 1,
    maxIterations: 10,
    maxMillis: 4000,
  });
  unlockRows.push([p.name, fmt(m.medianMicros / 1000), fmt(m.meanMicros / 1000), m.iterations]);
}
printTable(
  'Identity unlock (Argon2id t=2, m=32 MiB, p=2)',
  ['provider', 'median ms', 'mean ms', 'runs'],
  unlockRows,
);

// 2. Seal and open.
const alice = identityFromPrivateKey(new Uint8Array(32).fill(1));
const bob = identityFromPrivateKey(new Uint8Array(32).fill(2));
const now = Math.floor(Date.now() / 1000);
const sizes: [string, number][] = [
  ['100 B', 100],
  ['1 KB', 1024],
  ['4 KB', 4096],
  ['20 KB', 20_480],
];
const sealRows: (string | number)[][] = [];
let oneKbNodeTotal = 0;
for (const p of providers) {
  installCryptoProvider(p);
  for (const [label, size] of sizes) {
    const body = new Uint8Array(size).fill(0x61);
    const seal = () =>
      sealMessage({
        sender: alice,
        senderZone: 'alice.example',
        recipient: { x25519Public: bob.x25519Public, claimZone: 'bob.example' },
        body,
        now,
      });
    const sealed = seal();
    const s = measure(seal, { warmup: 5, maxIterations: 500, maxMillis: 1200 });
    const o = measure(
      () => {
        const r = openMessage(sealed.records, { identity: bob }, { now });
        if (!r.ok) throw new Error(r.detail);
      },
      { warmup: 5, maxIterations: 500, maxMillis: 1200 },
    );
    const records = sealed.records.length;
    const total = s.medianMicros + o.medianMicros;
    if (p === nodeCryptoProvider && size === 1024) oneKbNodeTotal = total;
    sealRows.push([
      `${p.name} ${label}`,
      records,
      fmt(s.medianMicros),
      fmt((records * 1e6) / s.medianMicros, 0),
      fmt(o.medianMicros),
      fmt((records * 1e6) / o.medianMicros, 0),
      fmt(total),
    ]);
  }
}
printTable(
  'Seal and open (one message; records = chunks + manifest + claim)',
  ['provider / body', 'records', 'seal µs', 'seal rec/s', 'open µs', 'open rec/s', 'seal+open µs'],
  sealRows,
);
console.log(
  `\n1 KB seal+open with ${nodeCryptoProvider.name}: ${fmt(oneKbNodeTotal)} µs — ` +
    `${fmt(REFERENCE_SEND_RECV_1KB_MICROS / oneKbNodeTotal)}× the reference's ~9 ms in-process send+receive`,
);

// 3. Coding throughput (provider only matters for the SHA-256 inside wrap/unwrap).
installCryptoProvider(nodeCryptoProvider);
const block = new Uint8Array(128).map((_, i) => (i * 7) & 0xff);
const codeword = rsEncode(block);
const damaged = Uint8Array.from(codeword);
for (let i = 0; i < 16; i++) damaged[i * 9] = damaged[i * 9]! ^ 0x5a;
const wire = wrapChunkBlock(block);
const mbps = (bytes: number, micros: number) => fmt(bytes / micros, 1);
const codingRows: (string | number)[][] = [];
const rsEnc = measure(() => rsEncode(block), { maxIterations: 200_000 });
codingRows.push(['RS encode (128 B block)', mbps(128, rsEnc.meanMicros)]);
const rsDec = measure(() => rsDecode(codeword), { maxIterations: 200_000 });
codingRows.push(['RS decode, clean codeword', mbps(128, rsDec.meanMicros)]);
const rsDec16 = measure(() => rsDecode(damaged), { maxIterations: 50_000 });
codingRows.push(['RS decode, 16 byte errors', mbps(128, rsDec16.meanMicros)]);
const wr = measure(() => wrapChunkBlock(block), { maxIterations: 100_000 });
codingRows.push(['chunk wrap (SHA-256 + RS)', mbps(128, wr.meanMicros)]);
const uw = measure(() => unwrapChunkBlock(wire), { maxIterations: 100_000 });
codingRows.push(['chunk unwrap (RS + SHA-256)', mbps(128, uw.meanMicros)]);
for (const size of [1024, 4096, 20_480]) {
  const data = new Uint8Array(size).map((_, i) => (i * 13) & 0xff);
  const enc = erasureEncode(data);
  const e = measure(() => erasureEncode(data), { maxIterations: 20_000 });
  codingRows.push([`erasure encode ${size} B (k=${enc.k}, n=${enc.n})`, mbps(size, e.meanMicros)]);
  const dataShares = new Map(enc.shares.slice(0, enc.k).map((s, i) => [i, s] as const));
  const d1 = measure(() => erasureDecode(dataShares, enc.k, enc.n), { maxIterations: 20_000 });
  codingRows.push([`erasure decode ${size} B, data shares`, mbps(size, d1.meanMicros)]);
  const lossy = new Map(enc.shares.map((s, i) => [i, s] as const).slice(enc.n - enc.k));
  const d2 = measure(() => erasureDecode(lossy, enc.k, enc.n), { maxIterations: 20_000 });
  codingRows.push([
    `erasure decode ${size} B, ${enc.n - enc.k} data shares lost`,
    mbps(size, d2.meanMicros),
  ]);
}
printTable('Coding throughput', ['operation', 'MB/s'], codingRows);
