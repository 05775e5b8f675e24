/**
 * `tsig register` and `register` through the real CLI against a real node
 * HTTP API: the TSIG key lands in config.yaml where the reference keeps it
 * (and in the node's key store), the bearer token in the tokens dir, and
 * no secret is ever printed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../../src/cli/config/yaml-read.js';
import { configToYaml } from '../../src/cli/config/yaml-write.js';
import { type CliHome, makeCliHome } from './harness.js';
import { startTestNode, type TestNode } from './node-api.js';

const PASS = { DMP_PASSPHRASE: 'registration test passphrase' };

/** A node whose registration is on or off and which calls itself `nodeHostname`. */
function registrationNode(enabled: boolean, nodeHostname: string, servedZone: string) {
  return {
    registration: {
      enabled,
      endpointRate: { ratePerSecond: 100, burst: 100 },
      policy: {
        nodeHostname,
        servedZone,
        allowlist: [],
        tokenTtlSeconds: 60,
        issuedRatePerSecond: 1,
        issuedBurst: 1,
        scopeMode: 'default' as const,
      },
    },
  };
}

describe('registration against a node', () => {
  let node: TestNode;
  let home: CliHome;
  let spk: string;
  let x25519: string;
  beforeAll(async () => {
    node = await startTestNode();
    home = await makeCliHome();
    const init = await home.run(['init', 'alice', '--domain', 'mesh.test', '--no-probe-local-dns']);
    expect(init.code).toBe(0);
    const show = await home.run(['identity', 'show', '--json'], PASS);
    ({ signing_public_key: spk, public_key: x25519 } = JSON.parse(show.stdout));
  });
  afterAll(async () => {
    await home.cleanup();
    await node.close();
  });

  it('tsig register stores the minted key in config.yaml and never prints the secret', async () => {
    const r = await home.run(
      [
        'tsig',
        'register',
        '--node',
        `127.0.0.1:${node.port}`,
        '--scheme',
        'http',
        '--dns-port',
        '5353',
      ],
      PASS,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const config = await parseConfigYaml(await home.readConfig());
    expect(config.tsig_key_name).toMatch(/^alice-[0-9a-f]{8}-[0-9a-f]{6}\.mesh\.test\.$/);
    expect(config.tsig_secret_hex).toMatch(/^[0-9a-f]{64}$/);
    expect(config.tsig_algorithm).toBe('hmac-sha256');
    expect(config.tsig_zone).toBe('mesh.test');
    expect(config.tsig_dns_server).toBe('127.0.0.1');
    expect(config.tsig_dns_port).toBe(5353);
    expect(await home.mode(home.configPath)).toBe(0o600);

    const stored = node.stores.tsigKeys.getActive(
      config.tsig_key_name,
      Math.floor(Date.now() / 1000),
    );
    expect(stored).toBeDefined();
    expect(Buffer.from(stored!.secret).toString('hex')).toBe(config.tsig_secret_hex);
    expect(stored!.subject).toBe('alice@mesh.test');
    expect(stored!.registeredSpk).toBe(spk);
    // The X25519 proof was accepted, so the mailbox is in scope.
    expect(stored!.registeredX25519Pub).toBe(x25519);

    expect(r.stdout).toContain('registered alice@mesh.test on 127.0.0.1:');
    expect(r.stdout).toContain(`  TSIG key:  ${config.tsig_key_name}`);
    expect(r.stdout).toContain('  DNS:       127.0.0.1:5353/udp');
    expect(r.stdout).toMatch(/ {2}scope:\n {4}- /);
    expect(r.stdout + r.stderr).not.toContain(config.tsig_secret_hex);
  });

  it('signs the canonical subject, so a mixed-case --subject still registers', async () => {
    const r = await home.run(
      [
        'tsig',
        'register',
        '--node',
        `http://127.0.0.1:${node.port}/`,
        '--scheme',
        'http',
        '--subject',
        ' Alice@Mesh.Test ',
      ],
      PASS,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('registered alice@mesh.test');
  });

  it('register saves the bearer token file under the bare host, mode 0600', async () => {
    const r = await home.run(
      ['register', '--node', `127.0.0.1:${node.port}`, '--scheme', 'http'],
      PASS,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const path = join(home.configHome, 'tokens', '127.0.0.1.json');
    expect(r.stdout).toContain(`token saved to ${path}`);
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(Object.keys(saved)).toEqual([
      'version',
      'node',
      'subject',
      'token',
      'expires_at',
      'registered_spk',
      'saved_at',
    ]);
    expect(saved).toMatchObject({
      version: 1,
      node: '127.0.0.1',
      subject: 'alice@mesh.test',
      registered_spk: spk,
    });
    expect(saved.token).toMatch(/^dmp_v1_/);
    expect(r.stdout).not.toContain(saved.token);
    expect(await home.mode(path)).toBe(0o600);
    expect(await home.mode(join(home.configHome, 'tokens'))).toBe(0o700);

    const list = await home.run(['token', 'list']);
    expect(list.stdout).toMatch(
      /^NODE +SUBJECT +EXPIRES\n127\.0\.0\.1 +alice@mesh\.test +\d{4}-\d\d-\d\dT/,
    );
    const json = JSON.parse((await home.run(['token', 'list', '--json'])).stdout);
    expect(json[0]).toMatchObject({
      node: '127.0.0.1',
      token_prefix: `${saved.token.slice(0, 16)}…`,
      token_len: saved.token.length,
    });
    expect(JSON.stringify(json)).not.toContain(saved.token);
  });

  it('token forget deletes the file; an unknown node exits 1', async () => {
    const r = await home.run(['token', 'forget', '127.0.0.1']);
    expect(r.code).toBe(0);
    expect((await home.run(['token', 'list'])).stdout).toMatch(/^\(no saved tokens/);
    const again = await home.run(['token', 'forget', '127.0.0.1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^dnsmesh: no saved token for 127\.0\.0\.1/);
  });

  it('a wrong passphrase gets 409 from the node and leaves the config alone', async () => {
    const before = await home.readConfig();
    const r = await home.run(
      ['tsig', 'register', '--node', `127.0.0.1:${node.port}`, '--scheme', 'http'],
      {
        DMP_PASSPHRASE: 'not the registered one',
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^dnsmesh: subject alice@mesh\.test is already registered to a different key \(409\)/,
    );
    expect(await home.readConfig()).toBe(before);
  });

  it('an unreachable node exits 2; a node without registration exits 1', async () => {
    const before = await home.readConfig();
    const down = await home.run(
      ['tsig', 'register', '--node', '127.0.0.1:1', '--scheme', 'http'],
      PASS,
    );
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(
      /^dnsmesh: challenge request: cannot reach http:\/\/127\.0\.0\.1:1/,
    );
    const closed = await startTestNode(registrationNode(false, 'x.test', 'x.test'));
    try {
      const r = await home.run(
        ['tsig', 'register', '--node', `127.0.0.1:${closed.port}`, '--scheme', 'http'],
        PASS,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/does not offer registration \(404/);
    } finally {
      await closed.close();
    }
    expect(await home.readConfig()).toBe(before);
  });

  it('refuses to sign a challenge that names another node (relay), posting nothing', async () => {
    const before = await home.readConfig();
    const relay = await startTestNode(registrationNode(true, 'victim.example', 'mesh.test'));
    try {
      for (const verb of [['tsig', 'register'], ['register']]) {
        const r = await home.run(
          [...verb, '--node', `127.0.0.1:${relay.port}`, '--scheme', 'http'],
          PASS,
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/asked for a signature for node "victim\.example"/);
      }
      expect(relay.stores.tsigKeys.listActive(Math.floor(Date.now() / 1000))).toEqual([]);
    } finally {
      await relay.close();
    }
    expect(await home.readConfig()).toBe(before);
  });
});

describe('registration takes what the user already said', () => {
  let node: TestNode;
  let home: CliHome;
  beforeAll(async () => {
    node = await startTestNode();
    home = await makeCliHome();
    const init = await home.run([
      'init',
      'carol',
      '--domain',
      'mesh.test',
      '--endpoint',
      `http://127.0.0.1:${node.port}`,
      '--no-probe-local-dns',
    ]);
    expect(init.code).toBe(0);
  });
  afterAll(async () => {
    await home.cleanup();
    await node.close();
  });

  async function editConfig(edit: (c: Awaited<ReturnType<typeof parseConfigYaml>>) => void) {
    const config = await parseConfigYaml(await home.readConfig());
    edit(config);
    await writeFile(home.configPath, configToYaml(config), { mode: 0o600 });
  }

  it('an http:// --node is spoken to over http, without --scheme', async () => {
    const r = await home.run(
      ['tsig', 'register', '--node', `http://127.0.0.1:${node.port}`, '--dns-port', '5353'],
      PASS,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('registered carol@mesh.test');
  });

  it('without --node the endpoint from init is used, and the DNS port init found', async () => {
    await editConfig((c) => {
      c.local_node_dns_server = '127.0.0.1';
      c.local_node_dns_port = 40053;
    });
    const r = await home.run(['tsig', 'register'], PASS);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DNS:       127.0.0.1:40053/udp (the node DNS endpoint init found)');
    const config = await parseConfigYaml(await home.readConfig());
    expect([config.tsig_dns_server, config.tsig_dns_port]).toEqual(['127.0.0.1', 40053]);
    const token = await home.run(['register'], PASS);
    expect(token.code, token.stderr).toBe(0);
  });

  it('a --scheme that contradicts the URL, or no node at all, is a usage error', async () => {
    const before = await home.readConfig();
    const clash = await home.run(
      ['tsig', 'register', '--node', `http://127.0.0.1:${node.port}`, '--scheme', 'https'],
      PASS,
    );
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/says http:\/\/ but --scheme says https/);
    await editConfig((c) => {
      c.endpoint = '';
    });
    const none = await home.run(['tsig', 'register'], PASS);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no node to register with: pass --node/);
    await writeFile(home.configPath, before, { mode: 0o600 });
  });
});
