/**
 * One subject, one registered key, across both ceremonies and the identity
 * names they grant (hardening: identity takeover by a same-named subject of
 * another domain; a token ceremony blind to a TSIG registration).
 */
import { describe, expect, it } from 'vitest';
import { TsigScope } from '../../../src/node/registration/tsig-scope.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { hexHash } from '../../../src/protocol/crypto/hash.js';
import { bearer, confirmBody, getChallenge, postJson, T0, tsigConfirmBody } from './harness.js';
import { ALICE, CONFIRM, MALLORY, TSIG, useRegistrationServer } from './registration-fixtures.js';

const start = useRegistrationServer();
const ALICE_ID = `id-${hexHash('alice', 16)}.mesh.test`;
const ALICE_PREKEYS = `prekeys.id-${hexHash('alice', 12)}.mesh.test`;
const OWNED = {
  status: 409,
  body: {
    error:
      'subject already has a live token; re-registration must be signed with the previously-registered Ed25519 key',
  },
};

describe('registration allowlist default', () => {
  it('admits only the served zone when none is configured', async () => {
    const api = await start({ registration: { policy: { allowlist: [] } } });
    const foreign = await postJson(
      api.url(TSIG),
      tsigConfirmBody(MALLORY, await getChallenge(api), 'alice@evil.example'),
    );
    expect(foreign).toMatchObject({
      status: 403,
      body: { error: 'subject not in registration allowlist' },
    });
    const local = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(local.status).toBe(200);
  });

  it('`*` admits every domain, but a foreign subject gets no identity name of this zone', async () => {
    const api = await start({ registration: { policy: { allowlist: ['*'] } } });
    const r = await postJson(
      api.url(TSIG),
      tsigConfirmBody(MALLORY, await getChallenge(api), 'alice@evil.example'),
    );
    expect(r.status).toBe(200);
    const suffixes = r.body.allowed_suffixes as string[];
    expect(suffixes.some((s) => s.startsWith('id-'))).toBe(false);
    const scope = TsigScope.of(suffixes);
    for (const name of [ALICE_ID, ALICE_PREKEYS]) {
      expect(scope.allowsAdd(name)).toBe(false);
      expect(scope.allowsDelete(name)).toBe(false);
    }
    // The stranger can still send: the shared namespaces stay open to it.
    expect(scope.allowsAdd('slot-3.mb-505f83d5d535.mesh.test')).toBe(true);
  });
});

describe('one registered key per subject, across both ceremonies', () => {
  it('a TSIG registration locks the token ceremony for every other key', async () => {
    const api = await start();
    const tsig = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(tsig.status).toBe(200);
    const stolen = await postJson(
      api.url(CONFIRM),
      confirmBody(MALLORY, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(stolen).toMatchObject(OWNED);
    // Alice herself may still get a token.
    const own = await postJson(
      api.url(CONFIRM),
      confirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(own.status).toBe(200);
  });

  it('a token registration locks the TSIG ceremony for every other key', async () => {
    const api = await start();
    const token = await postJson(
      api.url(CONFIRM),
      confirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(token.status).toBe(200);
    const stolen = await postJson(
      api.url(TSIG),
      tsigConfirmBody(MALLORY, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(stolen).toMatchObject(OWNED);
    expect(api.stores.tsigKeys.listActive(T0)).toEqual([]);
    // The token still writes alice's identity; mallory has nothing to write with.
    const write = await postJson(
      api.url(`/v1/records/${ALICE_ID}`),
      { value: 'v=dmp1;t=identity;x', ttl: 300 },
      bearer(token.body.token as string),
    );
    expect(write.status).toBe(201);
  });

  it('an identity name held by another subject’s key locks it too (keys minted before this rule)', async () => {
    const api = await start();
    // A key of an earlier version: a foreign subject holding alice's names.
    api.stores.tsigKeys.upsert({
      name: 'alice-0000.mesh.test.',
      algorithm: 'hmac-sha256',
      secret: new Uint8Array(32).fill(7),
      allowedSuffixes: [ALICE_ID, `id-${hexHash('alice', 12)}.mesh.test`],
      createdAt: T0,
      expiresAt: 0,
      revoked: false,
      subject: 'alice@evil.example',
      registeredSpk: toHex(MALLORY.ed25519Public),
      registeredX25519Pub: '',
    });
    const r = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(r).toMatchObject(OWNED);
  });

  it('never replaces another subject’s key of the same name', async () => {
    const api = await start();
    const first = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    const name = first.body.tsig_key_name as string;
    const victim = api.stores.tsigKeys.getActive(name, T0)!;
    // Same name, another subject: what a ground spk prefix + subject hash would give.
    api.stores.tsigKeys.upsert({ ...victim, subject: 'bob@mesh.test' });
    const r = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(r).toMatchObject(OWNED);
    expect(api.stores.tsigKeys.getActive(name, T0)!.subject).toBe('bob@mesh.test');
  });
});
