/**
 * GET /v1/sync/cluster-manifest (node spec §4.6): per-IP limit (429), sync
 * token (403, always without one), base domain, 204 rules, candidate
 * filtering (under a pinned key: full verification for the base) and the
 * highest seq as exactly {"wire", "seq", "exp", "cluster_name"}.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLUSTER_MANIFEST_PATH,
  clusterManifestRoutes,
} from '../../../src/node/http/routes/cluster-manifest.js';
import { manifestWire, OPERATOR_SPK, OTHER_SEED } from '../cluster/fixtures.js';
import { type ApiHarness, bearer, type ConfigOverrides, call, startApi, T0 } from './harness.js';

const TOKEN = 'sync-token-for-tests-0123456789';

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Start {
  token?: string | null;
  base?: string | undefined;
  pinned?: boolean;
  over?: ConfigOverrides;
}

async function start(o: Start = {}) {
  const { token = TOKEN, pinned = true, over = {} } = o;
  const base = 'base' in o ? o.base : 'mesh.example';
  let api: ApiHarness | undefined;
  api = await startApi(over, (stores) => ({
    routes: clusterManifestRoutes({
      records: stores.records,
      token: token ?? undefined,
      allow: (key) => api!.api.services.recordsLimiter.allow(key),
      base: () => base,
      operatorSpk: pinned ? OPERATOR_SPK : undefined,
      now: () => api!.clock.now,
    }),
  }));
  h = api;
  return api;
}

const get = (api: ApiHarness, headers: Record<string, string> = bearer(TOKEN)) =>
  call(api.url(CLUSTER_MANIFEST_PATH), { headers });

const put = (api: ApiHarness, name: string, value: string) =>
  api.stores.records.publish(name, value, 86_400, api.clock.now);

describe('gate', () => {
  it('answers 403 {"error":"forbidden"} whatever is sent when no sync token is configured', async () => {
    for (const token of [null, '']) {
      const api = await start({ token });
      put(api, 'cluster.mesh.example', manifestWire({ now: T0, seq: 1 }));
      for (const headers of [{}, bearer(TOKEN), bearer('')]) {
        const r = await get(api, headers);
        expect(r.status).toBe(403);
        expect(r.body).toEqual({ error: 'forbidden' });
      }
      await api.close();
      h = undefined;
    }
  });

  it('answers 403 to a missing, wrong or differently spelled token', async () => {
    const api = await start();
    for (const headers of [
      {},
      bearer('wrong'),
      { Authorization: `bearer ${TOKEN}` },
      { Authorization: `Bearer  ${TOKEN}` },
      { Authorization: TOKEN },
    ]) {
      const r = await get(api, headers);
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ error: 'forbidden' });
    }
  });

  it('answers 429 once the per-IP HTTP bucket is empty, before looking at the token', async () => {
    const api = await start({ over: { recordsRate: { ratePerSecond: 0.001, burst: 2 } } });
    expect((await get(api)).status).toBe(204);
    expect((await get(api, {})).status).toBe(403);
    const r = await get(api);
    expect(r.status).toBe(429);
    expect(r.body).toEqual({ error: 'rate limit exceeded' });
  });
});

describe('204', () => {
  it('without a base domain, or with one that is not a DNS name', async () => {
    for (const base of [undefined, 'not a name', 'bad_label.example', '']) {
      const api = await start({ base });
      put(api, 'cluster.mesh.example', manifestWire({ now: T0, seq: 1 }));
      const r = await get(api);
      expect(r.status).toBe(204);
      expect(r.text).toBe('');
      await api.close();
      h = undefined;
    }
  });

  it('when nothing lives at cluster.<base>', async () => {
    const api = await start();
    put(
      api,
      'cluster.other.example',
      manifestWire({ now: T0, seq: 1, clusterName: 'other.example' }),
    );
    const r = await get(api);
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
  });

  it('when no value at cluster.<base> is usable', async () => {
    const api = await start();
    put(api, 'cluster.mesh.example', 'hello');
    put(api, 'cluster.mesh.example', 'v=dmp1;t=cluster;not-base64!');
    put(api, 'cluster.mesh.example', 'v=dmp1;t=cluster;AAAA');
    // Signed by another key, for another cluster, or expired: none verifies under the pin.
    put(api, 'cluster.mesh.example', manifestWire({ now: T0, seq: 9, seed: OTHER_SEED }));
    put(
      api,
      'cluster.mesh.example',
      manifestWire({ now: T0, seq: 8, clusterName: 'evil.example' }),
    );
    put(api, 'cluster.mesh.example', manifestWire({ now: T0 - 400 * 86_400, seq: 7, exp: T0 - 1 }));
    const r = await get(api);
    expect(r.status).toBe(204);
  });
});

describe('200', () => {
  it('serves the highest verifying seq as exactly {wire, seq, exp, cluster_name}', async () => {
    const api = await start();
    const exp = T0 + 1000;
    const low = manifestWire({ now: T0, seq: 3, exp });
    const high = manifestWire({ now: T0, seq: 5, exp });
    // A higher seq that does not verify must not hide the real one.
    const forged = manifestWire({ now: T0, seq: 99, seed: OTHER_SEED });
    for (const v of [low, forged, high]) put(api, 'cluster.mesh.example', v);
    const r = await get(api);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.body).toEqual({ wire: high, seq: 5, exp, cluster_name: 'mesh.example' });
    expect(Object.keys(r.body)).toEqual(['wire', 'seq', 'exp', 'cluster_name']);
    expect(r.text).toBe(
      `{"wire": "${high}", "seq": 5, "exp": ${exp}, "cluster_name": "mesh.example"}`,
    );
  });

  it('writes a 64-bit seq exactly and strips the trailing dot of the cluster name', async () => {
    const api = await start({ base: 'Mesh.Example.' });
    const seq = 2n ** 63n + 5n;
    const wire = manifestWire({ now: T0, seq, clusterName: 'mesh.example.' });
    put(api, 'cluster.mesh.example', wire);
    const r = await get(api);
    expect(r.status).toBe(200);
    expect(r.text).toContain(`"seq": ${seq},`);
    expect(r.body.cluster_name).toBe('mesh.example');
  });

  it('keeps the first stored of two equal seqs', async () => {
    const api = await start();
    const first = manifestWire({ now: T0, seq: 4, exp: T0 + 500 });
    const second = manifestWire({ now: T0, seq: 4, exp: T0 + 900 });
    put(api, 'cluster.mesh.example', first);
    api.clock.now += 1;
    put(api, 'cluster.mesh.example', second);
    expect((await get(api)).body.wire).toBe(first);
  });

  it('without a pinned key, serves the highest seq that decodes (the caller verifies)', async () => {
    const api = await start({ pinned: false });
    const other = manifestWire({ now: T0, seq: 9, seed: OTHER_SEED });
    put(api, 'cluster.mesh.example', manifestWire({ now: T0, seq: 2 }));
    put(api, 'cluster.mesh.example', other);
    put(api, 'cluster.mesh.example', 'v=dmp1;t=cluster;AAAA');
    const r = await get(api);
    expect(r.status).toBe(200);
    expect(r.body.seq).toBe(9);
    expect(r.body.wire).toBe(other);
  });

  it('ignores the query string when matching', async () => {
    const api = await start();
    put(api, 'cluster.mesh.example', manifestWire({ now: T0, seq: 1 }));
    const r = await call(api.url(`${CLUSTER_MANIFEST_PATH}?x=1`), { headers: bearer(TOKEN) });
    expect(r.status).toBe(200);
  });
});
