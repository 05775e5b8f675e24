/**
 * Two users exchanging messages through real DNS on loopback (see
 * harness/world.ts): both directions, with and without prekeys, replay,
 * TOFU, tampering and the size limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageTooLargeError, SendFailedError } from '../../src/client/errors.js';
import { bytesEqual, toHex } from '../../src/protocol/bytes.js';
import { manifestChunkNames } from '../../src/protocol/message/open.js';
import { mailboxSlotName, prekeyPoolName } from '../../src/protocol/names.js';
import { parseAndVerifySlotManifest } from '../../src/protocol/records/slot-manifest.js';
import { pinned, type TestUser, TestWorld } from './harness/world.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('alice and bob in one zone', () => {
  let world: TestWorld;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  beforeAll(async () => {
    world = await TestWorld.start(['mesh.test']);
    alice = world.user('alice', 'mesh.test');
    bob = world.user('bob', 'mesh.test');
    carol = world.user('carol', 'mesh.test');
  });
  afterAll(async () => world?.close());

  const aliceClient = () => alice.client({ contacts: { bob: pinned(bob) } });
  const bobClient = (extra = {}) => bob.client({ contacts: { alice: pinned(alice) }, ...extra });

  /** The manifest and chunk names of the message alice last sent to bob. */
  function lastMessageNames(msgId: Uint8Array) {
    for (let slot = 0; slot < 10; slot++) {
      const name = mailboxSlotName(bob.identity.userId, slot, 'mesh.test');
      for (const value of world.dns.values(name)) {
        const m = parseAndVerifySlotManifest(value, world.clock.now);
        if (m.ok && bytesEqual(m.value.msgId, msgId)) {
          return { manifestName: name, value, chunks: manifestChunkNames(m.value, 'mesh.test') };
        }
      }
    }
    throw new Error('manifest not found');
  }

  it('alice → bob without prekeys, then bob → alice', async () => {
    const sent = await aliceClient().send('bob', 'hello bob');
    expect(sent.prekeyId).toBe(0);
    expect(sent.recordsPublished).toBe(sent.n + 1);
    expect(sent.claims.map((c) => [c.kind, c.ok])).toEqual([['recipient-zone', true]]);
    const got = await bobClient().receive();
    expect(got.messages.map((m) => text(m.plaintext))).toEqual(['hello bob']);
    expect(toHex(got.messages[0]!.senderSpk)).toBe(toHex(alice.identity.ed25519Public));
    expect(got.messages[0]!.contactLabel).toBe('alice');
    expect(got.messages[0]!.timestamp).toBe(world.clock.now);

    await bob.client({ contacts: { alice: pinned(alice) } }).send('alice', 'hi alice');
    const back = await aliceClient().receive();
    expect(back.messages.map((m) => text(m.plaintext))).toEqual(['hi alice']);
  });

  it('a second receive delivers nothing (replay cache persisted in sqlite)', async () => {
    await aliceClient().send('bob', 'only once');
    expect((await bobClient().receive()).messages).toHaveLength(1);
    const again = await bobClient().receive();
    expect(again.messages).toHaveLength(0);
    expect(again.stats.dropped['claim-seen']).toBeGreaterThanOrEqual(1);
    expect(again.stats.dropped.replay).toBeGreaterThanOrEqual(1);
  });

  it('with prekeys: used once, consumed locally and in DNS; a reused prekey fails cleanly', async () => {
    const refreshed = await bob.client().refreshPrekeys({ count: 3 });
    expect(refreshed.published).toBe(3);
    const pool = prekeyPoolName('bob', 'mesh.test');
    expect(world.dns.values(pool)).toHaveLength(3);

    const sent = await aliceClient().send('bob', 'forward secret');
    expect(sent.prekeyId).not.toBe(0);
    const usedValue = world.dns.values(pool).find((v) => {
      return (
        bob.state.connection
          .prepare('SELECT published_value FROM prekeys WHERE prekey_id = ?')
          .pluck()
          .get(sent.prekeyId) === v
      );
    });
    expect(usedValue).toBeDefined();

    const got = await bobClient().receive();
    expect(got.messages.map((m) => text(m.plaintext))).toEqual(['forward secret']);
    expect(bob.state.prekeys.getLive(sent.prekeyId, world.clock.now)).toBeUndefined();
    expect(world.dns.values(pool)).toHaveLength(2);
    expect(world.dns.values(pool)).not.toContain(usedValue);

    // A stale cache still serves the consumed prekey: the sender uses it again.
    world.dns.set(pool, [usedValue!]);
    const again = await aliceClient().send('bob', 'to a consumed prekey');
    expect(again.prekeyId).toBe(sent.prekeyId);
    const refused = await bobClient().receive();
    expect(refused.messages).toHaveLength(0);
    expect(refused.stats.dropped['undecodable:missing']).toBeGreaterThanOrEqual(1);
    world.dns.set(pool, []);
  });

  it('TOFU is off by default: an unpinned signer is dropped until allowTofu is set', async () => {
    await carol.client({ contacts: { bob: pinned(bob, false) } }).send('bob', 'from carol');
    const noPins = await bob.client().receive();
    expect(noPins.messages).toHaveLength(0);
    expect(noPins.stats.dropped['no-pins']).toBeGreaterThanOrEqual(1);
    const pinnedOther = await bobClient({ allowTofu: true }).receive();
    expect(pinnedOther.messages.map((m) => text(m.plaintext))).not.toContain('from carol');
    expect(pinnedOther.stats.dropped['unpinned-signer']).toBeGreaterThanOrEqual(1);
    const tofu = await bob.client({ allowTofu: true }).receive();
    expect(tofu.messages.map((m) => text(m.plaintext))).toContain('from carol');
  });

  it('a tampered chunk is refused and parity fills in; too many tampered chunks refuse the message', async () => {
    const body = 'x'.repeat(1000); // k = 11, n = 15
    const sent = await aliceClient().send('bob', body);
    expect(sent.k).toBeGreaterThan(1);
    const { chunks } = lastMessageNames(sent.msgId);
    const original = chunks.map((c) => world.dns.values(c));
    const flip = (v: string) => v.slice(0, 30) + (v[30] === 'A' ? 'B' : 'A') + v.slice(31);

    world.dns.set(chunks[0]!, [flip(original[0]![0]!)]);
    const from = world.dns.queries.length;
    const got = await bobClient({ queryConcurrency: 32 }).receive({ skipPrimary: true });
    expect(got.messages.map((m) => text(m.plaintext))).toEqual([body]);
    // k data names, then exactly one parity name for the one bad chunk.
    const key = chunks[0]!.split('.')[0]!.slice('chunk-0000-'.length);
    expect(world.dns.queriesMatching(new RegExp(`^chunk-\\d+-${key}\\.`), from)).toHaveLength(
      sent.k + 1,
    );

    const sent2 = await aliceClient().send('bob', body);
    const names2 = lastMessageNames(sent2.msgId).chunks;
    const saved = names2.map((c) => world.dns.values(c));
    for (const c of names2.slice(0, sent2.n - sent2.k + 1)) {
      world.dns.set(c, world.dns.values(c).map(flip));
    }
    const refused = await bobClient().receive();
    expect(refused.messages).toHaveLength(0);
    expect(refused.stats.dropped['undecodable:missing']).toBeGreaterThanOrEqual(1);
    // The failed decode released the replay reservation: once repaired, it arrives.
    names2.forEach((c, i) => {
      world.dns.set(c, saved[i]!);
    });
    const repaired = await bobClient().receive();
    expect(repaired.messages.map((m) => text(m.plaintext))).toEqual([body]);
  });

  it('a tampered manifest is refused', async () => {
    const sent = await aliceClient().send('bob', 'signed manifest');
    const { manifestName, value } = lastMessageNames(sent.msgId);
    const at = value.length - 10;
    const forged = value.slice(0, at) + (value[at] === 'A' ? 'B' : 'A') + value.slice(at + 1);
    // Other messages may share the slot: replace only this manifest.
    world.dns.set(
      manifestName,
      world.dns.values(manifestName).map((v) => (v === value ? forged : v)),
    );
    const got = await bobClient().receive();
    expect(got.messages).toHaveLength(0);
    expect(got.stats.dropped['manifest:signature']).toBeGreaterThanOrEqual(1);
    expect(got.stats.dropped['claim-no-manifest']).toBe(1);
  });
});

describe('message size limits', () => {
  let world: TestWorld;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    world = await TestWorld.start(['mesh.test']);
    alice = world.user('alice', 'mesh.test');
    bob = world.user('bob', 'mesh.test');
  });
  afterAll(async () => world?.close());

  const aliceClient = (extra = {}) => alice.client({ contacts: { bob: pinned(bob) }, ...extra });
  const bobClient = () => bob.client({ contacts: { alice: pinned(alice) } });
  const random = (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
    return out;
  };

  it('delivers 1 byte and the largest body the 2048-byte value cap allows', async () => {
    const max = aliceClient().maxMessageBytes();
    expect(max).toBe(3732); // k = 32, n = 42: a 2044-byte manifest
    for (const size of [1, max]) {
      const body = random(size);
      const sent = await aliceClient().send('bob', body);
      if (size === max) expect([sent.k, sent.n]).toEqual([32, 42]);
      const got = await bobClient().receive();
      expect(got.messages).toHaveLength(1);
      expect(bytesEqual(got.messages[0]!.plaintext, body)).toBe(true);
    }
  });

  it('refuses one byte more before publishing anything, naming the value cap', async () => {
    const max = aliceClient().maxMessageBytes();
    const updates = world.dns.updates.length;
    const err = await aliceClient()
      .send('bob', random(max + 1))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessageTooLargeError);
    const tooLarge = err as MessageTooLargeError;
    expect(tooLarge.limit).toBe('value-cap');
    expect(tooLarge.maxBodyBytes).toBe(max);
    expect(tooLarge.message).toContain('2048-byte value cap');
    expect(world.dns.updates.length).toBe(updates);
  });

  it('without the client-side check the node refuses the manifest after the chunks went out', async () => {
    const err = await aliceClient({ maxValueBytes: 0 })
      .send('bob', random(3733))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendFailedError);
    expect((err as SendFailedError).recordKind).toBe('manifest');
    expect((err as SendFailedError).published).toBe(43);
  });

  it('names the erasure limit when the cap is off and the body exceeds 256 shares', async () => {
    const err = await aliceClient({ maxValueBytes: 0 })
      .send('bob', random(30_000))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessageTooLargeError);
    expect((err as MessageTooLargeError).limit).toBe('erasure-shares');
  });

  it('accounts for the DMPv2 envelope when the recipient advertises it', async () => {
    await bob.client().publishIdentity({ advertiseV2: true });
    const client = aliceClient();
    const max = client.maxMessageBytes({ envelope: true });
    expect(max).toBe(3732 - 'DMPV2:{"from":"alice@mesh.test"}\n'.length);
    const sent = await client.send('bob', random(max));
    expect(sent.envelope).toBe(true);
    await expect(client.send('bob', random(max + 1))).rejects.toBeInstanceOf(MessageTooLargeError);
    const got = await bobClient().receive();
    expect(got.messages).toHaveLength(1);
    expect(got.messages[0]!.plaintext.length).toBe(max);
  });
});
