/** `/v1/records/{name}` over HTTP (node spec §4.2, §4.4): auth modes, checks in order, statuses. */
import { afterEach, describe, expect, it } from 'vitest';
import { bearerTokenHash, generateBearerToken } from '../../../src/node/auth/bearer-token.js';
import type { RecordStore } from '../../../src/node/store/types.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import { mailboxHash } from '../../../src/protocol/names.js';
import { encodeChunkRecord } from '../../../src/protocol/records/chunk-record.js';
import { signSlotManifest } from '../../../src/protocol/records/slot-manifest.js';
import {
  type ApiHarness,
  bearer,
  type ConfigOverrides,
  call,
  JSON_TYPE,
  OPERATOR_TOKEN,
  postJson,
  requestCount,
  startApi,
  T0,
} from './harness.js';

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(over: ConfigOverrides = {}, records?: (real: RecordStore) => RecordStore) {
  h = await startApi(over, records ? (stores) => ({ records: records(stores.records) }) : {});
  return h;
}

const CHUNK = new Uint8Array([1, 2, 3]);
const rec = (name: string) => `/v1/records/${name}`;
const del = (url: string, body?: string, headers: Record<string, string> = {}) =>
  call(url, {
    method: 'DELETE',
    ...(body === undefined ? { headers } : { headers: { ...JSON_TYPE, ...headers }, body }),
  });

describe('open mode', () => {
  const open: ConfigOverrides = { authMode: 'open', operatorToken: undefined };

  it('publishes, reads, deletes a value and the RRset', async () => {
    const api = await start(open);
    const name = 'notes.mesh.test';
    expect(await postJson(api.url(rec(name)), { value: 'one', ttl: 60 })).toMatchObject({
      status: 201,
      text: '{"ok": true}',
    });
    await postJson(api.url(rec(name)), { value: 'two' });
    expect(await call(api.url(rec(name)))).toMatchObject({
      status: 200,
      body: { name, values: ['one', 'two'] },
    });
    expect(await del(api.url(rec(name)), '{"value": "one"}')).toMatchObject({
      status: 204,
      text: '',
    });
    expect(await del(api.url(rec(name)), '{"value": "one"}')).toMatchObject({
      status: 404,
      text: '',
    });
    expect((await del(api.url(rec(name)))).status).toBe(204);
    expect(await call(api.url(rec(name)))).toMatchObject({
      status: 404,
      body: { name, values: [] },
    });
  });

  it('takes the name as one percent-decoded segment, trimmed of whitespace and trailing dots', async () => {
    const api = await start(open);
    await postJson(api.url(rec('%20a.mesh.test..%20/')), { value: 'v' });
    expect((await call(api.url(rec('a.mesh.test')))).body).toEqual({
      name: 'a.mesh.test',
      values: ['v'],
    });
    expect((await call(api.url('/v1/records/a/b'))).body).toEqual({ error: 'not found' });
  });

  it('expires values after their TTL (default 300 s)', async () => {
    const api = await start(open);
    await postJson(api.url(rec('a.mesh.test')), { value: 'v' });
    api.clock.now += 299;
    expect((await call(api.url(rec('a.mesh.test')))).status).toBe(200);
    api.clock.now += 1;
    expect((await call(api.url(rec('a.mesh.test')))).status).toBe(404);
  });
});

describe('POST checks, in order', () => {
  const open: ConfigOverrides = { authMode: 'open', operatorToken: undefined };
  const url = (api: ApiHarness) => api.url(rec('a.mesh.test'));

  it.each([
    [{ value: 1 }, 'value (str) and ttl (int > 0) required'],
    [{ ttl: 5 }, 'value (str) and ttl (int > 0) required'],
    [{ value: 'v', ttl: 0 }, 'value (str) and ttl (int > 0) required'],
    [{ value: 'v', ttl: -5 }, 'value (str) and ttl (int > 0) required'],
    [{ value: 'v', ttl: 1.5 }, 'value (str) and ttl (int > 0) required'],
    [{ value: 'v', ttl: '60' }, 'value (str) and ttl (int > 0) required'],
    [{ value: 'v', ttl: null }, 'value (str) and ttl (int > 0) required'],
    [{ value: 'v', ttl: false }, 'value (str) and ttl (int > 0) required'],
    [{ value: 'v', ttl: 86_401 }, 'ttl exceeds cap of 86400s'],
    [{ value: 'x'.repeat(2049) }, 'value exceeds cap of 2048 bytes'],
    [{ value: 'é'.repeat(1025) }, 'value exceeds cap of 2048 bytes'], // bytes, not characters
    [{ value: 'say "hi"' }, 'invalid record value'],
    [{ value: 'line\nbreak' }, 'invalid record value'],
    [{ value: 'del\u007f' }, 'invalid record value'],
    [{ value: 'lone \ud800' }, 'invalid record value'],
  ])('%j → 400 %s', async (body, error) => {
    const api = await start(open);
    expect(await postJson(url(api), body)).toMatchObject({ status: 400, body: { error } });
    expect((await call(url(api))).status).toBe(404);
  });

  it('counts JSON true as TTL 1 and accepts the cap exactly', async () => {
    const api = await start(open);
    expect((await postJson(url(api), { value: 'a', ttl: true })).status).toBe(201);
    expect((await postJson(url(api), { value: 'b', ttl: 86_400 })).status).toBe(201);
    api.clock.now += 1;
    expect((await call(url(api))).body.values).toEqual(['b']);
  });

  it.each(['{', '[]', '"v"', '7', 'null'])('answers 400 invalid body to %s', async (text) => {
    const api = await start(open);
    const r = await call(url(api), { method: 'POST', headers: JSON_TYPE, body: text });
    expect(r).toMatchObject({ status: 400, body: { error: 'invalid body' } });
  });

  it.each(['bad_name.test', '-a.test', `${'a'.repeat(64)}.test`, `${'a.'.repeat(127)}ab`, 'a..b'])(
    'refuses the name %s',
    async (name) => {
      const api = await start(open);
      const r = await postJson(api.url(rec(name)), { value: 'v' });
      expect(r).toMatchObject({ status: 400, body: { error: 'invalid record name' } });
    },
  );

  it('accepts underscore-led labels such as _dnsmesh-claim-*', async () => {
    const api = await start(open);
    expect(
      (await postJson(api.url(rec('_dnsmesh-claim-ab.mesh.test')), { value: 'v' })).status,
    ).toBe(201);
  });

  it('caps the RRset (413) but lets a held value be re-published', async () => {
    const api = await start({
      ...open,
      caps: { maxTtl: 86_400, maxValueBytes: 2048, maxValuesPerName: 2 },
    });
    await postJson(url(api), { value: 'a' });
    await postJson(url(api), { value: 'b' });
    expect(await postJson(url(api), { value: 'c' })).toMatchObject({
      status: 413,
      body: { error: 'RRset at a.mesh.test already holds 2 values' },
    });
    expect((await postJson(url(api), { value: 'a' })).status).toBe(201);
  });

  it('answers 502 {"ok": false} when the store fails', async () => {
    const api = await start(open, (real) => ({
      ...bind(real),
      apply: () => {
        throw new Error('disk full');
      },
    }));
    expect(await postJson(url(api), { value: 'v' })).toMatchObject({
      status: 502,
      body: { ok: false },
    });
    expect(api.logs.some((l) => l.includes('record publish failed'))).toBe(true);
  });
});

describe('DELETE', () => {
  const open: ConfigOverrides = { authMode: 'open', operatorToken: undefined };

  it('refuses an unparseable body instead of deleting the whole RRset, and unsafe values', async () => {
    const api = await start(open);
    const url = api.url(rec('a.mesh.test'));
    await postJson(url, { value: 'a' });
    await postJson(url, { value: 'b' });
    expect(await del(url, '{"value": 5}')).toMatchObject({
      status: 400,
      body: { error: 'invalid record value' },
    });
    expect((await del(url, '{"value": "x\\u0000"}')).status).toBe(400);
    for (const body of ['not json', '[1]', '"value"']) {
      expect(await del(url, body)).toMatchObject({ status: 400, body: { error: 'invalid body' } });
    }
    expect((await call(url)).body).toMatchObject({ values: ['a', 'b'] });
    expect((await del(url)).status).toBe(204); // no body: the RRset
    expect((await call(url)).status).toBe(404);
  });

  it('checks the name after auth', async () => {
    const api = await start(open);
    expect(await del(api.url(rec('bad_name.test')))).toMatchObject({
      status: 400,
      body: { error: 'invalid record name' },
    });
  });
});

describe('legacy mode', () => {
  it('writes and reads with the operator token only', async () => {
    const api = await start({ authMode: 'legacy' });
    const url = api.url(rec('cluster.mesh.test'));
    expect(await postJson(url, { value: 'v' })).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect((await postJson(url, { value: 'v' }, bearer('wrong'))).status).toBe(401);
    expect((await postJson(url, { value: 'v' }, bearer(OPERATOR_TOKEN))).status).toBe(201);
    expect((await call(url)).status).toBe(401);
    expect(
      (await call(url, { headers: { Authorization: `bearer ${OPERATOR_TOKEN}` } })).status,
    ).toBe(401);
    expect(await call(url, { headers: bearer(OPERATOR_TOKEN) })).toMatchObject({
      status: 200,
      body: { values: ['v'] },
    });
    expect((await del(url, undefined, bearer(OPERATOR_TOKEN))).status).toBe(204);
    // Requests are logged (debug), credentials never.
    const log = api.logs.join('\n');
    expect(log).toContain('"path":"/v1/records/cluster.mesh.test"');
    expect(log).not.toContain(OPERATOR_TOKEN);
  });
});

/** Inserts a live user token for `subject` (default alice) and returns it. */
function issue(
  api: ApiHarness,
  over: { subject?: string; burst?: number; registeredSpk?: string } = {},
): string {
  const token = generateBearerToken();
  api.stores.tokens.insert({
    tokenHash: bearerTokenHash(token),
    subject: over.subject ?? 'alice@mesh.test',
    subjectType: 1,
    subjectHash12: null,
    ratePerSec: 1,
    rateBurst: over.burst ?? 50,
    issuedAt: T0,
    expiresAt: null,
    revokedAt: null,
    issuer: over.registeredSpk ? 'self-service' : 'admin',
    note: '',
    registeredSpk: over.registeredSpk ?? null,
  });
  return token;
}

describe('multi-tenant mode', () => {
  it('authorises user tokens by name class', async () => {
    const api = await start();
    const alice = bearer(issue(api));
    expect(
      (await postJson(api.url(rec('dmp.alice.mesh.test')), { value: 'v' }, alice)).status,
    ).toBe(201);
    expect((await postJson(api.url(rec('dmp.bob.mesh.test')), { value: 'v' }, alice)).status).toBe(
      401,
    );
    expect((await postJson(api.url(rec('cluster.mesh.test')), { value: 'v' }, alice)).status).toBe(
      401,
    );
    const pool = api.url(rec('chunk-0001-0123456789ab.mesh.test'));
    expect((await postJson(pool, { value: encodeChunkRecord(CHUNK) }, alice)).status).toBe(201);
    expect(await del(pool, undefined, alice)).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect((await del(pool, undefined, bearer(OPERATOR_TOKEN))).status).toBe(204);
    expect((await del(api.url(rec('dmp.alice.mesh.test')), undefined, alice)).status).toBe(204);
  });

  it('answers 429 once the token’s own bucket is empty', async () => {
    const api = await start();
    const alice = bearer(issue(api, { burst: 2 }));
    const url = api.url(rec('dmp.alice.mesh.test'));
    expect((await postJson(url, { value: 'a' }, alice)).status).toBe(201);
    expect((await postJson(url, { value: 'b' }, alice)).status).toBe(201);
    expect(await postJson(url, { value: 'c' }, alice)).toMatchObject({
      status: 429,
      body: { error: 'per-token rate limit exceeded' },
    });
  });

  it('reads need the operator token when one is configured', async () => {
    const api = await start();
    const alice = bearer(issue(api));
    await postJson(api.url(rec('dmp.alice.mesh.test')), { value: 'v' }, alice);
    expect((await call(api.url(rec('dmp.alice.mesh.test')), { headers: alice })).status).toBe(401);
    expect(
      (await call(api.url(rec('dmp.alice.mesh.test')), { headers: bearer(OPERATOR_TOKEN) })).status,
    ).toBe(200);
  });
});

describe('shared namespaces', () => {
  it('a user token writes only values a receiver could use at slot and chunk names', async () => {
    const api = await start();
    const token = issue(api, { subject: 'mallory@mesh.test', registeredSpk: 'ab'.repeat(32) });
    const user = bearer(token);
    const junk = [
      [
        'slot-1.mb-0123456789ab.mesh.test',
        'v=dmp1;t=manifest;junk',
        'invalid slot record for this name',
      ],
      ['chunk-0001-0123456789ab.mesh.test', 'filler', 'invalid chunk record for this name'],
    ] as const;
    for (const [name, value, error] of junk) {
      expect(await postJson(api.url(rec(name)), { value, ttl: 60 }, user)).toMatchObject({
        status: 400,
        body: { error },
      });
      expect(api.stores.records.query(name, T0)).toEqual([]);
    }
    // A manifest signed for another mailbox is junk at this one.
    const seed = new Uint8Array(32).fill(3);
    const recipient = new Uint8Array(32).fill(9);
    const manifest = signSlotManifest(
      {
        msgId: new Uint8Array(16).fill(1),
        senderSpk: ed25519PublicKey(seed),
        recipientId: recipient,
        totalChunks: 1,
        dataChunks: 1,
        prekeyId: 0,
        ts: T0,
        exp: T0 + 300,
      },
      seed,
    );
    const other = api.url(rec('slot-1.mb-0123456789ab.mesh.test'));
    expect((await postJson(other, { value: manifest, ttl: 60 }, user)).status).toBe(400);
    const own = `slot-1.mb-${mailboxHash(recipient)}.mesh.test`;
    expect((await postJson(api.url(rec(own)), { value: manifest, ttl: 60 }, user)).status).toBe(
      201,
    );
    expect(api.stores.records.query(own, T0)).toEqual([manifest]);
    // The operator writes as the reference lets it.
    const op = bearer(OPERATOR_TOKEN);
    expect((await postJson(other, { value: 'anything', ttl: 60 }, op)).status).toBe(201);
  });
});

describe('per-IP limiter', () => {
  it('answers 429 after the burst, before auth, and refills with time', async () => {
    const api = await start({ recordsRate: { ratePerSecond: 10, burst: 3 } });
    const url = api.url(rec('a.mesh.test'));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await postJson(url, { value: 'v' })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await call(url)).body).toEqual({ error: 'rate limit exceeded' });
    // Status routes are not limited.
    expect((await call(api.url('/health'))).status).toBe(200);
    api.clock.monotonic += 0.1;
    expect((await postJson(url, { value: 'v' }, bearer(OPERATOR_TOKEN))).status).toBe(201);
    expect(await requestCount(api, 'POST', 429)).toBe(1);
    expect(await requestCount(api, 'POST', 401)).toBe(3);
  });
});

/** A record store whose methods stay bound when spread into a wrapper. */
function bind(store: RecordStore): RecordStore {
  return {
    query: store.query.bind(store),
    countLive: store.countLive.bind(store),
    apply: store.apply.bind(store),
    publish: store.publish.bind(store),
    delete: store.delete.bind(store),
    cleanupExpired: store.cleanupExpired.bind(store),
    liveCount: store.liveCount.bind(store),
    rowCount: store.rowCount.bind(store),
    writerUsage: store.writerUsage.bind(store),
    writerClassUsage: store.writerClassUsage.bind(store),
    countLiveByWriter: store.countLiveByWriter.bind(store),
    close: store.close.bind(store),
  };
}
