/**
 * Registration ceremonies over HTTP (node spec §4.5), driven the way the
 * reference CLI drives them: GET a challenge, sign `challenge ‖ subject ‖
 * node ‖ 0x01` with the identity's Ed25519 key, prove the X25519 key, POST
 * the confirm.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerTokenHash } from '../../../src/node/auth/bearer-token.js';
import { TsigScope } from '../../../src/node/registration/tsig-scope.js';
import { fromHex, toHex } from '../../../src/protocol/bytes.js';
import { identityFromPrivateKey } from '../../../src/protocol/crypto/identity.js';
import { haveVectors, loadVectors } from '../../interop/vectors.js';
import {
  bearer,
  confirmBody,
  getChallenge,
  NODE_HOSTNAME,
  postJson,
  T0,
  tsigConfirmBody,
} from './harness.js';
import { ALICE, CONFIRM, MALLORY, TSIG, useRegistrationServer } from './registration-fixtures.js';

const start = useRegistrationServer();

interface PopCase {
  readonly kind: string;
  readonly subject: string;
  readonly challenge_hex: string;
  readonly server_ephemeral_private_hex: string;
  readonly server_ephemeral_public_hex: string;
  readonly user_x25519_private_hex: string;
  readonly claimed_x25519_public_hex: string;
  readonly expected_pop_hex: string;
}

/** crypto.json's registration_pop cases (none without vectors; CI requires them). */
function popCases(): PopCase[] {
  if (!haveVectors) return [];
  return (loadVectors('crypto.json').cases as PopCase[]).filter(
    (c) => c.kind === 'registration_pop',
  );
}

describe('TSIG registration ceremony', () => {
  it.each(popCases())(
    'proves X25519 possession exactly as crypto.json case %# describes, and the node accepts it',
    async (pop) => {
      // Everything comes from the case: the user's key, the subject, the
      // challenge and the server's ephemeral key (scripted as the node's
      // first two random draws). The node serves the subject's own zone.
      const script = [fromHex(pop.challenge_hex), fromHex(pop.server_ephemeral_private_hex)];
      const zone = pop.subject.slice(pop.subject.lastIndexOf('@') + 1);
      const api = await start(
        { registration: { policy: { servedZone: zone } } },
        (n) => script.shift() ?? new Uint8Array(randomBytes(n)),
      );
      const user = identityFromPrivateKey(fromHex(pop.user_x25519_private_hex));
      expect(toHex(user.x25519Public)).toBe(pop.claimed_x25519_public_hex);
      const ch = await getChallenge(api);
      expect(ch.challenge).toBe(pop.challenge_hex);
      expect(ch.server_x25519_pub).toBe(pop.server_ephemeral_public_hex);
      const body = tsigConfirmBody(user, ch, pop.subject);
      expect(body.x25519_pop).toBe(pop.expected_pop_hex);
      const r = await postJson(api.url(TSIG), body);
      expect(r.status).toBe(200);
      expect(r.body.subject).toBe(pop.subject);
    },
  );

  it('mints the key names.json describes, and stores it', async () => {
    const api = await start();
    const ch = await getChallenge(api);
    expect(ch.node).toBe(NODE_HOSTNAME);
    expect(ch.version).toBe(1);
    expect(ch.expires_at).toBe(T0 + 60);
    expect(ch.challenge).toMatch(/^[0-9a-f]{64}$/);
    expect(ch.server_x25519_pub).toMatch(/^[0-9a-f]{64}$/);
    const body = tsigConfirmBody(ALICE, ch, 'alice@mesh.test');

    const r = await postJson(api.url(TSIG), body);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      tsig_key_name: 'alice-e4b2248f-541308.mesh.test.',
      tsig_algorithm: 'hmac-sha256',
      subject: 'alice@mesh.test',
      zone: 'mesh.test',
      expires_at: T0 + 7_776_000,
    });
    expect(r.body.allowed_suffixes).toEqual([
      '_dnsmesh-claim-*.mesh.test',
      '_dnsmesh-claim-e4b2248f9e1bb7da.mesh.test',
      'chunk-*-*.mesh.test',
      'claim-*.mb-*.mesh.test',
      'id-2bd806c97f0e.mesh.test',
      'id-2bd806c97f0e00af.mesh.test',
      'mb-505f83d5d535.mesh.test',
      'slot-*.mb-*.mesh.test',
    ]);
    expect(r.body.tsig_secret_hex).toMatch(/^[0-9a-f]{64}$/);

    const stored = api.stores.tsigKeys.getActive(r.body.tsig_key_name, T0);
    expect(stored).toBeDefined();
    expect(toHex(stored!.secret)).toBe(r.body.tsig_secret_hex);
    expect(stored!.allowedSuffixes).toEqual(r.body.allowed_suffixes);
    expect(stored!.registeredSpk).toBe(toHex(ALICE.ed25519Public));
    expect(stored!.registeredX25519Pub).toBe(toHex(ALICE.x25519Public));
    expect(stored!.subject).toBe('alice@mesh.test');
    // The UPDATE handler's view: alice may delete in her own mailbox only.
    const scope = TsigScope.of(stored!.allowedSuffixes);
    expect(scope.allowsDelete('slot-3.mb-505f83d5d535.mesh.test')).toBe(true);
    expect(scope.allowsDelete('slot-3.mb-8ef95b93df4e.mesh.test')).toBe(false);

    // Secrets never reach the log.
    const log = api.logs.join('\n');
    expect(log).toContain('TSIG key minted');
    expect(log).not.toContain(r.body.tsig_secret_hex);
  });

  it('re-registration with the same key replaces the secret', async () => {
    const api = await start();
    const first = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    const second = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(second.status).toBe(200);
    expect(second.body.tsig_key_name).toBe(first.body.tsig_key_name);
    expect(second.body.tsig_secret_hex).not.toBe(first.body.tsig_secret_hex);
    const stored = api.stores.tsigKeys.getActive(first.body.tsig_key_name, T0)!;
    expect(toHex(stored.secret)).toBe(second.body.tsig_secret_hex);
  });

  it('refuses another signer for a subject that holds a live key (409)', async () => {
    const api = await start();
    await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    const r = await postJson(
      api.url(TSIG),
      tsigConfirmBody(MALLORY, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      error:
        'subject already has a live token; re-registration must be signed with the previously-registered Ed25519 key',
    });
  });

  it('without a proof the X25519 key is ignored; a wrong proof is 401; bad hex is 400', async () => {
    const api = await start();
    const noPop = {
      ...tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
      x25519_pop: '',
    };
    const ok = await postJson(api.url(TSIG), noPop);
    expect(ok.status).toBe(200);
    expect(ok.body.allowed_suffixes.some((s: string) => s.startsWith('mb-'))).toBe(false);
    expect(api.stores.tsigKeys.getActive(ok.body.tsig_key_name, T0)!.registeredX25519Pub).toBe('');

    // Claiming mallory's key with alice's proof.
    const ch = await getChallenge(api);
    const forged = {
      ...tsigConfirmBody(ALICE, ch, 'alice@mesh.test'),
      x25519_pub: toHex(MALLORY.x25519Public),
    };
    const bad = await postJson(api.url(TSIG), forged);
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe(
      'x25519_pop verification failed: registrant did not prove possession of the claimed X25519 key',
    );

    const badHex = {
      ...tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
      x25519_pub: 'abcd',
    };
    const r = await postJson(api.url(TSIG), badHex);
    expect(r).toMatchObject({
      status: 400,
      body: { error: 'x25519_pub: expected 32 bytes, got 2' },
    });
    const badPop = {
      ...tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
      x25519_pop: 'xyz',
    };
    expect((await postJson(api.url(TSIG), badPop)).body).toEqual({
      error: 'x25519_pop: not valid hex',
    });
  });

  it.each([
    [
      'tight',
      [
        '_dnsmesh-claim-e4b2248f9e1bb7da.mesh.test',
        'id-2bd806c97f0e.mesh.test',
        'id-2bd806c97f0e00af.mesh.test',
        'mb-505f83d5d535.mesh.test',
      ],
    ],
    ['loose', ['mesh.test']],
  ] as const)('mints the %s scope when configured', async (scopeMode, expected) => {
    const api = await start({ registration: { policy: { scopeMode } } });
    const r = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(r.body.allowed_suffixes).toEqual(expected);
  });

  it('refuses a local part too long for one DNS label', async () => {
    const api = await start();
    const subject = `${'a'.repeat(48)}@mesh.test`;
    const r = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), subject),
    );
    expect(r).toMatchObject({
      status: 400,
      body: { error: 'subject local part too long for TSIG key label (max 54 chars)' },
    });
  });

  it('never expires the key when the token TTL is 0', async () => {
    const api = await start({ registration: { policy: { tokenTtlSeconds: 0 } } });
    const r = await postJson(
      api.url(TSIG),
      tsigConfirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(r.body.expires_at).toBe(0);
  });
});

describe('token registration ceremony', () => {
  it('issues a working bearer token, stored only by hash and never logged', async () => {
    const api = await start();
    const r = await postJson(
      api.url(CONFIRM),
      confirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      subject: 'alice@mesh.test',
      expires_at: T0 + 7_776_000,
      rate_per_sec: 10,
      rate_burst: 50,
    });
    const token: string = r.body.token;
    expect(token).toMatch(/^dmp_v1_[A-Z2-7]{52}$/);
    const row = api.stores.tokens.findLive(bearerTokenHash(token), T0);
    expect(row).toMatchObject({
      subject: 'alice@mesh.test',
      issuer: 'self-service',
      registeredSpk: toHex(ALICE.ed25519Public),
    });

    const write = await postJson(
      api.url('/v1/records/dmp.alice.mesh.test'),
      { value: 'v=dmp1;t=identity' },
      bearer(token),
    );
    expect(write).toMatchObject({ status: 201, body: { ok: true } });
    const denied = await postJson(
      api.url('/v1/records/dmp.bob.mesh.test'),
      { value: 'x' },
      bearer(token),
    );
    expect(denied).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(api.logs.join('\n')).not.toContain(token);
  });

  it('re-registration by the same key revokes the previous token; another key gets 409', async () => {
    const api = await start();
    const first = await postJson(
      api.url(CONFIRM),
      confirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    const second = await postJson(
      api.url(CONFIRM),
      confirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(second.status).toBe(200);
    expect(api.stores.tokens.findLive(bearerTokenHash(first.body.token), T0)).toBeUndefined();
    expect(api.stores.tokens.findLive(bearerTokenHash(second.body.token), T0)).toBeDefined();
    const takeover = await postJson(
      api.url(CONFIRM),
      confirmBody(MALLORY, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(takeover.status).toBe(409);
  });

  it('issues never-expiring tokens when the TTL is 0', async () => {
    const api = await start({ registration: { policy: { tokenTtlSeconds: 0 } } });
    const r = await postJson(
      api.url(CONFIRM),
      confirmBody(ALICE, await getChallenge(api), 'alice@mesh.test'),
    );
    expect(r.body.expires_at).toBe(null);
  });
});
