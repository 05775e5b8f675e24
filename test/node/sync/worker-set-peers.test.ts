/**
 * Replacing the worker's peers after a manifest install (node spec §5.6
 * step 4): which old watermark a new peer keeps (properties of
 * `watermarkDonor`, then a worker over four real peers), backoff dropped
 * with a removed peer, and — through `startClusterSync`, as the node runs
 * it — a gossiped manifest naming a third node that is then synced from.
 */
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNodeConfig } from '../../../src/node/config/load.js';
import { clusterManifestRoutes } from '../../../src/node/http/routes/cluster-manifest.js';
import { syncRoutes } from '../../../src/node/http/routes/sync.js';
import { createNodeLogger } from '../../../src/node/log.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import { CURSOR_START } from '../../../src/node/sync/cursor.js';
import { createSyncMetrics } from '../../../src/node/sync/metrics.js';
import { startClusterSync } from '../../../src/node/sync/node-sync.js';
import { peerIdFromUrl, type SyncPeer, watermarkDonor } from '../../../src/node/sync/peers.js';
import { AntiEntropyWorker } from '../../../src/node/sync/worker.js';
import { captureLog, manifestWire, OPERATOR_SPK } from '../cluster/fixtures.js';
import { type ApiHarness, startApi } from '../http/harness.js';

const TOKEN = 'sync-token-for-tests-0123456789';
const NOW_S = () => Math.floor(Date.now() / 1000);
const BASE = 'mesh.example';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const quietLog = () =>
  createNodeLogger({
    level: 'warn',
    format: 'json',
    destination: new Writable({ write: (_c, _e, done) => done() }),
  });

/** A real node's sync routes (and, with `manifestRoute`, its manifest route) holding `records`. */
async function honest(records: Record<string, string>, manifestRoute = false): Promise<ApiHarness> {
  let api: ApiHarness | undefined;
  api = await startApi({}, (stores) => ({
    routes: [
      ...syncRoutes({ records: stores.records, token: TOKEN, now: NOW_S, allow: () => true }),
      ...(manifestRoute
        ? clusterManifestRoutes({
            records: stores.records,
            token: TOKEN,
            allow: () => true,
            base: () => BASE,
            operatorSpk: OPERATOR_SPK,
            now: NOW_S,
          })
        : []),
    ],
  }));
  cleanups.push(() => api!.close());
  const now = NOW_S();
  for (const [name, value] of Object.entries(records)) {
    api.stores.records.publish(name, value, 600, now);
  }
  return api;
}

describe('watermarkDonor (which old watermark a new peer keeps)', () => {
  const urls = ['http://node-a:8053', 'http://node-b:8053', 'http://10.0.0.3:8053/sync'];
  const peer = fc
    .tuple(fc.constantFrom(...urls), fc.constantFrom('synth', 'n1', 'n2', 'n3'))
    .map(([url, id]): SyncPeer => ({ id: id === 'synth' ? peerIdFromUrl(url) : id, url }));
  const list = fc.uniqueArray(peer, { selector: (p) => p.id, maxLength: 5 });

  it('is always an old peer at the same endpoint, with the same id or a URL-made one', () => {
    fc.assert(
      fc.property(list, peer, (old, next) => {
        const d = watermarkDonor(old, next);
        const eligible = old.filter(
          (p) => p.url === next.url && (p.id === next.id || p.id === peerIdFromUrl(p.url)),
        );
        if (d === undefined) return eligible.length === 0;
        return old.includes(d) && eligible.includes(d);
      }),
    );
  });

  it('prefers the unchanged (id, endpoint) over a URL-made id at the same endpoint', () => {
    fc.assert(
      fc.property(list, peer, (old, next) => {
        const same = old.find((p) => p.id === next.id && p.url === next.url);
        fc.pre(same !== undefined);
        return watermarkDonor(old, next) === same;
      }),
    );
  });

  it('never carries a watermark to another endpoint, nor from another manifest id', () => {
    expect(watermarkDonor([{ id: 'n1', url: urls[0]! }], { id: 'n1', url: urls[1]! })).toBe(
      undefined,
    );
    expect(watermarkDonor([{ id: 'n1', url: urls[0]! }], { id: 'n2', url: urls[0]! })).toBe(
      undefined,
    );
    const synth = { id: peerIdFromUrl(urls[2]!), url: urls[2]! };
    expect(watermarkDonor([synth], { id: 'n3', url: urls[2]! })).toBe(synth);
  });
});

describe('AntiEntropyWorker.setPeers', () => {
  it('keeps, moves and resets watermarks by the §5.6 rules, and drops removed peers', async () => {
    const [a, b, c, d] = await Promise.all(
      ['a', 'b', 'c', 'd'].map((k) => honest({ [`r-${k}.mesh.test`]: `from ${k}` })),
    );
    const stores = openNodeStores(MEMORY_PATH);
    cleanups.push(() => stores.close());
    const synthA = peerIdFromUrl(a!.base);
    const worker = new AntiEntropyWorker({
      store: stores.records,
      peers: [
        { id: synthA, url: a!.base },
        { id: 'node-b', url: b!.base },
        { id: 'node-c', url: c!.base },
        { id: 'node-d', url: d!.base },
      ],
      token: TOKEN,
      intervalMs: 60_000,
      log: quietLog(),
    });
    cleanups.push(() => worker.stop());
    await worker.tick();
    const before = new Map(worker.peers.map((p) => [p.id, worker.watermark(p.id)!]));
    for (const w of before.values()) expect(w.ts).toBeGreaterThan(0n);

    worker.setPeers([
      { id: 'node-a', url: a!.base }, // URL-made id → manifest id, same endpoint: kept
      { id: 'node-b', url: b!.base }, // unchanged: kept
      { id: 'node-c', url: d!.base }, // same id, other endpoint: from 0::
      { id: 'node-y', url: c!.base }, // other manifest id at c's endpoint: from 0::
      { id: 'node-a', url: d!.base }, // duplicate id: the first entry wins
    ]);
    expect(worker.peers).toEqual([
      { id: 'node-a', url: a!.base },
      { id: 'node-b', url: b!.base },
      { id: 'node-c', url: d!.base },
      { id: 'node-y', url: c!.base },
    ]);
    expect(worker.watermark('node-a')).toEqual(before.get(synthA));
    expect(worker.watermark('node-b')).toEqual(before.get('node-b'));
    expect(worker.watermark('node-c')).toEqual(CURSOR_START);
    expect(worker.watermark('node-y')).toEqual(CURSOR_START);
    expect(worker.watermark(synthA)).toBeUndefined();
    expect(worker.watermark('node-d')).toBeUndefined();

    await worker.tick();
    // The reset peers followed their new endpoints' streams from the start.
    expect(worker.watermark('node-c')).toEqual(before.get('node-d'));
    expect(worker.watermark('node-y')).toEqual(before.get('node-c'));
    expect(worker.watermark('node-a')).toEqual(before.get(synthA));
  });

  it('keeps the backoff of a kept peer and forgets that of a removed one', async () => {
    const stores = openNodeStores(MEMORY_PATH);
    cleanups.push(() => stores.close());
    const registry = new Registry();
    const dead = { id: 'dead', url: 'http://127.0.0.1:1' };
    const worker = new AntiEntropyWorker({
      store: stores.records,
      peers: [dead],
      token: TOKEN,
      intervalMs: 60_000,
      log: quietLog(),
      metrics: createSyncMetrics(registry),
      timeoutMs: 2000,
    });
    cleanups.push(() => worker.stop());
    const errors = async () =>
      (await registry.getSingleMetric('dmp_sync_peer_errors_total')?.get())?.values[0]?.value ?? 0;
    await worker.tick();
    expect(await errors()).toBe(1);
    worker.setPeers([dead]);
    await worker.tick(); // still backing off: not contacted
    expect(await errors()).toBe(1);
    worker.setPeers([]);
    expect(worker.peers).toEqual([]);
    worker.setPeers([dead]);
    await worker.tick(); // a new peer again: contacted at once
    expect(await errors()).toBe(2);
  });
});

describe('a gossiped manifest replaces the peers of the running node', () => {
  it('adds a third node that is then synced from; the kept peer is not read again', async () => {
    const c = await honest({ 'from-c.mesh.example': 'only c has this' });
    const a = await honest({ 'from-a.mesh.example': 'a has this' }, true);
    // Seq 2 names this node, A and a third node C; A holds it (so its data
    // sync brings it here before the gossip exchange does).
    const wire = manifestWire({
      now: NOW_S(),
      seq: 2,
      clusterName: BASE,
      nodes: [
        { nodeId: 'node-me', httpEndpoint: 'http://127.0.0.1:9', dnsEndpoint: '127.0.0.1:53' },
        { nodeId: 'node-a', httpEndpoint: a.base, dnsEndpoint: '127.0.0.1:53' },
        { nodeId: 'node-c', httpEndpoint: `${c.base}/`, dnsEndpoint: '127.0.0.1:53' },
      ],
    });
    a.stores.records.publish(`cluster.${BASE}`, wire, 86_400, NOW_S());

    const stores = openNodeStores(MEMORY_PATH);
    const registry = new Registry();
    const { log, lines } = captureLog();
    const config = loadNodeConfig({
      env: {
        DMP_DB_PATH: '/nonexistent/dnsmesh.db',
        DMP_DOMAIN: BASE,
        DMP_NODE_ID: 'node-me',
        DMP_SYNC_PEERS: a.base,
        DMP_SYNC_PEER_TOKEN: TOKEN,
        DMP_SYNC_INTERVAL: '60',
        DMP_SYNC_OPERATOR_SPK: Buffer.from(OPERATOR_SPK).toString('hex'),
      },
    });
    const worker = startClusterSync(config, {
      store: stores.records,
      registry,
      log,
      cluster: { operatorSpk: OPERATOR_SPK, base: () => BASE },
    })!;
    cleanups.push(async () => {
      await worker.stop();
      stores.close();
    });
    const deadline = Date.now() + 10_000;
    while (stores.records.query('from-c.mesh.example', NOW_S()).length === 0) {
      if (Date.now() > deadline) throw new Error(`C never synced from:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(stores.records.query('from-c.mesh.example', NOW_S())).toEqual(['only c has this']);
    expect(stores.records.query('from-a.mesh.example', NOW_S())).toEqual(['a has this']);
    expect(worker.peers).toEqual([
      { id: 'node-a', url: a.base },
      { id: 'node-c', url: c.base },
    ]);
    // node-a took over the watermark of the URL-made id: A's stream was not read again.
    expect(worker.watermark('node-a')!.ts).toBeGreaterThan(0n);
    const pulled = (await registry.getSingleMetric('dmp_sync_records_pulled_total')?.get())?.values;
    const byPeer = (id: string) => pulled?.find((v) => v.labels.peer === id)?.value;
    // From A under its URL-made id: its record and the manifest; nothing since.
    expect(byPeer(peerIdFromUrl(a.base))).toBe(2);
    expect(byPeer('node-a')).toBeUndefined();
    // From C: its record, and the manifest it does not hold is not invented.
    expect(byPeer('node-c')).toBe(1);
    const text = lines.join('\n');
    expect(text).toContain(`cluster.${BASE} seq 2 already held (data sync)`);
    expect(text).toContain('now syncing with 2 peer(s) from the installed manifest');
  });
});
