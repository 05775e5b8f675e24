/**
 * The anti-entropy worker against an honest peer (the real sync routes
 * over a real store): pages followed to the end across a multi-value name,
 * TTL refreshes carried over, nothing pulled twice, deletes not replicated.
 */
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { syncRoutes } from '../../../src/node/http/routes/sync.js';
import { createNodeLogger } from '../../../src/node/log.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import { createSyncMetrics } from '../../../src/node/sync/metrics.js';
import { AntiEntropyWorker } from '../../../src/node/sync/worker.js';
import { type ApiHarness, startApi } from '../http/harness.js';

const TOKEN = 'sync-token-for-tests-0123456789';
const NOW_S = () => Math.floor(Date.now() / 1000);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function pair(digestLimit: number, maxPullBytes?: number) {
  let api: ApiHarness | undefined;
  api = await startApi({}, (stores) => ({
    routes: syncRoutes({ records: stores.records, token: TOKEN, now: NOW_S, allow: () => true }),
  }));
  cleanups.push(() => api!.close());
  const stores = openNodeStores(MEMORY_PATH);
  const registry = new Registry();
  const worker = new AntiEntropyWorker({
    store: stores.records,
    peers: [{ id: 'source', url: api.base }],
    token: TOKEN,
    intervalMs: 60_000,
    log: createNodeLogger({
      level: 'warn',
      format: 'json',
      destination: new Writable({ write: (_c, _e, done) => done() }),
    }),
    metrics: createSyncMetrics(registry),
    digestLimit,
    ...(maxPullBytes === undefined ? {} : { maxPullBytes }),
  });
  cleanups.push(async () => {
    await worker.stop();
    stores.close();
  });
  const pulled = async () =>
    (await registry.getSingleMetric('dmp_sync_records_pulled_total')?.get())?.values[0]?.value ?? 0;
  return { source: api.stores.records, follower: stores.records, worker, pulled };
}

describe('anti-entropy with an honest peer', () => {
  it('follows has_more to the end, across a name whose values span pages', async () => {
    const p = await pair(2);
    const now = NOW_S();
    p.source.apply(
      Array.from({ length: 7 }, (_, i) => ({
        kind: 'add' as const,
        name: 'prekeys.id-abc.mesh.test',
        value: `plain value ${i}`,
        ttl: 600,
      })),
      now,
    );
    p.source.publish('single.mesh.test', 'one', 600, now);
    await p.worker.tick();
    // Plain values at a reserved owner never replicate; the other name does.
    expect(p.follower.query('prekeys.id-abc.mesh.test', now)).toEqual([]);
    expect(p.follower.query('single.mesh.test', now)).toEqual(['one']);
    p.source.apply(
      Array.from({ length: 7 }, (_, i) => ({
        kind: 'add' as const,
        name: 'multi.mesh.test',
        value: `v${i}`,
        ttl: 600,
      })),
      now,
    );
    await p.worker.tick();
    expect([...p.follower.query('multi.mesh.test', now)].sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => `v${i}`),
    );
    expect(p.worker.watermark('source')!.name).toBe('multi.mesh.test');
  });

  it('carries a TTL refresh over, pulls nothing twice, and does not replicate deletes', async () => {
    const p = await pair(1000);
    const now = NOW_S();
    p.source.publish('r.mesh.test', 'v', 100, now);
    await p.worker.tick();
    expect(await p.pulled()).toBe(1);
    await p.worker.tick();
    expect(await p.pulled()).toBe(1);
    // Re-published with a longer TTL: the row re-enters the stream and its
    // TTL is more than 5 s beyond ours, so it is pulled again.
    p.source.publish('r.mesh.test', 'v', 5000, now);
    await p.worker.tick();
    expect(await p.pulled()).toBe(2);
    expect(p.follower.query('r.mesh.test', now + 1000)).toEqual(['v']);
    // A delete at the source removes nothing here.
    p.source.delete('r.mesh.test', 'v');
    await p.worker.tick();
    expect(p.follower.query('r.mesh.test', now)).toEqual(['v']);
  });

  it('asks again in halves when a pull answer is over the size cap', async () => {
    const p = await pair(1000, 3000);
    const now = NOW_S();
    const names = Array.from({ length: 8 }, (_, i) => `big${i}.mesh.test`);
    for (const name of names) p.source.publish(name, `${name} ${'x'.repeat(1000)}`, 600, now);
    await p.worker.tick();
    for (const name of names) expect(p.follower.query(name, now)).toHaveLength(1);
    expect(p.worker.watermark('source')!.ts).toBeGreaterThan(0n);
  });
});
