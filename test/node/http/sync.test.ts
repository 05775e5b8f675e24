/**
 * Cluster sync routes (node spec §4.6): per-IP limit, then the sync token,
 * then the cursor / limit / names checks with the reference's error
 * strings; digest pages in strict tuple order with has_more / next_cursor;
 * pull returns every live value at the names.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { syncRoutes } from '../../../src/node/http/routes/sync.js';
import { formatCursor, parseCursor } from '../../../src/node/sync/cursor.js';
import {
  type ApiHarness,
  bearer,
  type ConfigOverrides,
  call,
  JSON_TYPE,
  postJson,
  startApi,
  T0,
} from './harness.js';

const TOKEN = 'sync-token-for-tests-0123456789';
const sha = (v: string) => createHash('sha256').update(v, 'utf8').digest('hex');

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(token: string | null = TOKEN, over: ConfigOverrides = {}) {
  let api: ApiHarness | undefined;
  api = await startApi(over, (stores) => ({
    routes: syncRoutes({
      records: stores.records,
      token: token ?? undefined,
      now: () => api!.clock.now,
      allow: (key) => api!.api.services.recordsLimiter.allow(key),
    }),
  }));
  h = api;
  return api;
}

const auth = bearer(TOKEN);
const digest = (api: ApiHarness, query = '') =>
  call(api.url(`/v1/sync/digest${query}`), { headers: auth });
const pull = (api: ApiHarness, body: unknown) => postJson(api.url('/v1/sync/pull'), body, auth);

describe('gate', () => {
  it('answers 403 forbidden on both routes when no sync token is configured', async () => {
    for (const token of [null, '']) {
      const api = await start(token);
      for (const r of [await digest(api), await pull(api, { names: [] })]) {
        expect(r.status).toBe(403);
        expect(r.body).toEqual({ error: 'forbidden' });
      }
      await api.close();
      h = undefined;
    }
  });

  it('answers 403 for a missing, wrong or differently spelled token', async () => {
    const api = await start();
    for (const headers of [
      {},
      bearer('wrong'),
      { Authorization: `bearer ${TOKEN}` },
      { Authorization: `Bearer  ${TOKEN}` },
      { Authorization: TOKEN },
    ]) {
      const r = await call(api.url('/v1/sync/digest'), { headers });
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ error: 'forbidden' });
    }
    const p = await postJson(api.url('/v1/sync/pull'), { names: [] }, bearer('nope'));
    expect(p.status).toBe(403);
  });

  it('applies the per-IP HTTP limit before the token (429 even without a token)', async () => {
    const api = await start(TOKEN, { recordsRate: { ratePerSecond: 0.0001, burst: 2 } });
    expect((await digest(api)).status).toBe(200);
    expect((await call(api.url('/v1/sync/digest'))).status).toBe(403);
    const limited = await call(api.url('/v1/sync/digest'));
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'rate limit exceeded' });
    expect((await pull(api, { names: [] })).status).toBe(429);
  });
});

describe('GET /v1/sync/digest', () => {
  it('pages in strict (stored_ts, name, value_hash) order with has_more and next_cursor', async () => {
    const api = await start();
    api.stores.records.apply(
      [
        { kind: 'add', name: 'b.mesh.test', value: 'v1', ttl: 100 },
        { kind: 'add', name: 'a.mesh.test', value: 'v2', ttl: 100 },
        { kind: 'add', name: 'a.mesh.test', value: 'v3', ttl: 100 },
      ],
      T0,
    );
    api.clock.now = T0 + 40;
    const first = await digest(api, '?limit=2');
    expect(first.status).toBe(200);
    const [x, y] = [sha('v2'), sha('v3')].sort();
    const ts = first.body.records[0].ts as number;
    expect(first.body).toEqual({
      records: [
        { name: 'a.mesh.test', hash: x, ts, ttl: 60 },
        { name: 'a.mesh.test', hash: y, ts, ttl: 60 },
      ],
      has_more: true,
      next_cursor: `${ts}:a.mesh.test:${y}`,
    });
    // The reference's key order and separators.
    expect(first.text.startsWith('{"records": [{"name": "a.mesh.test", "hash": ')).toBe(true);
    const second = await digest(api, `?cursor=${first.body.next_cursor}&limit=2`);
    expect(second.body).toEqual({
      records: [{ name: 'b.mesh.test', hash: sha('v1'), ts, ttl: 60 }],
      has_more: false,
      next_cursor: `${ts}:b.mesh.test:${sha('v1')}`,
    });
    // Empty page: the request cursor is echoed.
    const third = await digest(api, `?cursor=${second.body.next_cursor}`);
    expect(third.body).toEqual({
      records: [],
      has_more: false,
      next_cursor: second.body.next_cursor,
    });
  });

  it('leaves out expired rows and reports ttl as max(1, seconds left)', async () => {
    const api = await start();
    api.stores.records.publish('gone.mesh.test', 'x', 10, T0 - 20);
    api.stores.records.publish('short.mesh.test', 'y', 10, T0);
    api.clock.now = T0 + 9;
    const r = await digest(api);
    expect(r.body.records.map((e: { name: string; ttl: number }) => [e.name, e.ttl])).toEqual([
      ['short.mesh.test', 1],
    ]);
  });

  it('starts at 0:: without a cursor; <ts>:<name> means an empty hash', async () => {
    const api = await start();
    const empty = await digest(api);
    expect(empty.body).toEqual({ records: [], has_more: false, next_cursor: '0::' });
    const two = await digest(api, '?cursor=12:a.mesh.test');
    expect(two.body.next_cursor).toBe('12:a.mesh.test:');
    // Python int(): sign, underscores, surrounding spaces; echoed canonical.
    const loose = await digest(api, '?cursor=%2B1_000:x:');
    expect(loose.status).toBe(200);
    expect(loose.body.next_cursor).toBe('1000:x:');
    // A blank parameter counts as absent (parse_qs).
    expect((await digest(api, '?cursor=&limit=')).body.next_cursor).toBe('0::');
  });

  it('refuses malformed cursors with the reference string', async () => {
    const api = await start();
    for (const bad of [
      'nocolon',
      '-1:a:',
      'x:a:',
      `1:${'a'.repeat(254)}:`,
      '1:a:ABC',
      `1:a:${'A'.repeat(64)}`,
      `1:a:${'0'.repeat(63)}`,
      `1:a:${'0'.repeat(64)}:x`,
    ]) {
      const r = await digest(api, `?cursor=${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(400);
      expect(r.body).toEqual({ error: "cursor must be '<ts>:<name>:<value_hash>'" });
    }
    expect((await digest(api, `?cursor=1:${'a'.repeat(253)}:`)).status).toBe(200);
  });

  it('accepts legacy since=<ms> as strictly after that millisecond', async () => {
    const api = await start();
    api.stores.records.publish('a.mesh.test', 'v', 100, T0);
    const all = await digest(api);
    const ts = all.body.records[0].ts as number;
    const at = await digest(api, `?since=${ts}`);
    expect(at.body).toEqual({ records: [], has_more: false, next_cursor: `${ts}:\u00ff:g` });
    expect(at.text).toContain(`"${ts}:\\u00ff:g"`);
    const before = await digest(api, `?since=${ts - 1}`);
    expect(before.body.records).toHaveLength(1);
    // cursor wins over since.
    expect((await digest(api, `?cursor=0::&since=${ts}`)).body.records).toHaveLength(1);
    const notInt = await digest(api, '?since=abc');
    expect([notInt.status, notInt.body]).toEqual([400, { error: 'since must be an integer' }]);
    const negative = await digest(api, '?since=-5');
    expect([negative.status, negative.body]).toEqual([400, { error: 'since must be >= 0' }]);
  });

  it('checks limit: default 1000, an integer > 0, clamped to 10000', async () => {
    const api = await start();
    const notInt = await digest(api, '?limit=ten');
    expect([notInt.status, notInt.body]).toEqual([400, { error: 'limit must be an integer' }]);
    for (const bad of ['0', '-3']) {
      const r = await digest(api, `?limit=${bad}`);
      expect([r.status, r.body]).toEqual([400, { error: 'limit must be > 0' }]);
    }
    expect((await digest(api, '?limit=99999999999999999999')).status).toBe(200);
    const ops = Array.from({ length: 10_002 }, (_, i) => ({
      kind: 'add' as const,
      name: `n${i}.mesh.test`,
      value: 'v',
      ttl: 100,
    }));
    api.stores.records.apply(ops, T0);
    const clamped = await digest(api, '?limit=20000');
    expect(clamped.body.records).toHaveLength(10_000);
    expect(clamped.body.has_more).toBe(true);
    const byDefault = await digest(api);
    expect(byDefault.body.records).toHaveLength(1000);
    expect(byDefault.body.has_more).toBe(true);
  });

  it('matches the path with any query string; the records limiter key is per client', async () => {
    const api = await start();
    expect((await call(api.url('/v1/sync/digest?x=1'), { headers: auth })).status).toBe(200);
    expect((await call(api.url('/v1/sync/digest/'), { headers: auth })).status).toBe(404);
  });
});

describe('POST /v1/sync/pull', () => {
  it('returns every live value at the names, in sync order, ttl max(1, left)', async () => {
    const api = await start();
    api.stores.records.publish('a.mesh.test', 'one', 100, T0);
    api.stores.records.publish('b.mesh.test', 'two', 100, T0);
    api.stores.records.publish('a.mesh.test', 'three', 50, T0);
    api.stores.records.publish('old.mesh.test', 'x', 1, T0 - 5);
    api.clock.now = T0 + 10;
    const r = await pull(api, {
      names: [' a.mesh.test. ', 'a.mesh.test', 'A.MESH.TEST', 'old.mesh.test', 'none.mesh.test'],
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      records: [
        { name: 'a.mesh.test', value: 'one', ttl: 90 },
        { name: 'a.mesh.test', value: 'three', ttl: 40 },
      ],
    });
    expect((await pull(api, { names: [] })).body).toEqual({ records: [] });
  });

  it('refuses bad bodies with the reference strings', async () => {
    const api = await start();
    const cases: [unknown, string][] = [
      [{}, 'names must be a list'],
      [{ names: 'a.mesh.test' }, 'names must be a list'],
      [['a'], 'names must be a list'],
      [{ names: ['a', 3] }, 'names must be strings'],
      [{ names: Array.from({ length: 257 }, (_, i) => `n${i}`) }, 'at most 256 names per request'],
      // The count is checked before the element types.
      [{ names: [...Array.from({ length: 257 }, () => 'x'), 1] }, 'at most 256 names per request'],
    ];
    for (const [body, error] of cases) {
      const r = await pull(api, body);
      expect([r.status, r.body], error).toEqual([400, { error }]);
    }
    const ok = await pull(api, { names: Array.from({ length: 256 }, (_, i) => `n${i}`) });
    expect(ok.status).toBe(200);
    const broken = await call(api.url('/v1/sync/pull'), {
      method: 'POST',
      headers: { ...JSON_TYPE, ...auth },
      body: '{"names": [',
    });
    expect([broken.status, broken.body]).toEqual([400, { error: 'invalid body' }]);
    const empty = await call(api.url('/v1/sync/pull'), {
      method: 'POST',
      headers: { ...JSON_TYPE, ...auth },
    });
    expect([empty.status, empty.body]).toEqual([400, { error: 'names must be a list' }]);
  });
});

describe('cursor grammar (property)', () => {
  const name = fc.stringMatching(/^[a-z0-9.-]{0,20}$/);
  const hash = fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9a-f]{64}$/));

  it('round-trips every well-formed cursor', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n }), name, hash, (ts, n, hh) => {
        const text = `${ts}:${n}:${hh}`;
        expect(parseCursor(text)).toEqual({ ts, name: n, hash: hh });
        expect(formatCursor(parseCursor(text)!)).toBe(text);
      }),
    );
  });

  it('never throws, and whatever it accepts obeys the grammar', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const c = parseCursor(text);
        if (c === undefined) return;
        expect(c.ts >= 0n).toBe(true);
        expect([...c.name].length).toBeLessThanOrEqual(253);
        expect(c.hash === '' || /^[0-9a-f]{64}$/.test(c.hash)).toBe(true);
        expect(c.name.includes(':')).toBe(false);
      }),
    );
  });

  it('refuses any text whose hash part is not empty or lowercase hex', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        name,
        fc.string({ minLength: 1, maxLength: 70 }).filter((s) => !/^[0-9a-f]{64}$/.test(s)),
        (ts, n, bad) => {
          expect(parseCursor(`${ts}:${n}:${bad}`)).toBeUndefined();
        },
      ),
    );
  });
});
