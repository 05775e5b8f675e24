/**
 * Claims end to end over loopback DNS: the receiver-zone (M10) claim
 * delivers with only phase 1; cross-zone senders and recipients; a
 * stranger's claim lands in the intro queue, never the inbox; accept,
 * trust and block; a refused claim never fails a send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DmpClient } from '../../src/client/client.js';
import { DmpClientError, SendFailedError } from '../../src/client/errors.js';
import { RecordWriteError } from '../../src/dns/client/record-writer.js';
import { toHex } from '../../src/protocol/bytes.js';
import { pinned, type TestUser, TestWorld } from './harness/world.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const PROVIDER = [{ zone: 'provider.test' }];

describe('claims and the intro queue', () => {
  let world: TestWorld;
  let bob: TestUser;
  let carol: TestUser;
  let eve: TestUser;
  let mallory: TestUser;
  beforeAll(async () => {
    world = await TestWorld.start(['bob.test', 'carol.test', 'eve.test', 'provider.test']);
    bob = world.user('bob', 'bob.test');
    carol = world.user('carol', 'carol.test');
    eve = world.user('eve', 'eve.test');
    mallory = world.user('mallory', 'eve.test');
  });
  afterAll(async () => world?.close());

  const bobClient = (contacts: Record<string, ReturnType<typeof pinned>> = {}) =>
    bob.client({ contacts: { carol: pinned(carol), ...contacts } });

  it('cross-zone: the M10 claim in the recipient zone delivers with phase 1 only', async () => {
    const sent = await carol.client({ contacts: { bob: pinned(bob) } }).send('bob', 'via claim');
    expect(sent.claims).toHaveLength(1);
    expect(sent.claims[0]).toMatchObject({ kind: 'recipient-zone', zone: 'bob.test', ok: true });
    expect(world.dns.updates.at(-1)).toMatchObject({ signed: false, zone: 'bob.test', rcode: 0 });

    const from = world.dns.queries.length;
    const got = await bobClient().receive({ primaryOnly: true });
    expect(got.messages.map((m) => [text(m.plaintext), m.via, m.zone])).toEqual([
      ['via claim', 'own-zone-claim', 'carol.test'],
    ]);
    // 10 claim names in bob.test + 10 slot names in carol.test + k chunks; no walk of bob.test.
    const asked = world.dns.queries.slice(from);
    expect(asked.filter((q) => q.startsWith('claim-'))).toHaveLength(10);
    expect(asked.filter((q) => q.startsWith('slot-') && q.endsWith('.carol.test'))).toHaveLength(
      10,
    );
    expect(asked.filter((q) => q.startsWith('slot-') && q.endsWith('.bob.test'))).toHaveLength(0);
    expect(got.stats.queries.queries).toBe(20 + sent.k);
  });

  it('cross-zone: the slot walk finds a message without any claim, both directions', async () => {
    await carol.client({ contacts: { bob: pinned(bob, false) } }).send('bob', 'no claim');
    const none = await bobClient().receive({ primaryOnly: true });
    expect(none.messages).toHaveLength(0);
    const walked = await bobClient().receive();
    expect(walked.messages.map((m) => [text(m.plaintext), m.via])).toEqual([
      ['no claim', 'slot-walk'],
    ]);

    await bobClient().send('carol', 'reply across zones');
    const back = await carol.client({ contacts: { bob: pinned(bob) } }).receive();
    expect(back.messages.map((m) => text(m.plaintext))).toEqual(['reply across zones']);
  });

  it('a stranger goes to the intro queue; accept delivers once without pinning', async () => {
    const sent = await eve
      .client({ contacts: { bob: pinned(bob) } })
      .send('bob', 'hello, we have not met', { claimProviders: PROVIDER });
    expect(sent.claims.map((c) => [c.kind, c.zone, c.ok])).toEqual([
      ['provider', 'provider.test', true],
      ['recipient-zone', 'bob.test', true],
    ]);
    const got = await bobClient().receive({ claimProviders: PROVIDER });
    expect(got.messages).toHaveLength(0);
    expect(got.intros.map((i) => text(i.plaintext))).toEqual(['hello, we have not met']);
    expect(got.intros[0]!.senderMailboxDomain).toBe('eve.test');
    expect(got.stats.dropped['unpinned-signer'] ?? 0).toBe(0); // eve.test is not walked at all

    const again = await bobClient().receive({ claimProviders: PROVIDER });
    expect(again.intros).toHaveLength(0);
    expect(again.stats.dropped['claim-seen']).toBeGreaterThanOrEqual(2);

    const list = await bobClient().introList();
    expect(list).toHaveLength(1);
    const accepted = await bobClient().introAccept(list[0]!.id);
    expect(text(accepted.plaintext)).toBe('hello, we have not met');
    expect(accepted.timestamp).toBe(list[0]!.receivedAt);
    expect(await bobClient().introList()).toHaveLength(0);
    await expect(bobClient().introAccept(list[0]!.id)).rejects.toMatchObject({
      code: 'intro-not-found',
    });
  });

  it('trust pins the sender in its zone: the next message arrives in the inbox', async () => {
    await eve
      .client({ contacts: { bob: pinned(bob) } })
      .send('bob', 'second intro', { claimProviders: PROVIDER });
    const client = bobClient();
    const got = await client.receive({ claimProviders: PROVIDER });
    expect(got.intros).toHaveLength(1);
    const trusted = await client.introTrust(got.intros[0]!.id, { username: 'eve' });
    expect(text(trusted.message.plaintext)).toBe('second intro');
    expect(trusted.contact).toMatchObject({ label: 'eve', username: 'eve', domain: 'eve.test' });
    expect(toHex(trusted.contact.ed25519Spk!)).toBe(toHex(eve.identity.ed25519Public));
    expect(trusted.contact.x25519Pub).toBeUndefined();

    await eve.client({ contacts: { bob: pinned(bob) } }).send('bob', 'now pinned');
    const inbox = await client.receive();
    expect(inbox.messages.map((m) => [text(m.plaintext), m.contactLabel])).toEqual([
      ['now pinned', 'eve'],
    ]);
    expect(inbox.intros).toHaveLength(0);
  });

  it('trust refuses a label taken by another key', async () => {
    await mallory
      .client({ contacts: { bob: pinned(bob) } })
      .send('bob', 'pretend to be carol', { claimProviders: PROVIDER });
    const client = bobClient();
    const got = await client.receive({ claimProviders: PROVIDER });
    expect(got.intros).toHaveLength(1);
    const err = await client.introTrust(got.intros[0]!.id, { label: 'carol' }).catch((e) => e);
    expect(err).toBeInstanceOf(DmpClientError);
    expect((err as DmpClientError).code).toBe('contact-conflict');
    expect(await client.introList()).toHaveLength(1); // nothing lost
  });

  it('block drops the intro and ignores the sender from then on', async () => {
    const client = bobClient();
    const [entry] = await client.introList();
    const blocked = await client.introBlock(entry!.id, { note: 'spam' });
    expect(toHex(blocked.senderSpk)).toBe(toHex(mallory.identity.ed25519Public));
    expect(bob.state.intros.listBlocked().map((b) => b.note)).toEqual(['spam']);

    await mallory
      .client({ contacts: { bob: pinned(bob) } })
      .send('bob', 'still here', { claimProviders: PROVIDER });
    const got = await client.receive({ claimProviders: PROVIDER });
    expect(got.intros).toHaveLength(0);
    expect(got.messages).toHaveLength(0);
    expect(got.stats.dropped['claim-blocked']).toBe(2);
  });

  it('intro commands work offline; a network command on an offline client fails clearly', async () => {
    const offline = new DmpClient({
      identity: bob.identity,
      username: 'bob',
      domain: 'bob.test',
      state: bob.state,
      contacts: { carol: pinned(carol) },
    });
    expect(Array.isArray(await offline.introList())).toBe(true);
    const err = await offline.send('carol', 'no network').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendFailedError);
    expect((err as SendFailedError).cause).toBeInstanceOf(RecordWriteError);
    expect((err as SendFailedError).message).toContain('no writer configured');
  });

  it('a refused claim is reported but never fails the send', async () => {
    const sent = await carol
      .client({ contacts: { bob: pinned(bob) } })
      .send('bob', 'claims may fail', { claimProviders: [{ zone: 'unserved.test' }] });
    expect(sent.claims.map((c) => [c.zone, c.ok])).toEqual([
      ['unserved.test', false],
      ['bob.test', true],
    ]);
    expect(sent.claims[0]!.error).toBeInstanceOf(RecordWriteError);
    expect((sent.claims[0]!.error as RecordWriteError).code).toBe('rejected');
    const got = await bobClient().receive({ primaryOnly: true });
    expect(got.messages.map((m) => text(m.plaintext))).toEqual(['claims may fail']);
  });
});
