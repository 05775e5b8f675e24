/**
 * Registration refusals over HTTP (node spec §4.5): the check order and
 * texts, availability gates and the shared per-IP bucket.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/protocol/bytes.js';
import {
  type ConfigOverrides,
  call,
  confirmBody,
  getChallenge,
  JSON_TYPE,
  postJson,
  tsigConfirmBody,
} from './harness.js';
import { ALICE, CONFIRM, MALLORY, TSIG, useRegistrationServer } from './registration-fixtures.js';

const start = useRegistrationServer();

describe('ceremony checks, in order', () => {
  it('refuses a replayed challenge', async () => {
    const api = await start();
    const ch = await getChallenge(api);
    expect(
      (await postJson(api.url(TSIG), tsigConfirmBody(ALICE, ch, 'alice@mesh.test'))).status,
    ).toBe(200);
    const replay = await postJson(api.url(CONFIRM), confirmBody(ALICE, ch, 'alice@mesh.test'));
    expect(replay).toMatchObject({ status: 400, body: { error: 'challenge expired or unknown' } });
  });

  it('answers 401 to a wrong signature and burns the challenge', async () => {
    const api = await start();
    const ch = await getChallenge(api);
    const good = confirmBody(ALICE, ch, 'alice@mesh.test');
    const forged = {
      ...confirmBody(MALLORY, ch, 'alice@mesh.test'),
      ed25519_spk: good.ed25519_spk,
    };
    const r = await postJson(api.url(CONFIRM), forged);
    expect(r).toMatchObject({ status: 401, body: { error: 'signature verification failed' } });
    expect((await postJson(api.url(CONFIRM), good)).status).toBe(400);
  });

  it('verifies the canonical subject: signing the typed mixed-case form is 401', async () => {
    const api = await start();
    const r = await postJson(
      api.url(CONFIRM),
      confirmBody(ALICE, await getChallenge(api), 'Alice@Mesh.Test'),
    );
    expect(r.status).toBe(401);
  });

  it('refuses an expired challenge', async () => {
    const api = await start();
    const ch = await getChallenge(api);
    api.clock.now += 60;
    const r = await postJson(api.url(CONFIRM), confirmBody(ALICE, ch, 'alice@mesh.test'));
    expect(r.body).toEqual({ error: 'challenge expired or unknown' });
  });

  it('reports malformed fields without consuming the challenge', async () => {
    const api = await start();
    const ch = await getChallenge(api);
    const good = confirmBody(ALICE, ch, 'alice@mesh.test');
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, ed25519_spk: undefined }, 'missing or non-string field: ed25519_spk'],
      [{ ...good, subject: 7 }, 'missing or non-string field: subject'],
      [{ ...good, signature: '' }, 'missing or non-string field: signature'],
      [
        { ...good, subject: 'alice' },
        'subject invalid: subject does not match <local>@<fqdn> shape',
      ],
      [{ ...good, ed25519_spk: 'zz' }, 'ed25519_spk: not valid hex'],
      [{ ...good, signature: good.signature.slice(2) }, 'signature: expected 64 bytes, got 63'],
      [{ ...good, challenge: 'abc' }, 'challenge: not valid hex'],
    ];
    for (const [body, error] of cases) {
      const r = await postJson(api.url(CONFIRM), body);
      expect(r, error).toMatchObject({ status: 400, body: { error } });
    }
    expect((await postJson(api.url(CONFIRM), good)).status).toBe(200);
  });

  it('answers 400 `invalid body` to non-JSON and non-object bodies', async () => {
    const api = await start();
    for (const body of ['{', '[1,2]', '"x"', 'null', '\xff']) {
      const r = await call(api.url(CONFIRM), { method: 'POST', headers: JSON_TYPE, body });
      expect(r, body).toMatchObject({ status: 400, body: { error: 'invalid body' } });
    }
    const empty = await call(api.url(TSIG), { method: 'POST', headers: JSON_TYPE });
    expect(empty.body).toEqual({ error: 'missing or non-string field: subject' });
  });

  it('applies the allowlist only after a valid signature (403)', async () => {
    const api = await start({ registration: { policy: { allowlist: ['other.test'] } } });
    const forged = {
      ...confirmBody(MALLORY, await getChallenge(api), 'alice@mesh.test'),
      ed25519_spk: toHex(ALICE.ed25519Public),
    };
    expect((await postJson(api.url(CONFIRM), forged)).status).toBe(401);
    const r = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(r).toMatchObject({
      status: 403,
      body: { error: 'subject not in registration allowlist' },
    });
  });
});

describe('availability and limits', () => {
  const routes = [
    ['GET', '/v1/registration/challenge'],
    ['POST', CONFIRM],
    ['POST', TSIG],
  ] as const;

  it.each([
    ['registration disabled', { registration: { enabled: false } }],
    ['legacy auth mode', { authMode: 'legacy' }],
    ['no node hostname', { registration: { policy: { nodeHostname: '' } } }],
  ] as [string, ConfigOverrides][])('all routes are 404 with %s', async (_why, over) => {
    const api = await start(over);
    for (const [method, path] of routes) {
      const r = await call(api.url(path), {
        method,
        ...(method === 'POST' ? { headers: JSON_TYPE, body: '{}' } : {}),
      });
      expect(r, path).toMatchObject({ status: 404, body: { error: 'not found' } });
    }
  });

  it('tsig-confirm is 404 `tsig registration disabled` when UPDATE is off', async () => {
    const api = await start({ updateEnabled: false });
    const r = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(r).toMatchObject({ status: 404, body: { error: 'tsig registration disabled' } });
    const token = await postJson(
      api.url(CONFIRM),
      confirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(token.status).toBe(200);
  });

  it('the challenge path is matched exactly (a query string is 404)', async () => {
    const api = await start();
    expect((await call(api.url('/v1/registration/challenge?x=1'))).status).toBe(404);
    // The confirm routes compare the path part only.
    const r = await postJson(api.url(`${CONFIRM}?from=cli`), {});
    expect(r.body).toEqual({ error: 'missing or non-string field: subject' });
  });

  it('challenge and both confirms share one per-IP bucket (429 after the burst)', async () => {
    const api = await start({
      registration: { endpointRate: { ratePerSecond: 5 / 3600, burst: 3 } },
    });
    const ch = await getChallenge(api); // 1
    expect(
      (await postJson(api.url(TSIG), tsigConfirmBody(ALICE, ch, 'alice@mesh.test'))).status,
    ).toBe(200); // 2
    await getChallenge(api); // 3
    for (const [method, path] of routes) {
      const r = await call(api.url(path), {
        method,
        ...(method === 'POST' ? { headers: JSON_TYPE, body: '{}' } : {}),
      });
      expect(r, path).toMatchObject({
        status: 429,
        body: { error: 'registration rate limit exceeded' },
      });
    }
    api.clock.monotonic += 3600 / 5; // one token back
    expect((await call(api.url('/v1/registration/challenge'))).status).toBe(200);
  });
});
