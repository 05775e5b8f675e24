/**
 * Junk-claim resistance on the receiving side (hardening): claims from
 * strangers are capped per receive pass — at most MAX_STRANGER_ZONES_PER_PASS
 * distinct zones — while a pinned sender's claim is always handled. The
 * deferred ones stay on the provider and arrive on the next pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STRANGER_ZONES_PER_PASS } from '../../src/client/claim-receive.js';
import { pinned, type TestUser, TestWorld } from './harness/world.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const PROVIDER = [{ zone: 'provider.test' }];
const STRANGERS = MAX_STRANGER_ZONES_PER_PASS + 3;

describe('stranger claims per pass', () => {
  let world: TestWorld;
  let bob: TestUser;
  let carol: TestUser;
  let strangers: TestUser[];
  beforeAll(async () => {
    const zones = Array.from({ length: STRANGERS }, (_, i) => `s${i}.test`);
    world = await TestWorld.start(['bob.test', 'carol.test', 'provider.test', ...zones]);
    bob = world.user('bob', 'bob.test');
    carol = world.user('carol', 'carol.test');
    strangers = zones.map((z, i) => world.user(`s${i}`, z));
  });
  afterAll(async () => world?.close());

  it('handles the pinned sender and at most the cap of stranger zones; the rest next pass', async () => {
    for (const [i, s] of strangers.entries()) {
      const sent = await s
        .client({ contacts: { bob: pinned(bob, false) } })
        .send('bob', `stranger ${i}`, { claimProviders: PROVIDER });
      expect(sent.claims.some((c) => c.kind === 'provider' && c.ok)).toBe(true);
    }
    // Carol is pinned by bob and publishes her claim last of all.
    await carol
      .client({ contacts: { bob: pinned(bob, false) } })
      .send('bob', 'from carol', { claimProviders: PROVIDER });
    const bobClient = () => bob.client({ contacts: { carol: pinned(carol) } });

    const from = world.dns.queries.length;
    const first = await bobClient().receive({ claimProviders: PROVIDER, skipPrimary: true });
    expect(first.messages.map((m) => text(m.plaintext))).toEqual(['from carol']);
    expect(first.intros).toHaveLength(MAX_STRANGER_ZONES_PER_PASS);
    expect(first.stats.dropped['claim-deferred']).toBe(STRANGERS - MAX_STRANGER_ZONES_PER_PASS);
    // Only the admitted strangers' zones were read.
    const zonesRead = new Set(
      world.dns.queries
        .slice(from)
        .filter((q) => q.startsWith('slot-') && /\.s\d+\.test$/.test(q))
        .map((q) => q.slice(q.indexOf('.s') + 1)),
    );
    expect(zonesRead.size).toBe(MAX_STRANGER_ZONES_PER_PASS);

    const second = await bobClient().receive({ claimProviders: PROVIDER, skipPrimary: true });
    expect(second.intros).toHaveLength(STRANGERS - MAX_STRANGER_ZONES_PER_PASS);
    const all = [...first.intros, ...second.intros].map((i) => text(i.plaintext)).sort();
    expect(all).toEqual(strangers.map((_, i) => `stranger ${i}`).sort());
  });
});
