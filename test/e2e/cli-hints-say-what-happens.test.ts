/**
 * Scenario: hints that must describe what actually happens (issue 14,
 * "first run").
 *
 * - `contacts add` without a signing key once said "while no contact is
 *   pinned, recv trusts any signed message (TOFU)" to everyone — also to
 *   users with pinned contacts, and to users without `allow_tofu`, for
 *   whom recv trusts nobody unpinned. It now says what holds for this
 *   config.
 * - `register` said "publishes over HTTP now use this token" to users with
 *   a TSIG key, whose writes go over DNS UPDATE and never use it.
 * - An `https://` URL at a node's plain-HTTP port showed OpenSSL's "wrong
 *   version number"; it now says the node does not speak HTTPS there and
 *   names the http:// URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliUser, type MeshNode, makeUser, setupUser, startMeshNode } from './cli-harness.js';
import { cleanup } from './harness.js';

const KEY = 'ab'.repeat(32);

describe('cli-hints-say-what-happens', () => {
  let node: MeshNode;
  let alice: CliUser;
  let carol: CliUser;

  /** A config for `name` pointing at the node, nothing registered or published. */
  async function initOnly(name: string, extra: readonly string[] = []): Promise<CliUser> {
    const user = await makeUser(name);
    await user.ok([
      'init',
      name,
      '--domain',
      node.zone,
      '--endpoint',
      node.endpoint,
      '--dns-resolvers',
      `127.0.0.1:${node.port}`,
      '--no-probe-local-dns',
      ...extra,
    ]);
    return user;
  }

  beforeAll(async () => {
    node = await startMeshNode('mesh.test');
    [alice, carol] = await Promise.all([makeUser('alice'), makeUser('carol')]);
    await Promise.all([setupUser(alice, node), setupUser(carol, node)]);
  });
  afterAll(cleanup);

  describe('contacts add without a signing key', () => {
    it('with a pinned contact: no TOFU claim, says what happens to its messages', async () => {
      await alice.ok(['identity', 'fetch', 'carol', '--add']);
      const r = await alice.ok(['contacts', 'add', 'dave', KEY]);
      expect(r.stdout).toBe('added contact dave\n');
      expect(r.stderr).not.toMatch(/no contact is pinned|TOFU/);
      expect(r.stderr).toBe(
        '  warning: dave has no pinned Ed25519 signing key: you can send to it, but messages it ' +
          'signs are not delivered as from dave (they wait in `dnsmesh intro list` at best). Pin it ' +
          'with --signing-key <64 hex>, or use `dnsmesh identity fetch <user> --add`, which pins both keys.\n',
      );
    });

    it('nobody pinned, allow_tofu off (the default): recv trusts no stranger, so no TOFU claim', async () => {
      const erin = await initOnly('erin');
      const r = await erin.ok(['contacts', 'add', 'dave', KEY]);
      expect(r.stderr).not.toMatch(/TOFU/);
      expect(r.stderr).toContain('warning: dave has no pinned Ed25519 signing key');
    });

    it('nobody pinned, allow_tofu on: TOFU named, as recv then does it', async () => {
      const frank = await initOnly('frank', ['--allow-tofu']);
      const r = await frank.ok(['contacts', 'add', 'dave', KEY]);
      expect(r.stderr).toContain(
        'Meanwhile, with allow_tofu on and no contact pinned, `dnsmesh recv` delivers any ' +
          'correctly signed message addressed to you (TOFU), whoever signed it.',
      );
    });
  });

  describe('register says what the token is for', () => {
    it('with a TSIG key: writes go over DNS UPDATE, the token is not used for them', async () => {
      const { tsig_key_name } = await alice.readConfig();
      expect(tsig_key_name).not.toBe('');
      const r = await alice.ok(['register', '--node', `http://127.0.0.1:${node.httpPort}`]);
      expect(r.stdout).toContain('registered alice@mesh.test on 127.0.0.1\n');
      expect(r.stdout).not.toContain('over HTTP now use this token');
      expect(r.stdout).toContain(
        `  your writes go over DNS UPDATE with your TSIG key (${tsig_key_name}), not over HTTP, ` +
          'so they do not use this token; HTTP publishing uses it when no TSIG key is configured.\n',
      );
    });

    it('without one: HTTP publishing to that host uses it', async () => {
      const gina = await initOnly('gina');
      const r = await gina.ok(['register', '--node', `http://127.0.0.1:${node.httpPort}`]);
      expect(r.stdout).toContain(
        '  publishes to 127.0.0.1 over HTTP now use this token automatically.\n',
      );
    });
  });

  describe('an https:// URL at a plain-HTTP port', () => {
    it('register and tsig register name the problem and the http:// URL, not OpenSSL', async () => {
      const hostPort = `127.0.0.1:${node.httpPort}`;
      const expected =
        `dnsmesh: challenge request: the node at ${hostPort} does not speak HTTPS on that port — ` +
        `use an http:// URL (e.g. --node http://${hostPort})\n`;
      for (const args of [
        ['register', '--node', `https://${hostPort}`],
        ['tsig', 'register', '--node', hostPort],
      ]) {
        const r = await carol.cli(args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).not.toMatch(/wrong version number|SSL routines|EPROTO/);
        expect(r.stderr).toBe(expected);
      }
    });
  });
});
