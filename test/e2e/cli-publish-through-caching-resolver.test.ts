/**
 * Scenario: a freshly published identity is visible at once through a
 * caching recursor both users share. `identity publish` used to read its
 * own name before writing it, so the recursor cached NXDOMAIN for the
 * node's negative TTL and a contact fetching right after publish was told
 * the user does not exist. The publish now reads only after its write.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type CliUser,
  type MeshNode,
  makeUser,
  type Recursor,
  sendUpdate,
  setupUser,
  startMeshNode,
  startUnbound,
} from './cli-harness.js';
import { cleanup, describeWith, dig, mintKey } from './harness.js';

describeWith(['dig', 'unbound'], 'cli-publish-through-caching-resolver', () => {
  let node: MeshNode;
  let unbound: Recursor;
  let alice: CliUser;
  let bob: CliUser;
  let aliceSpk: string;

  beforeAll(async () => {
    node = await startMeshNode('mesh.test');
    unbound = await startUnbound([{ zone: 'mesh.test', port: node.port }], { caching: true });
    [alice, bob] = await Promise.all([makeUser('alice'), makeUser('bob')]);
    const resolvers = [`127.0.0.1:${unbound.port}`];
    [{ spk: aliceSpk }] = await Promise.all([
      setupUser(alice, node, { resolvers }),
      setupUser(bob, node, { resolvers }),
    ]);
  });
  afterAll(cleanup);

  it('the recursor caches (a missing name stays missing after it is written)', async () => {
    const name = 'cache-probe.mesh.test';
    expect((await dig(unbound.port, [name, 'TXT'])).status).toBe('NXDOMAIN');
    const key = await mintKey(node.dataDir, 'mesh.test', 'probe');
    const rcode = await sendUpdate(node.port, 'mesh.test', key, [
      { add: name, value: 'written after the first read' },
    ]);
    expect(rcode).toBe(0);
    expect((await dig(node.port, [name, 'TXT'])).status).toBe('NOERROR');
    expect((await dig(unbound.port, [name, 'TXT'])).status).toBe('NXDOMAIN');
  });

  it('bob fetches alice right after her publish, through the same recursor', async () => {
    await alice.ok(['identity', 'publish']);
    const r = await bob.ok(['identity', 'fetch', 'alice@mesh.test']);
    expect(r.stdout).toContain(`signing_public_key: ${aliceSpk}`);
  });
});
