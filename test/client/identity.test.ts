/**
 * Identity publish and fetch (core.md §10) and prekey pool maintenance
 * (§9) over loopback DNS: republish replaces our own older record, fetch
 * by address and by bare name, the ambiguity and revocation rules, zone-
 * anchored identities, and the O4 fix (prekeys found for `user@host` labels).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DmpClientError } from '../../src/client/errors.js';
import { identityFingerprint } from '../../src/client/fingerprints.js';
import { toHex } from '../../src/protocol/bytes.js';
import { identityFromPrivateKey } from '../../src/protocol/crypto/identity.js';
import { hashedIdentityName, prekeyPoolName } from '../../src/protocol/names.js';
import { signIdentityRecord } from '../../src/protocol/records/identity-record.js';
import { userRotationRrsetName } from '../../src/protocol/records/operator-names.js';
import { signRevocationRecord } from '../../src/protocol/records/revocation-record.js';
import { SubjectType } from '../../src/protocol/records/rotation-subject.js';
import { pinned, type TestUser, TestWorld } from './harness/world.js';

describe('identity publish and fetch', () => {
  let world: TestWorld;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    world = await TestWorld.start(['mesh.test', 'bob.example']);
    alice = world.user('alice', 'mesh.test');
    bob = world.user('bob', 'mesh.test');
  });
  afterAll(async () => world?.close());

  it('publishes at id-<hex16>.<zone>; a republish replaces our older record', async () => {
    const name = hashedIdentityName('bob', 'mesh.test');
    const first = await bob.client().publishIdentity();
    expect(first).toMatchObject({ name, replaced: 0 });
    world.clock.now += 5;
    const second = await bob.client().publishIdentity({ advertiseV2: true });
    expect(second.replaced).toBe(1);
    expect(world.dns.values(name)).toEqual([second.value]);
  });

  it('fetches by address and by bare name, with fingerprint and contact data', async () => {
    const byAddress = await alice.client().fetchIdentity('bob@mesh.test');
    if (byAddress.status !== 'found') throw new Error(byAddress.status);
    expect(byAddress.query.names).toEqual([
      'dmp.mesh.test',
      hashedIdentityName('bob', 'mesh.test'),
    ]);
    expect(byAddress.identity.record.versions).toEqual([1, 2]);
    expect(byAddress.identity.fingerprint).toBe(
      identityFingerprint(bob.identity.x25519Public, bob.identity.ed25519Public),
    );
    expect(byAddress.exactUsername).toBe(true);
    expect(byAddress.contact.label).toBe('bob@mesh.test');
    expect(byAddress.contact.init.domain).toBe('mesh.test');

    const bare = await alice.client().fetchIdentity('bob');
    if (bare.status !== 'found') throw new Error(bare.status);
    expect(bare.contact.label).toBe('bob');
    expect(bare.contact.init.domain).toBe('');

    const caseDiffers = await alice.client().fetchIdentity('Bob@mesh.test');
    expect(caseDiffers.status).toBe('not-found'); // hashed as typed
  });

  it('a user@host contact gets prekeys from the remote username (O4 fixed)', async () => {
    await bob.client().refreshPrekeys({ count: 2 });
    const fetched = await alice.client().fetchIdentity('bob@mesh.test');
    if (fetched.status !== 'found') throw new Error(fetched.status);
    const client = alice.client({ contacts: { [fetched.contact.label]: fetched.contact.init } });
    const sent = await client.send('bob@mesh.test', 'forward secret via a fetched contact');
    expect(sent.prekeyId).not.toBe(0);
    expect(sent.envelope).toBe(true);
    const got = await bob.client({ contacts: { alice: pinned(alice) } }).receive();
    expect(got.messages).toHaveLength(1);
  });

  it('reports not-found, unverified values, and ambiguity resolved by fingerprint', async () => {
    expect((await alice.client().fetchIdentity('nobody@mesh.test')).status).toBe('not-found');
    world.dns.put(hashedIdentityName('junk', 'mesh.test'), 'v=spf1 -all');
    const junk = await alice.client().fetchIdentity('junk');
    expect(junk).toMatchObject({ status: 'unverified', values: 1 });

    const impostor = identityFromPrivateKey(new Uint8Array(32).fill(3));
    const name = hashedIdentityName('bob', 'mesh.test');
    world.dns.put(
      name,
      signIdentityRecord(
        {
          username: 'bob',
          x25519Pk: impostor.x25519Public,
          ed25519Spk: impostor.ed25519Public,
          ts: world.clock.now,
        },
        impostor.ed25519Seed,
      ),
    );
    const ambiguous = await alice.client().fetchIdentity('bob@mesh.test');
    if (ambiguous.status !== 'ambiguous') throw new Error(ambiguous.status);
    expect(ambiguous.candidates).toHaveLength(2);
    const real = identityFingerprint(bob.identity.x25519Public, bob.identity.ed25519Public);
    const chosen = await alice
      .client()
      .fetchIdentity('bob@mesh.test', { acceptFingerprint: real.toUpperCase() });
    if (chosen.status !== 'found') throw new Error(chosen.status);
    expect(toHex(chosen.identity.record.ed25519Spk)).toBe(toHex(bob.identity.ed25519Public));

    // A verified revocation of the impostor key leaves one record.
    world.dns.put(
      userRotationRrsetName('bob', 'mesh.test'),
      signRevocationRecord(
        {
          subjectType: SubjectType.UserIdentity,
          subject: 'bob@mesh.test',
          reasonCode: 1,
          ts: world.clock.now,
        },
        impostor.ed25519Seed,
      ),
    );
    const afterRevocation = await alice.client().fetchIdentity('bob@mesh.test');
    expect(afterRevocation.status).toBe('found');
  });

  it('zone-anchored: publishes at dmp.<identity domain> and uses it as envelope host', async () => {
    const client = alice.client({
      identityDomain: 'bob.example',
      writer: world.writerFor('bob.example'),
    });
    expect(client.address).toBe('alice@bob.example');
    const published = await client.publishIdentity();
    expect(published.name).toBe('dmp.bob.example');
    const fetched = await bob.client().fetchIdentity('alice@bob.example');
    if (fetched.status !== 'found') throw new Error(fetched.status);
    expect(fetched.name).toBe('dmp.bob.example');
    await expect(bob.client().publishIdentity({ zoneAnchored: true })).rejects.toBeInstanceOf(
      DmpClientError,
    );
  });
});

describe('prekey pool maintenance', () => {
  let world: TestWorld;
  let carol: TestUser;
  beforeAll(async () => {
    world = await TestWorld.start(['mesh.test']);
    carol = world.user('carol', 'mesh.test');
  });
  afterAll(async () => world?.close());

  it('stores private keys locally, publishes signed values, purges expired ones', async () => {
    const result = await carol.client().refreshPrekeys({ count: 5, ttl: 600 });
    expect(result).toMatchObject({ requested: 5, published: 5, live: 5, purged: 0 });
    expect(result.name).toBe(prekeyPoolName('carol', 'mesh.test'));
    expect(world.dns.values(result.name)).toHaveLength(5);
    const rows = carol.state.connection
      .prepare('SELECT length(private_key) AS n, published_value FROM prekeys')
      .all() as { n: number; published_value: string }[];
    expect(rows.map((r) => r.n)).toEqual([32, 32, 32, 32, 32]);
    expect(rows.map((r) => r.published_value).sort()).toEqual(world.dns.values(result.name).sort());

    world.clock.now += 601;
    const later = await carol.client().refreshPrekeys({ count: 1, ttl: 600 });
    expect(later).toMatchObject({ published: 1, live: 1, purged: 5 });
  });

  it('refuses counts and lifetimes the mesh cannot use', async () => {
    await expect(carol.client().refreshPrekeys({ count: 65 })).rejects.toMatchObject({
      code: 'invalid-options',
    });
    await expect(carol.client().refreshPrekeys({ ttl: 31 * 86400 })).rejects.toMatchObject({
      code: 'invalid-options',
    });
  });

  it('reports values the node refuses (RRset cardinality cap) without failing', async () => {
    const existing = world.dns.values(prekeyPoolName('carol', 'mesh.test')).length;
    expect(existing).toBeGreaterThan(0); // the in-test DNS never expires values
    const result = await carol.client().refreshPrekeys({ count: 64 });
    expect(result.published).toBe(64 - existing);
    expect(result.failures).toHaveLength(existing);
    expect(result.failures[0]!.error.message).toContain('REFUSED');
  });
});
