/**
 * Values at owners outside the served zone (a fake peer advertising one
 * ahead of an in-zone one, and answering every pull with both): never
 * asked for, never stored, counted as `off-zone`, and treated as handled,
 * so the watermark moves past them and they are not asked about again.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, expect, it } from 'vitest';
import { createNodeLogger } from '../../../src/node/log.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import { formatCursor } from '../../../src/node/sync/cursor.js';
import { createSyncMetrics } from '../../../src/node/sync/metrics.js';
import { AntiEntropyWorker } from '../../../src/node/sync/worker.js';

const TOKEN = 'sync-token-for-tests-0123456789';
const sha = (v: string) => createHash('sha256').update(v, 'utf8').digest('hex');
const NOW_S = () => Math.floor(Date.now() / 1000);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('stores no value outside the served zone, counts it, and lets the watermark pass it', async () => {
  const ts = Date.now() - 1000;
  const records = [
    { name: 'victim.other.example', value: 'planted' },
    { name: 'mesh.test.evil.example', value: 'suffix trick' },
    { name: 'notmesh.test', value: 'label trick' },
    { name: 'ok.mesh.test', value: 'in zone' },
    { name: 'MESH.TEST', value: 'the apex itself' },
  ];
  const entries = records.map((r, i) => ({
    name: r.name,
    hash: sha(r.value),
    ts: ts + i,
    ttl: 600,
  }));
  const digests: string[] = [];
  const pulls: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const url = new URL(req.url ?? '', 'http://x');
      if (url.pathname === '/v1/sync/digest') {
        const cursor = url.searchParams.get('cursor') ?? '';
        digests.push(cursor);
        const page = cursor === '0::' ? entries : [];
        res.end(JSON.stringify({ records: page, has_more: false, next_cursor: cursor }));
      } else {
        pulls.push(JSON.parse(body));
        // Hostile: every value, asked for or not.
        res.end(JSON.stringify({ records: records.map((r) => ({ ...r, ttl: 600 })) }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const stores = openNodeStores(MEMORY_PATH);
  cleanups.push(() => stores.close());
  const registry = new Registry();
  const worker = new AntiEntropyWorker({
    store: stores.records,
    peers: [{ id: 'fake', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }],
    token: TOKEN,
    intervalMs: 60_000,
    zone: 'mesh.test',
    log: createNodeLogger({
      level: 'warn',
      format: 'json',
      destination: new Writable({ write: (_c, _e, done) => done() }),
    }),
    metrics: createSyncMetrics(registry),
  });
  cleanups.push(() => worker.stop());
  await worker.tick();

  const now = NOW_S();
  expect(stores.records.query('ok.mesh.test', now)).toEqual(['in zone']);
  expect(stores.records.query('mesh.test', now)).toEqual(['the apex itself']);
  for (const off of ['victim.other.example', 'mesh.test.evil.example', 'notmesh.test']) {
    expect(stores.records.query(off, now)).toEqual([]);
  }
  // Only the in-zone names were asked for.
  expect(pulls).toEqual([{ names: ['ok.mesh.test', 'MESH.TEST'] }]);
  const rejected = (await registry.getSingleMetric('dmp_sync_records_rejected_total')?.get())
    ?.values;
  expect(rejected?.find((v) => v.labels.reason === 'off-zone')?.value).toBe(3);
  // The watermark passed the off-zone entries to the page's end.
  const last = entries.at(-1)!;
  expect(worker.watermark('fake')).toEqual({
    ts: BigInt(last.ts),
    name: last.name,
    hash: last.hash,
  });
  await worker.tick();
  expect(digests).toEqual(['0::', formatCursor(worker.watermark('fake')!)]);
  expect(pulls).toHaveLength(1);
});
