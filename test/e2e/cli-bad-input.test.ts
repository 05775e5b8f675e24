/**
 * Scenario: the CLI fails cleanly. Each mistake — an unknown contact, a
 * wrong passphrase (the tripwire), a message one byte over the limit, a
 * corrupted config.yaml, the node being down — must end with a clear
 * `dnsmesh: …` line on stderr naming what is wrong (the contact, the keys,
 * the limit, the config path, the node's host:port), a non-zero exit, and
 * not one byte changed in the user's config home or the node's store.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxBodyBytes } from '../../src/client/message-limits.js';
import {
  type CliRun,
  type CliUser,
  type MeshNode,
  makeUser,
  setupUser,
  snapshotFiles,
  startMeshNode,
  storeFingerprint,
} from './cli-harness.js';
import { cleanup } from './harness.js';

const ZONE = 'mesh.test';

describe('cli-bad-input', () => {
  let node: MeshNode;
  let alice: CliUser;
  let bob: CliUser;
  let aliceKeys: { spk: string; x25519: string };

  /** Runs `args` as alice and checks the failure left her files and the node alone. */
  const failsCleanly = async (
    args: string[],
    env: Record<string, string> = {},
    options: { nodeUp?: boolean } = {},
  ): Promise<CliRun> => {
    const files = await snapshotFiles(alice.configHome);
    const store = options.nodeUp === false ? undefined : storeFingerprint(node);
    const r = await alice.cli(args, { env });
    expect(r.timedOut).toBe(false);
    expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).not.toBe(0);
    expect(r.stderr).toMatch(/^dnsmesh: \S/);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
    expect(await snapshotFiles(alice.configHome)).toEqual(files);
    if (store !== undefined) expect(storeFingerprint(node)).toEqual(store);
    return r;
  };

  beforeAll(async () => {
    node = await startMeshNode(ZONE);
    alice = await makeUser('alice');
    bob = await makeUser('bob');
    let bobKeys: { spk: string; x25519: string };
    [aliceKeys, bobKeys] = await Promise.all([
      setupUser(alice, node, { prekeys: 2 }),
      setupUser(bob, node, { prekeys: 2 }),
    ]);
    await alice.ok(['identity', 'fetch', 'bob', '--add']);
    await bob.ok(['identity', 'fetch', 'alice', '--add']);
    expect(bobKeys.spk).toMatch(/^[0-9a-f]{64}$/);
    // One good round trip first, so every file a working setup has exists.
    await alice.ok(['send', 'bob', 'all good so far']);
    await alice.ok(['recv']);
  });
  afterAll(cleanup);

  it('unknown contact: exit 1, names the contact and how to add it', async () => {
    const r = await failsCleanly(['send', 'mallory', 'hi']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dnsmesh: unknown contact `mallory`/);
    expect(r.stderr).toContain('identity fetch mallory --add');
    const at = await failsCleanly(['send', 'mallory@elsewhere.test', 'hi']);
    expect(at.stderr).toMatch(/unknown contact `mallory@elsewhere\.test`/);
  });

  it('wrong passphrase: the tripwire stops send and recv before anything happens', async () => {
    for (const args of [['send', 'bob', 'hi'], ['recv'], ['identity', 'publish']]) {
      const r = await failsCleanly(args, { DMP_PASSPHRASE: 'alice WRONG horse battery staple' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^dnsmesh: passphrase mismatch/);
      expect(r.stderr).toContain(`expected: ${aliceKeys.spk}`);
      expect(r.stderr).toMatch(/derived: +[0-9a-f]{64}/);
    }
  });

  it('oversized message: refused before publishing, naming the limit', async () => {
    const max = maxBodyBytes({ ts: Math.floor(Date.now() / 1000), ttl: 300, maxValueBytes: 2048 });
    const r = await failsCleanly(['send', 'bob', 'y'.repeat(max + 1)]);
    expect(r.stderr).toContain(`message of ${max + 1} bytes is too large`);
    expect(r.stderr).toContain(`at most ${max} bytes fit`);
    expect(r.stderr).toMatch(/value cap \(DMP_MAX_VALUE_BYTES\)/);
    // Multi-byte characters count as bytes, not characters.
    const wide = 'é'.repeat(Math.floor(max / 2) + 1);
    const w = await failsCleanly(['send', 'bob', wide]);
    expect(w.stderr).toContain(`message of ${Buffer.byteLength(wide)} bytes is too large`);
  });

  it('corrupted config.yaml: every command names the file, nothing is rewritten', async () => {
    const good = await readFile(alice.configPath);
    const broken = [
      // Truncated mid-write.
      good.subarray(0, Math.floor(good.length / 2)),
      // Not YAML at all.
      Buffer.from('contacts: [unclosed\n  kdf_salt: {{{\n'),
      // YAML, but the wrong shape.
      Buffer.from('- just\n- a\n- list\n'),
      // Binary garbage.
      Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x9c, 0x80, 0x0a]),
    ];
    try {
      for (const bytes of broken) {
        await writeFile(alice.configPath, bytes, { mode: 0o600 });
        for (const args of [
          ['send', 'bob', 'hi'],
          ['recv'],
          ['identity', 'show'],
          ['contacts', 'list'],
        ]) {
          const r = await failsCleanly(args);
          expect(r.code, `${args.join(' ')} on ${JSON.stringify(bytes.toString('latin1'))}`).toBe(
            1,
          );
          expect(r.stderr).toContain(alice.configPath);
          expect(r.stderr).not.toContain('unexpected error');
        }
      }
    } finally {
      await writeFile(alice.configPath, good, { mode: 0o600 });
    }
    // Restored: works again.
    await alice.ok(['contacts', 'list']);
  });

  it('node down: send and publish fail naming the node’s host:port', async () => {
    await node.stop();
    const where = `127.0.0.1:${node.port}`;
    const send = await failsCleanly(['send', 'bob', 'hello?'], {}, { nodeUp: false });
    expect(send.code).toBe(2);
    expect(send.stderr).toContain(where);
    expect(send.stderr).toMatch(/refused|unreachable|cannot reach/i);
    const publish = await failsCleanly(['identity', 'publish'], {}, { nodeUp: false });
    expect(publish.code).toBe(2);
    expect(publish.stderr).toContain(where);
    expect(publish.stderr).toMatch(/refused|unreachable|cannot reach/i);
  });

  it('node down: recv changes nothing locally', async () => {
    const files = await snapshotFiles(alice.configHome);
    const r = await alice.cli(['recv']);
    expect(r.timedOut).toBe(false);
    expect(r.stdout).not.toMatch(/^from /m);
    expect(await snapshotFiles(alice.configHome)).toEqual(files);
  });

  // Today recv swallows the failure of every lookup and prints "(no new
  // messages)" with exit 0 — indistinguishable from an empty mailbox.
  it('node down: recv says it could not reach 127.0.0.1:<port> and exits non-zero', async () => {
    const r = await failsCleanly(['recv'], {}, { nodeUp: false });
    expect(r.stderr).toContain(`127.0.0.1:${node.port}`);
  });
});
