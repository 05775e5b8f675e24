/** Status routes, metrics, routing fallbacks and the response layout (node spec §4.1, §4.3, §4.7). */
import { Gauge } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordStore } from '../../../src/node/store/types.js';
import { VERSION } from '../../../src/version.js';
import {
  type ApiHarness,
  bearer,
  type ConfigOverrides,
  call,
  type DepsOverrides,
  OPERATOR_TOKEN,
  postJson,
  requestCount,
  startApi,
} from './harness.js';

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(over: ConfigOverrides = {}, deps: DepsOverrides = {}) {
  h = await startApi(over, deps);
  return h;
}

/** Wraps the real record store, replacing some methods. */
function failing(overrides: Partial<RecordStore>): DepsOverrides {
  return (stores) => ({
    records: {
      query: (n, t) => stores.records.query(n, t),
      countLive: (n, t) => stores.records.countLive(n, t),
      apply: (ops, t) => stores.records.apply(ops, t),
      publish: (n, v, ttl, t) => stores.records.publish(n, v, ttl, t),
      delete: (n, v) => stores.records.delete(n, v),
      cleanupExpired: (t) => stores.records.cleanupExpired(t),
      liveCount: (t) => stores.records.liveCount(t),
      rowCount: () => stores.records.rowCount(),
      writerUsage: (w) => stores.records.writerUsage(w),
      writerClassUsage: (c) => stores.records.writerClassUsage(c),
      countLiveByWriter: (n, w, t) => stores.records.countLiveByWriter(n, w, t),
      close: () => {},
      ...overrides,
    },
  });
}

describe('/health and /stats', () => {
  it('reports ok, in the reference JSON layout, then the version and uptime', async () => {
    const api = await start();
    const r = await call(api.url('/health'));
    expect(r.status).toBe(200);
    // The reference's field first and unchanged; ours after it.
    expect(r.text).toBe(`{"status": "ok", "version": "${VERSION}", "uptime_seconds": 0}`);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.headers.get('content-length')).toBe(String(r.text.length));
  });

  it('counts uptime in whole seconds of the monotonic clock since the API started', async () => {
    const api = await start();
    api.clock.monotonic += 42.9;
    api.clock.now -= 3600; // a wall-clock step does not move it
    expect((await call(api.url('/health'))).body).toEqual({
      status: 'ok',
      version: VERSION,
      uptime_seconds: 42,
    });
  });

  it('reports 503 degraded when a store query throws', async () => {
    const api = await start(
      {},
      failing({
        query: () => {
          throw new Error('database is locked');
        },
      }),
    );
    const r = await call(api.url('/health'));
    expect(r).toMatchObject({
      status: 503,
      body: { status: 'degraded', store: 'unavailable', version: VERSION, uptime_seconds: 0 },
    });
    expect(r.text).not.toContain('database is locked');
    expect(api.logs.some((l) => l.includes('database is locked'))).toBe(true);
  });

  it('counts stored records without scanning: expired ones leave with the cleanup', async () => {
    const api = await start();
    expect((await call(api.url('/stats'))).body).toEqual({ records: 0 });
    api.stores.records.publish('a.mesh.test', 'x', 10, api.clock.now);
    api.stores.records.publish('a.mesh.test', 'y', 100, api.clock.now);
    api.stores.records.publish('a.mesh.test', 'y', 100, api.clock.now); // a refresh, no new row
    expect((await call(api.url('/stats'))).body).toEqual({ records: 2 });
    api.clock.now += 10;
    expect((await call(api.url('/stats'))).body).toEqual({ records: 2 });
    api.stores.records.cleanupExpired(api.clock.now);
    expect((await call(api.url('/stats'))).body).toEqual({ records: 1 });
    api.stores.records.delete('a.mesh.test', undefined);
    expect((await call(api.url('/stats'))).body).toEqual({ records: 0 });
  });

  it('answers 500 (and keeps serving) when a handler throws', async () => {
    const api = await start(
      {},
      failing({
        rowCount: () => {
          throw new Error('boom');
        },
      }),
    );
    expect(await call(api.url('/stats'))).toMatchObject({
      status: 500,
      body: { error: 'internal error' },
    });
    expect((await call(api.url('/health'))).status).toBe(200);
    expect(api.logs.some((l) => l.includes('HTTP handler failed'))).toBe(true);
  });

  it('serves HEAD like GET without a body', async () => {
    const api = await start();
    const r = await call(api.url('/health'), { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    const get = await call(api.url('/health'));
    expect(r.headers.get('content-length')).toBe(String(get.text.length));
    expect(await requestCount(api, 'HEAD', 200)).toBe(1);
  });

  it('serves a small landing page at / and /index.html', async () => {
    const api = await start();
    for (const path of ['/', '/index.html']) {
      const r = await call(api.url(path));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/html');
      expect(r.headers.get('cache-control')).toBe('public, max-age=30');
    }
  });
});

describe('/metrics', () => {
  it('requires the operator token when one is configured', async () => {
    const api = await start();
    expect(await call(api.url('/metrics'))).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect((await call(api.url('/metrics'), { headers: bearer('nope') })).status).toBe(401);
    const r = await call(api.url('/metrics'), { headers: bearer(OPERATOR_TOKEN) });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('is open without an operator token and exposes request counts and the registry’s metrics', async () => {
    const api = await start({ authMode: 'open', operatorToken: undefined });
    const gauge = new Gauge({
      name: 'dmp_records',
      help: 'Unexpired records',
      registers: [api.registry],
    });
    gauge.set(7);
    await call(api.url('/health'));
    await call(api.url('/nope'));
    await postJson(api.url('/v1/records/a.mesh.test'), { value: 'v' });
    const text = (await call(api.url('/metrics'))).text;
    expect(text).toContain('dmp_http_requests_total{method="GET",status="200"} 1');
    expect(text).toContain('dmp_http_requests_total{method="GET",status="404"} 1');
    expect(text).toContain('dmp_http_requests_total{method="POST",status="201"} 1');
    expect(text).toContain('dmp_records 7');
    expect(api.logs.join('\n')).toContain('/metrics is unauthenticated');
  });
});

describe('routing fallbacks', () => {
  it('answers 404 {"error": "not found"} to unknown paths and to exact paths with a query', async () => {
    const api = await start();
    for (const path of ['/nope', '/health?full=1', '/stats/', '/v1/records/', '/v1/sync/digest']) {
      expect(await call(api.url(path)), path).toMatchObject({
        status: 404,
        body: { error: 'not found' },
      });
    }
    expect((await postJson(api.url('/health'), {})).status).toBe(404);
    expect((await call(api.url('/v1/registration/confirm'))).status).toBe(404);
  });

  it('answers 501 to methods the API does not serve, without counting them', async () => {
    const api = await start();
    const r = await call(api.url('/health'), { method: 'PUT', body: '{}' });
    expect(r).toMatchObject({ status: 501, body: { error: 'unsupported method' } });
    expect(await requestCount(api, 'PUT', 501)).toBe(0);
  });

  it('runs extra routes supplied by other components', async () => {
    const api = await start(
      {},
      {
        routes: [
          {
            name: 'sync-digest',
            methods: ['GET'],
            match: { path: '/v1/sync/digest' },
            handle: (ctx) => ctx.json(403, { error: 'forbidden' }),
          },
        ],
      },
    );
    expect(await call(api.url('/v1/sync/digest?cursor=0::'))).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
  });
});
