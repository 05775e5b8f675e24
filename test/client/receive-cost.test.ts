/**
 * What a receive costs: DNS queries (counted by the client's reader
 * wrapper and cross-checked against the server's log) with N pinned
 * contacts, with and without claims, and wall time with a simulated 25 ms
 * round trip — where reading names in parallel pays off. Prints a table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinned, type TestUser, TestWorld } from './harness/world.js';

const N = 20;
const RTT_MS = 25;

describe(`receive cost with up to ${N} pinned contacts`, () => {
  let world: TestWorld;
  let bob: TestUser;
  const friends: TestUser[] = [];
  const rows: string[] = [];
  beforeAll(async () => {
    const zones = ['bob.test', 'shared.test', ...Array.from({ length: N }, (_, i) => `z${i}.test`)];
    world = await TestWorld.start([...zones, 'provider.test']);
    bob = world.user('bob', 'bob.test');
    for (let i = 0; i < N; i++) friends.push(world.user(`friend${i}`, `z${i}.test`));
  });
  afterAll(async () => {
    console.log(
      [
        '',
        'receive cost (queries counted by the reader wrapper; time with a 25 ms simulated RTT)',
        ...rows,
      ].join('\n'),
    );
    await world?.close();
  });

  const contactsOf = (users: TestUser[]) =>
    Object.fromEntries(users.map((u) => [u.name, pinned(u)]));

  it('idle: 10 claim names + 10 slot names per polled zone (+10 per provider)', async () => {
    for (const n of [1, 5, N]) {
      const client = bob.client({ contacts: contactsOf(friends.slice(0, n)) });
      const full = await client.receive();
      expect(full.stats.queries.queries).toBe(10 + 10 * (n + 1));
      const primary = await client.receive({ primaryOnly: true });
      expect(primary.stats.queries.queries).toBe(10);
      const provider = await client.receive({ claimProviders: [{ zone: 'provider.test' }] });
      expect(provider.stats.queries.queries).toBe(10 + 10 * (n + 1) + 10);
      rows.push(
        `  idle, ${String(n).padStart(2)} contacts in ${n} zones: full ${full.stats.queries.queries}, ` +
          `claims only ${primary.stats.queries.queries}, full + 1 provider ${provider.stats.queries.queries}`,
      );
    }
    // Contacts sharing the own zone add no queries.
    const sameZone = bob.client({
      contacts: Object.fromEntries(
        friends.map((f) => [f.name, { ...pinned(f), domain: 'bob.test' }]),
      ),
    });
    expect((await sameZone.receive()).stats.queries.queries).toBe(20);
  });

  it(`${N} messages, one per contact: claims make the slot walk of other zones unnecessary`, async () => {
    const sends = [];
    for (const f of friends) {
      sends.push(await f.client({ contacts: { bob: pinned(bob) } }).send('bob', `from ${f.name}`));
    }
    const chunkReads = sends.reduce((sum, s) => sum + s.k, 0);
    world.dns.delayMs = RTT_MS;
    try {
      const client = bob.client({ contacts: contactsOf(friends) });
      const from = world.dns.queries.length;
      const got = await client.receive({ primaryOnly: true });
      expect(got.messages).toHaveLength(N);
      // 10 own claim names, the 10 slots of each sender zone, k chunks per message.
      expect(got.stats.queries.queries).toBe(10 + 10 * N + chunkReads);
      // The server may see more packets than logical queries when a UDP
      // retry fires on a loaded machine, never fewer.
      expect(world.dns.queries.length - from).toBeGreaterThanOrEqual(got.stats.queries.queries);
      // Timing is reported (bench:cli), never asserted.
      const sequentialMs = got.stats.queries.queries * RTT_MS;
      rows.push(
        `  ${N} pending, claims only: ${got.stats.queries.queries} queries, ` +
          `${got.stats.durationMs.toFixed(0)} ms (sequential at ${RTT_MS} ms/query: ${sequentialMs} ms)`,
      );

      const again = await client.receive();
      expect(again.messages).toHaveLength(0);
      rows.push(
        `  same mailbox again, full receive (all replayed): ${again.stats.queries.queries} queries, ` +
          `${again.stats.durationMs.toFixed(0)} ms`,
      );
    } finally {
      world.dns.delayMs = 0;
    }
  });

  it(`${N} messages without claims: found by the parallel slot walk`, async () => {
    for (const f of friends) {
      await f.client({ contacts: { bob: pinned(bob, false) } }).send('bob', `walk ${f.name}`);
    }
    world.dns.delayMs = RTT_MS;
    try {
      const got = await bob
        .client({ contacts: contactsOf(friends) })
        .receive({ skipPrimary: true });
      expect(got.messages).toHaveLength(N);
      const sequentialMs = got.stats.queries.queries * RTT_MS;
      rows.push(
        `  ${N} pending, slot walk only: ${got.stats.queries.queries} queries, ` +
          `${got.stats.durationMs.toFixed(0)} ms (sequential: ${sequentialMs} ms)`,
      );
    } finally {
      world.dns.delayMs = 0;
    }
  });
});
