/**
 * Scenario: bob reads through a resolver pool holding a dead address
 * (127.0.0.9, nothing listening), a lying resolver (an in-test DNS server
 * that answers every TXT question with forged, DMP-looking junk) and the
 * real node; alice, on a healthy resolver, sends.
 *
 * What must hold:
 * - dead + real: the dead entry is skipped at once (a connected UDP socket
 *   turns ICMP port-unreachable into "refused") and delivery works, in
 *   either order;
 * - with the liar in the pool, in any position, delivery and `identity
 *   fetch` still work: the client attaches a signature validator to every
 *   DMP read (claims, slot manifests, identity records, prekeys, chunks),
 *   so the pool treats the liar's junk as a wrong answer, asks the next
 *   resolver and convicts the liar.
 *
 * The CLI keeps no pool state between runs (`resolvers list --json` prints
 * the configured entries only), so demotion is checked through the library
 * the CLI is built from: bob's keys (derived from his passphrase and salt),
 * the same `ResolverPool` and `DmpClient.receive` as the CLI wires them,
 * which must deliver and leave the liar distrusted, the dead entry cooling
 * down and the node preferred.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DmpClient } from '../../src/client/client.js';
import { openSqliteClientState } from '../../src/client/state/sqlite-state.js';
import { ResolverPool } from '../../src/dns/client/resolver-pool.js';
import type { TxtReader } from '../../src/dns/client/txt-reader.js';
import { fromHex } from '../../src/protocol/bytes.js';
import { deriveIdentity, type IdentityKeys } from '../../src/protocol/crypto/identity.js';
import { installNodeCrypto } from '../../src/runtime/node-crypto-provider.js';
import {
  type CliUser,
  type Liar,
  type MeshNode,
  makeUser,
  recvJson,
  setupUser,
  startLiar,
  startMeshNode,
} from './cli-harness.js';
import { cleanup, freePort, tempDir } from './harness.js';

const ZONE = 'mesh.test';

describe('cli-resolver-pool-dead-and-liar', () => {
  let node: MeshNode;
  let liar: Liar;
  let alice: CliUser;
  let bob: CliUser;
  let entries: { dead: string; liar: string; real: string };
  let aliceKeys: { spk: string; x25519: string };
  let bobKeys: IdentityKeys;

  const useResolvers = (...which: (keyof typeof entries)[]) =>
    bob.editConfig((c) => {
      c.dns_resolvers = which.map((w) => entries[w]);
    });

  const libraryReceive = async (reader: TxtReader) => {
    const state = openSqliteClientState(join(await tempDir(), 'state.db'));
    try {
      const client = new DmpClient({
        identity: bobKeys,
        username: 'bob',
        domain: ZONE,
        contacts: {
          alice: {
            username: 'alice',
            x25519Pub: fromHex(aliceKeys.x25519),
            ed25519Spk: fromHex(aliceKeys.spk),
          },
        },
        reader,
        state,
      });
      const got = await client.receive({ claimProviders: [{ zone: ZONE }] });
      return got.messages.map((m) => Buffer.from(m.plaintext).toString('utf8'));
    } finally {
      state.close();
    }
  };

  beforeAll(async () => {
    installNodeCrypto();
    [node, liar] = await Promise.all([startMeshNode(ZONE), startLiar()]);
    entries = {
      // A port nobody listens on, on an address nobody binds.
      dead: `127.0.0.9:${await freePort('127.0.0.9')}`,
      liar: `127.0.0.1:${liar.port}`,
      real: `127.0.0.1:${node.port}`,
    };
    alice = await makeUser('alice');
    bob = await makeUser('bob');
    let bobSpk: string;
    [aliceKeys, { spk: bobSpk }] = await Promise.all([
      setupUser(alice, node),
      setupUser(bob, node, { resolvers: [entries.dead, entries.liar, entries.real] }),
    ]);
    await alice.ok(['identity', 'fetch', 'bob', '--add']);
    // Pinned locally, so the recv cases below do not depend on identity fetch.
    await bob.ok(['contacts', 'add', 'alice', aliceKeys.x25519, '--signing-key', aliceKeys.spk]);
    const config = await bob.readConfig();
    bobKeys = await deriveIdentity(bob.passphrase, fromHex(config.kdf_salt));
    expect(Buffer.from(bobKeys.ed25519Public).toString('hex')).toBe(bobSpk);
  });
  afterAll(async () => {
    await liar?.close();
    await cleanup();
  });

  it('resolvers list --json shows the configured entries (no pool state is kept)', async () => {
    const r = await bob.ok(['resolvers', 'list', '--json']);
    expect(JSON.parse(r.stdout)).toEqual([entries.dead, entries.liar, entries.real]);
  });

  it('dead + real, in either order: recv delivers', async () => {
    for (const order of [
      ['dead', 'real'],
      ['real', 'dead'],
    ] as const) {
      await useResolvers(...order);
      await alice.ok(['send', 'bob', `via ${order.join(' → ')}`]);
      const got = await recvJson(bob);
      expect(got.messages.map((m) => m.text)).toEqual([`via ${order.join(' → ')}`]);
    }
  });

  it('with the liar in the pool (any order) recv still delivers', async () => {
    for (const order of [
      ['dead', 'liar', 'real'],
      ['real', 'liar', 'dead'],
    ] as const) {
      await useResolvers(...order);
      const before = liar.txtQueries();
      await alice.ok(['send', 'bob', `via ${order.join(' → ')}`]);
      const got = await recvJson(bob);
      expect(liar.txtQueries()).toBeGreaterThan(before);
      expect(got.messages.map((m) => m.text)).toContain(`via ${order.join(' → ')}`);
    }
  });

  it('identity fetch through dead → liar → real finds alice', async () => {
    await useResolvers('dead', 'liar', 'real');
    const r = await bob.cli(['identity', 'fetch', 'alice']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`signing_public_key: ${aliceKeys.spk}`);
  });

  it('library, wired as the CLI wires it: delivers; liar distrusted, dead cooling down, node first', async () => {
    await alice.ok(['send', 'bob', 'library: validated pool']);
    const pool = new ResolverPool([entries.dead, entries.liar, entries.real], {
      timeoutMs: 10_000,
      deadlineMs: 30_000,
    });
    const texts = await libraryReceive(pool);
    expect(texts).toContain('library: validated pool');
    const status = Object.fromEntries(pool.list().map((s) => [s.server, s]));
    expect(status[entries.liar]).toMatchObject({ state: 'distrusted' });
    expect(status[entries.liar]!.lies).toBeGreaterThan(0);
    expect(status[entries.dead]).toMatchObject({ state: 'cooling-down' });
    expect(status[entries.dead]!.lastError).toMatch(/refused/);
    expect(status[entries.real]).toMatchObject({ state: 'preferred', lies: 0 });
    expect(pool.list()[0]!.server).toBe(entries.real);
  });
});
