/**
 * Scenario: a user whose resolvers cannot reach the built-in seed provider
 * (the README's loopback demo before `--claim-provider`; a closed network).
 * `recv` used to warn about ten unanswered lookups on every run and every
 * `--watch` pass (issue 14). Now the pass skips the seed, the first `recv`
 * says so once with the fix, later ones say nothing, and mail from a
 * pinned contact still arrives.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type CliUser,
  type MeshNode,
  makeUser,
  recvJson,
  setupUser,
  startMeshNode,
} from './cli-harness.js';
import { cleanup, describeWith } from './harness.js';

describeWith([], 'cli-recv-says-unreachable-provider-once', () => {
  let node: MeshNode;
  let alice: CliUser;
  let bob: CliUser;

  beforeAll(async () => {
    node = await startMeshNode('mesh.test');
    [alice, bob] = await Promise.all([makeUser('alice'), makeUser('bob')]);
    await Promise.all([setupUser(alice, node), setupUser(bob, node)]);
    await alice.ok(['identity', 'fetch', 'bob', '--add']);
    await bob.ok(['identity', 'fetch', 'alice', '--add']);
    // Back to the defaults: no provider override, so the seed provider is asked.
    await bob.editConfig((c) => {
      c.claim_provider_override = '';
      c.claim_provider_zone = '';
    });
  });
  afterAll(cleanup);

  it('says once that the seed provider is unreachable, never warns about its lookups', async () => {
    await alice.ok(['send', 'bob', 'first']);
    const first = await recvJson(bob);
    expect(first.messages.map((m) => m.text)).toEqual(['first']);
    expect(first.stderr).toMatch(
      /note: the first-contact provider dmp\.dnsmesh\.io does not answer through your resolvers/,
    );
    expect(first.stderr).toContain('claim_provider_override');
    expect(first.stderr).not.toMatch(/lookup\(s\) got no answer/);

    await alice.ok(['send', 'bob', 'second']);
    const second = await recvJson(bob);
    expect(second.messages.map((m) => m.text)).toEqual(['second']);
    expect(second.stderr).toBe('');
  });
});
