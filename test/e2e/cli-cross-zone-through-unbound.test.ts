/**
 * Scenario (cli spec §6.2): two nodes, two zones, one real recursor. Node A
 * serves alice.test, node B serves bob.test; unbound has a stub-zone for
 * each (and refuses everything else, so nothing leaves loopback). Both
 * users' configs read only through unbound. alice registers on A, bob on B;
 * each resolves the other's `user@zone` identity through unbound and pins
 * it; alice@alice.test sends to bob@bob.test: the message lands in
 * alice.test (her TSIG writer) and bob's recv finds it there. Then the
 * reverse direction. The receiver-zone claim (an unsigned UPDATE to the
 * address the resolvers give for bob.test) should land in bob.test and
 * lead bob's recv straight to the manifest (regression: the CLI used to
 * resolve claim targets with the system resolver and lose the claim).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type CliUser,
  type MeshNode,
  makeUser,
  newRows,
  nodeRecords,
  type Recursor,
  recvJson,
  setupUser,
  startMeshNode,
  startUnbound,
  storeFingerprint,
} from './cli-harness.js';
import { cleanup, describeWith, dig } from './harness.js';

describeWith(['dig', 'unbound'], 'cli-cross-zone-through-unbound', () => {
  let nodeA: MeshNode;
  let nodeB: MeshNode;
  let unbound: Recursor;
  let alice: CliUser;
  let bob: CliUser;
  let aliceKeys: { spk: string; x25519: string };
  let bobKeys: { spk: string; x25519: string };

  beforeAll(async () => {
    [nodeA, nodeB] = await Promise.all([startMeshNode('alice.test'), startMeshNode('bob.test')]);
    unbound = await startUnbound([
      { zone: 'alice.test', port: nodeA.port },
      { zone: 'bob.test', port: nodeB.port },
    ]);
    alice = await makeUser('alice');
    bob = await makeUser('bob');
    const resolvers = [`127.0.0.1:${unbound.port}`];
    // No first-contact providers: the only claim is the receiver-zone one,
    // an unsigned UPDATE to whatever address unbound gives for the zone, on
    // the port DMP_PROVIDER_DNS_PORT names (the other node's).
    [aliceKeys, bobKeys] = await Promise.all([
      setupUser(alice, nodeA, { resolvers, provider: null, claimDnsPort: nodeB.port }),
      setupUser(bob, nodeB, { resolvers, provider: null, claimDnsPort: nodeA.port }),
    ]);
  });
  afterAll(cleanup);

  it('unbound serves both zones and refuses the rest of the world', async () => {
    for (const zone of ['alice.test', 'bob.test']) {
      const m = await dig(unbound.port, [zone, 'A']);
      expect(m.status).toBe('NOERROR');
      expect(m.answer.map((r) => r.rdata)).toEqual(['127.0.0.1']);
    }
    expect((await dig(unbound.port, ['dnsmesh.io', 'TXT'])).status).toBe('REFUSED');
  });

  it('each resolves the other’s user@zone identity through unbound and pins it', async () => {
    const a = await alice.ok(['identity', 'fetch', 'bob@bob.test', '--add']);
    expect(a.stdout).toContain('address:            bob@bob.test\n');
    expect(a.stdout).toContain(`signing_public_key: ${bobKeys.spk}\n`);
    const b = await bob.ok(['identity', 'fetch', 'alice@alice.test', '--add']);
    expect(b.stdout).toContain(`signing_public_key: ${aliceKeys.spk}\n`);
    expect((await alice.readConfig()).contacts.get('bob@bob.test')).toEqual(
      expect.objectContaining({ pub: bobKeys.x25519, spk: bobKeys.spk, domain: 'bob.test' }),
    );
    expect((await bob.readConfig()).contacts.get('alice@alice.test')).toEqual(
      expect.objectContaining({ pub: aliceKeys.x25519, spk: aliceKeys.spk, domain: 'alice.test' }),
    );
  });

  it('alice@alice.test → bob@bob.test: the message lands in alice.test and bob receives it', async () => {
    const sent = await alice.ok(['send', 'bob@bob.test', 'hello bob, from the other zone']);
    // No claim providers here; the label is the address, so it is said once.
    expect(sent.stdout).toMatch(/^sent to bob@bob\.test — 30 bytes in \d+ chunks\n$/);
    expect(sent.stderr).toBe('');
    const inA = nodeRecords(nodeA).map((r) => r.name);
    expect(inA.some((n) => /^slot-\d\.mb-[0-9a-f]{12}\.alice\.test$/.test(n))).toBe(true);
    expect(inA.some((n) => /^chunk-\d{4}-[0-9a-f]{12}\.alice\.test$/.test(n))).toBe(true);
    const inB = nodeRecords(nodeB).map((r) => r.name);
    expect(inB.some((n) => n.startsWith('slot-') || n.startsWith('chunk-'))).toBe(false);

    const got = await recvJson(bob);
    expect(got.messages).toHaveLength(1);
    expect(got.messages[0]).toMatchObject({
      text: 'hello bob, from the other zone',
      sender_spk: aliceKeys.spk,
      contact: 'alice@alice.test',
      zone: 'alice.test',
    });
    expect((await recvJson(bob)).messages).toEqual([]);
  });

  // The CLI builds its client without a claim transport, so claim targets
  // ("bob.test") are resolved by the operating system, not by dns_resolvers:
  // the receiver-zone claim is silently lost (bob still gets the message by
  // walking alice.test's slots, as above). Reported with a patch.
  it('the receiver-zone claim resolves bob.test through unbound and delivers', async () => {
    const before = storeFingerprint(nodeB);
    await alice.ok(['send', 'bob@bob.test', 'announced in bob.test']);
    const added = newRows(before, storeFingerprint(nodeB));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^claim-\d\.mb-[0-9a-f]{12}\.bob\.test\tv=dmp1;t=claim;/);
    const got = await recvJson(bob);
    expect(got.messages.map((m) => [m.text, m.via])).toEqual([
      ['announced in bob.test', 'own-zone-claim'],
    ]);
  });

  it('and back: bob@bob.test → alice@alice.test (text output)', async () => {
    await bob.ok(['send', 'alice@alice.test', 'reply across zones ✓']);
    const r = await alice.ok(['recv']);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^from bob@bob\\.test \\(${bobKeys.spk.slice(0, 8)}…${bobKeys.spk.slice(-4)}\\) at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`,
        ),
      ),
      '  reply across zones ✓',
    ]);
  });
});
