/**
 * The anti-entropy worker against hostile peers (loopback HTTP servers in
 * this test) next to one honest peer (the real sync routes over a real
 * store): forged values, values that do not match the advertised hash,
 * names outside the digest grammar, records nobody asked for, a 100k-entry
 * page and a stalled response. Every bad value is refused and counted,
 * nothing of it is stored, and the honest peer's records still arrive.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { syncRoutes } from '../../../src/node/http/routes/sync.js';
import { createNodeLogger } from '../../../src/node/log.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { type NodeStores, openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import { createSyncMetrics } from '../../../src/node/sync/metrics.js';
import type { SyncPeer } from '../../../src/node/sync/peers.js';
import { AntiEntropyWorker } from '../../../src/node/sync/worker.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import { signIdentityRecord } from '../../../src/protocol/records/identity-record.js';
import { type ApiHarness, startApi } from '../http/harness.js';

const TOKEN = 'sync-token-for-tests-0123456789';
const sha = (v: string) => createHash('sha256').update(v, 'utf8').digest('hex');
const NOW_S = () => Math.floor(Date.now() / 1000);

const seed = new Uint8Array(32).fill(4);
const identity = signIdentityRecord(
  {
    username: 'alice',
    x25519Pk: new Uint8Array(32).fill(3),
    ed25519Spk: ed25519PublicKey(seed),
    ts: 1_900_000_000,
  },
  seed,
);
/** Alice's identity with one signature byte changed. */
const forgedIdentity = `${identity.slice(0, -6)}${identity.at(-6) === 'A' ? 'B' : 'A'}${identity.slice(-5)}`;

type Handler = (path: string, body: string, res: ServerResponse) => void;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hostile(handler: Handler): Promise<string> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => handler(req.url ?? '', body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: ServerResponse, value: unknown) => {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
};

/** A peer that advertises `entries` and answers every pull with `records`. */
function lying(entries: unknown[], records: unknown[]): Handler {
  return (path, _body, res) => {
    if (path.startsWith('/v1/sync/digest')) {
      const after = new URL(path, 'http://x').searchParams.get('cursor');
      json(res, { records: after === '0::' ? entries : [], has_more: false, next_cursor: '0::' });
    } else {
      json(res, { records });
    }
  };
}

async function honestPeer(): Promise<ApiHarness> {
  let api: ApiHarness | undefined;
  api = await startApi({}, (stores) => ({
    routes: syncRoutes({
      records: stores.records,
      token: TOKEN,
      now: NOW_S,
      allow: () => true,
    }),
  }));
  cleanups.push(() => api!.close());
  return api;
}

function follower(
  peers: SyncPeer[],
  over: { timeoutMs?: number; maxDigestBytes?: number; intervalMs?: number } = {},
) {
  const stores: NodeStores = openNodeStores(MEMORY_PATH);
  const registry = new Registry();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const worker = new AntiEntropyWorker({
    store: stores.records,
    peers,
    token: TOKEN,
    intervalMs: 60_000,
    log: createNodeLogger({ level: 'debug', format: 'json', destination: sink }),
    metrics: createSyncMetrics(registry),
    ...over,
  });
  cleanups.push(async () => {
    await worker.stop();
    stores.close();
  });
  return { stores, registry, worker, logs };
}

async function counter(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = await registry.getSingleMetric(name)?.get();
  const sample = metric?.values.find((v) =>
    Object.entries(labels).every(([k, val]) => v.labels[k] === val),
  );
  return sample?.value ?? 0;
}

const ts = () => Date.now() - 1000;

describe('anti-entropy against hostile peers', () => {
  it('refuses and counts every bad value, stores none, and still syncs the honest peer', async () => {
    const good = await honestPeer();
    good.stores.records.publish('dmp.alice.mesh.test', identity, 600, NOW_S());
    good.stores.records.publish('www.mesh.test', 'plain text', 600, NOW_S());

    const forged = await hostile(
      lying(
        [{ name: 'dmp.alice.mesh.test', hash: sha(forgedIdentity), ts: ts(), ttl: 600 }],
        [{ name: 'dmp.alice.mesh.test', value: forgedIdentity, ttl: 600 }],
      ),
    );
    const wrongHash = await hostile(
      lying(
        [{ name: 'evil.mesh.test', hash: sha('advertised'), ts: ts(), ttl: 600 }],
        [{ name: 'evil.mesh.test', value: 'something else', ttl: 600 }],
      ),
    );
    const badNames = await hostile(
      lying(
        [
          { name: 'bad name!.mesh.test', hash: sha('x'), ts: ts(), ttl: 600 },
          { name: 'x'.repeat(300), hash: sha('x'), ts: ts(), ttl: 600 },
          { name: 'ok.mesh.test', hash: 'NOTAHASH', ts: ts(), ttl: 600 },
          { name: 'future.mesh.test', hash: sha('x'), ts: Date.now() + 3_600_000, ttl: 600 },
        ],
        [{ name: 'bad name!.mesh.test', value: 'x', ttl: 600 }],
      ),
    );
    const smuggler = await hostile(
      lying(
        [{ name: 'asked.mesh.test', hash: sha('asked'), ts: ts(), ttl: 600 }],
        [
          { name: 'unasked.mesh.test', value: 'smuggled', ttl: 600 },
          { name: 'asked.mesh.test', value: 'asked', ttl: -5 },
          { name: 'asked.mesh.test', value: 7, ttl: 600 },
        ],
      ),
    );
    const heartbeat = 'v=dmp1;t=heartbeat;AAAA';
    const foreignType = await hostile(
      lying(
        [{ name: '_dnsmesh-heartbeat.mesh.test', hash: sha(heartbeat), ts: ts(), ttl: 600 }],
        [{ name: '_dnsmesh-heartbeat.mesh.test', value: heartbeat, ttl: 600 }],
      ),
    );
    const flood = await hostile((path, _b, res) => {
      // 100,000 entries (~13 MB) whatever limit was asked for.
      const entry = { name: 'flood.mesh.test', hash: sha('f'), ts: ts(), ttl: 600 };
      json(res, { records: Array.from({ length: 100_000 }, () => entry), has_more: true });
      void path;
    });
    const stall = await hostile((_path, _b, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"records": [');
      // …and nothing more.
    });

    const peers: SyncPeer[] = [
      { id: 'forged', url: forged },
      { id: 'wrong-hash', url: wrongHash },
      { id: 'bad-names', url: badNames },
      { id: 'smuggler', url: smuggler },
      { id: 'foreign-type', url: foreignType },
      { id: 'flood', url: flood },
      { id: 'stall', url: stall },
      { id: 'good', url: good.base },
    ];
    const f = follower(peers, { timeoutMs: 500 });
    await f.worker.tick();

    const records = f.stores.records;
    const now = NOW_S();
    // The honest peer's records arrived, the forged identity did not replace anything.
    expect(records.query('dmp.alice.mesh.test', now)).toEqual([identity]);
    expect(records.query('www.mesh.test', now)).toEqual(['plain text']);
    for (const name of [
      'evil.mesh.test',
      'bad name!.mesh.test',
      'unasked.mesh.test',
      'asked.mesh.test',
      'flood.mesh.test',
      '_dnsmesh-heartbeat.mesh.test',
    ]) {
      expect(records.query(name, now), name).toEqual([]);
    }
    expect(records.rowCount()).toBe(2);

    const rejected = (reason: string) =>
      counter(f.registry, 'dmp_sync_records_rejected_total', { reason });
    expect(await rejected('forged')).toBe(1);
    expect(await rejected('unadvertised')).toBe(1);
    expect(await rejected('invalid-entry')).toBe(4);
    expect(await rejected('unrequested')).toBe(1);
    expect(await rejected('malformed')).toBe(2);
    expect(await rejected('not-replicable')).toBe(1);
    const errors = (peer: string) =>
      counter(f.registry, 'dmp_sync_peer_errors_total', { peer, stage: 'digest' });
    expect(await errors('flood')).toBe(1);
    expect(await errors('stall')).toBe(1);
    expect(await counter(f.registry, 'dmp_sync_records_pulled_total', { peer: 'good' })).toBe(2);

    // Watermarks: the honest peer's moved to its last row; a liar's stays where
    // nothing was handled (forged) and moves past what never replicates.
    expect(f.worker.watermark('good')!.name).toBe('www.mesh.test');
    expect(f.worker.watermark('forged')!.ts).toBe(0n);
    expect(f.worker.watermark('flood')!.ts).toBe(0n);
    expect(f.worker.watermark('foreign-type')!.name).toBe('_dnsmesh-heartbeat.mesh.test');
  }, 20_000);

  it('reads no more than the requested page of an oversized page within the byte cap', async () => {
    const entries = Array.from({ length: 3000 }, (_, i) => ({
      name: `n${String(i).padStart(5, '0')}.mesh.test`,
      hash: sha(`v${i}`),
      ts: 1000,
      ttl: 600,
    }));
    let pulledNames = 0;
    const url = await hostile((path, body, res) => {
      if (path.startsWith('/v1/sync/digest')) {
        json(res, { records: entries, has_more: false });
      } else {
        const names = (JSON.parse(body) as { names: string[] }).names;
        pulledNames += names.length;
        json(res, {
          records: names.map((n) => ({ name: n, value: `v${Number(n.slice(1, 6))}`, ttl: 600 })),
        });
      }
    });
    const f = follower([{ id: 'big', url }]);
    await f.worker.tick();
    // Only the first 1000 (the limit asked for) were looked at.
    expect(pulledNames).toBe(1000);
    expect(f.stores.records.rowCount()).toBe(1000);
    expect(
      await counter(f.registry, 'dmp_sync_records_rejected_total', { reason: 'invalid-entry' }),
    ).toBe(2000);
  }, 20_000);

  it('backs off a failing peer and keeps syncing the others', async () => {
    let calls = 0;
    const down = await hostile((_p, _b, res) => {
      calls++;
      res.writeHead(500).end();
    });
    const good = await honestPeer();
    const f = follower([
      { id: 'down', url: down },
      { id: 'good', url: good.base },
    ]);
    for (let i = 0; i < 3; i++) {
      good.stores.records.publish(`r${i}.mesh.test`, 'v', 600, NOW_S());
      await f.worker.tick();
      expect(f.stores.records.query(`r${i}.mesh.test`, NOW_S())).toEqual(['v']);
    }
    // The first failure schedules a retry one interval (60 s) later.
    expect(calls).toBe(1);
  }, 20_000);

  it('takes a 429 as "slow down": no backoff, the next tick continues', async () => {
    const good = await honestPeer();
    good.stores.records.publish('limited.mesh.test', 'v', 600, NOW_S());
    let calls = 0;
    // A proxy in front of the honest peer that refuses the 1st (a digest) and
    // 3rd (a pull) calls with 429.
    const proxy = await hostile((path, body, res) => {
      calls++;
      if (calls === 1 || calls === 3) {
        res.writeHead(429, { 'Content-Type': 'application/json' });
        res.end('{"error": "rate limit exceeded"}');
        return;
      }
      void fetch(good.base + path, {
        method: body === '' ? 'GET' : 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        ...(body === '' ? {} : { body }),
      })
        .then((r) => r.text())
        .then((text) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(text);
        });
    });
    const f = follower([{ id: 'limited', url: proxy }]);
    for (let i = 0; i < 6 && f.stores.records.rowCount() === 0; i++) await f.worker.tick();
    expect(f.stores.records.query('limited.mesh.test', NOW_S())).toEqual(['v']);
    // Three ticks: no pause was imposed after either 429.
    expect(calls).toBe(5);
    const errors = (stage: string) =>
      counter(f.registry, 'dmp_sync_peer_errors_total', { peer: 'limited', stage });
    expect([await errors('digest'), await errors('pull')]).toEqual([1, 1]);
  }, 20_000);

  it('keeps visiting an honest peer while another one stalls', async () => {
    const good = await honestPeer();
    const stall = await hostile((_p, _b, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"records": [');
    });
    const f = follower(
      [
        { id: 'stall', url: stall },
        { id: 'good', url: good.base },
      ],
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    f.worker.start();
    // Written after the first visits: only a later visit to the honest peer
    // can bring it, while the stalled call is still waiting for its 20 s.
    await new Promise((r) => setTimeout(r, 200));
    good.stores.records.publish('later.mesh.test', 'v', 600, NOW_S());
    const deadline = Date.now() + 10_000;
    while (f.stores.records.rowCount() === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(f.stores.records.query('later.mesh.test', NOW_S())).toEqual(['v']);
    await f.worker.stop();
  }, 20_000);
});
