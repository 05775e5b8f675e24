/**
 * The bounded intro queue (hardening): at most `maxIntros` entries and
 * `maxIntrosPerSender` from one key. New intros beyond a limit are refused
 * (`intro-queue-full`, `intro-sender-full`), nothing queued is evicted,
 * a refused intro is neither marked delivered nor costs its prekey, so it
 * arrives once the user makes room; pinned contacts are never affected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INTROS, MAX_INTROS_PER_SENDER } from '../../src/client/intro-limits.js';
import { openSqliteClientState } from '../../src/client/state/sqlite-state.js';
import type { ClientState, IntroStore, NewIntro } from '../../src/client/state/types.js';
import { pinned, type TestUser, TestWorld } from './harness/world.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const PROVIDER = [{ zone: 'provider.test' }];
const key = (n: number) => new Uint8Array(32).fill(n);

function fakeIntro(sender: number, msg: number): NewIntro {
  return {
    senderSpk: key(sender),
    msgId: new Uint8Array(16).fill(msg),
    plaintext: new TextEncoder().encode(`fake ${sender}/${msg}`),
    senderMailboxDomain: 'elsewhere.test',
    senderLabel: '',
    receivedAt: 1_000 + msg,
    msgExp: 2_000_000_000,
  };
}

describe('intro store limits', () => {
  it('addWithin refuses beyond the total and per-sender limits, never evicts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmp-intro-limits-'));
    const state = openSqliteClientState(join(dir, 'state.db'));
    try {
      const { intros } = state;
      const limits = { maxTotal: 3, maxPerSender: 2 };
      expect(intros.addWithin(fakeIntro(1, 1), limits).status).toBe('queued');
      expect(intros.addWithin(fakeIntro(1, 1), limits).status).toBe('duplicate');
      expect(intros.addWithin(fakeIntro(1, 2), limits).status).toBe('queued');
      expect(intros.addWithin(fakeIntro(1, 3), limits).status).toBe('sender-full');
      expect(intros.addWithin(fakeIntro(2, 4), limits).status).toBe('queued');
      expect(intros.addWithin(fakeIntro(3, 5), limits).status).toBe('queue-full');
      intros.block(key(4), '', 0);
      expect(intros.addWithin(fakeIntro(4, 6), limits).status).toBe('blocked');
      expect(intros.count()).toBe(3);
      expect(intros.count(key(1))).toBe(2);
      // The oldest entries are all still there.
      expect(
        intros
          .list()
          .map((e) => e.receivedAt)
          .sort(),
      ).toEqual([1001, 1002, 1004]);
    } finally {
      state.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('defaults to 200 in all and 10 per sender', () => {
    expect([MAX_INTROS, MAX_INTROS_PER_SENDER]).toEqual([200, 10]);
  });
});

describe('receive with a bounded intro queue', () => {
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

  const bobClient = (state?: ClientState) =>
    bob.client({ contacts: { carol: pinned(carol) }, ...(state ? { state } : {}) });
  const recv = (
    options: { maxIntros?: number; maxIntrosPerSender?: number },
    state?: ClientState,
  ) => bobClient(state).receive({ claimProviders: PROVIDER, skipPrimary: true, ...options });
  const send = (from: TestUser, body: string) =>
    from
      .client({ contacts: { bob: pinned(bob, false) } })
      .send('bob', body, { claimProviders: PROVIDER });
  const clearQueue = async () => {
    for (const e of await bobClient().introList()) await bobClient().introAccept(e.id);
  };

  it('one sender gets at most its share; the rest arrive once there is room', async () => {
    for (const i of [1, 2, 3]) await send(eve, `eve ${i}`);
    const first = await recv({ maxIntrosPerSender: 2 });
    expect(first.intros).toHaveLength(2);
    expect(first.stats.dropped['intro-sender-full']).toBe(1);
    expect(bob.state.intros.count(eve.identity.ed25519Public)).toBe(2);

    const again = await recv({ maxIntrosPerSender: 2 });
    expect(again.intros).toHaveLength(0);
    expect(again.stats.dropped['intro-sender-full']).toBe(1);

    const [oldest] = (await bobClient().introList()).slice(-1);
    await bobClient().introAccept(oldest!.id);
    const later = await recv({ maxIntrosPerSender: 2 });
    expect(later.intros).toHaveLength(1);
    expect(later.stats.dropped['intro-sender-full']).toBeUndefined();
    const all = (await bobClient().introList()).map((e) => text(e.plaintext));
    expect([text(oldest!.plaintext), ...all].sort()).toEqual(['eve 1', 'eve 2', 'eve 3']);
    await clearQueue();
  });

  it('a full queue refuses new strangers, keeps what it holds, and never holds back a pinned contact', async () => {
    for (const i of [1, 2, 3]) bob.state.intros.add(fakeIntro(100 + i, i));
    await send(mallory, 'mallory knocks');
    await send(carol, 'carol, pinned');

    const full = await recv({ maxIntros: 3 });
    expect(full.messages.map((m) => text(m.plaintext))).toEqual(['carol, pinned']);
    expect(full.intros).toHaveLength(0);
    expect(full.stats.dropped['intro-queue-full']).toBe(1);
    expect((await bobClient().introList()).map((e) => text(e.plaintext)).sort()).toEqual([
      'fake 101/1',
      'fake 102/2',
      'fake 103/3',
    ]);

    // The user blocks one of them: room for mallory, whose claim waited on the provider.
    const [one] = await bobClient().introList();
    await bobClient().introBlock(one!.id);
    const next = await recv({ maxIntros: 3 });
    expect(next.intros.map((e) => text(e.plaintext))).toEqual(['mallory knocks']);
    await clearQueue();
  });

  it('an intro refused after decrypting (another process filled the queue) keeps its prekey', async () => {
    // Bob publishes prekeys, so eve's message is sealed to one.
    await bob.client().refreshPrekeys({ count: 2 });
    const sent = await eve
      .client({ contacts: { bob: pinned(bob) } })
      .send('bob', 'sealed to a prekey', { claimProviders: PROVIDER });
    expect(sent.prekeyId).not.toBe(0);

    // A store whose counts say "room" while the queue, on insert, is full:
    // the race between this pass's check and another process's insert.
    const racing: IntroStore = Object.create(bob.state.intros, {
      count: { value: () => 0 },
      addWithin: { value: () => ({ status: 'queue-full' }) },
    });
    const state: ClientState = { ...bob.state, intros: racing, close: () => undefined };
    const refused = await recv({}, state);
    expect(refused.intros).toHaveLength(0);
    expect(refused.stats.dropped['intro-queue-full']).toBe(1);
    expect(bob.state.prekeys.getLive(sent.prekeyId, world.clock.now)).toBeDefined();

    const later = await recv({});
    expect(later.intros.map((e) => text(e.plaintext))).toEqual(['sealed to a prekey']);
    expect(bob.state.prekeys.getLive(sent.prekeyId, world.clock.now)).toBeUndefined();
  });

  it('rejects limits that are not positive integers', async () => {
    await expect(recv({ maxIntros: 0 })).rejects.toMatchObject({ code: 'invalid-options' });
    await expect(recv({ maxIntrosPerSender: 1.5 })).rejects.toMatchObject({
      code: 'invalid-options',
    });
  });
});
