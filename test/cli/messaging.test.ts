/**
 * End-to-end messaging through the real CLI against a real node (HTTP API
 * for writes, DNS responder for reads and claims, same sqlite stores):
 * publish, prekeys, identity fetch --add, send, recv (text, JSON, --watch),
 * the intro queue for an unpinned sender, and the failure paths.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../../src/cli/config/yaml-read.js';
import { configToYaml } from '../../src/cli/config/yaml-write.js';
import { type CliHome, makeCliHome, spawnCli } from './harness.js';
import { OPERATOR_TOKEN, startTestNode, type TestNode } from './node-api.js';

interface User {
  readonly name: string;
  readonly home: CliHome;
  readonly env: Record<string, string>;
  spk: string;
}

describe('messaging between CLI users through one node', () => {
  let node: TestNode;
  const users: Record<string, User> = {};

  async function makeUser(name: string): Promise<User> {
    const home = await makeCliHome();
    const env = {
      DMP_PASSPHRASE: `${name} passphrase`,
      DMP_PROVIDER_DNS_PORT: String(node.dnsPort),
    };
    const init = await home.run([
      'init',
      name,
      '--domain',
      'mesh.test',
      '--endpoint',
      `http://127.0.0.1:${node.port}`,
      '--http-token',
      OPERATOR_TOKEN,
      '--dns-resolvers',
      `127.0.0.1:${node.dnsPort}`,
      '--no-probe-local-dns',
    ]);
    expect(init.code, init.stderr).toBe(0);
    // Claims go to the test node (zone mesh.test) instead of the public seed.
    const config = await parseConfigYaml(await home.readConfig());
    config.claim_provider_override = `http://127.0.0.1:${node.port}`;
    config.claim_provider_zone = 'mesh.test';
    await writeFile(home.configPath, configToYaml(config));
    const show = await home.run(['identity', 'show', '--json'], env);
    expect(show.code, show.stderr).toBe(0);
    const user: User = { name, home, env, spk: JSON.parse(show.stdout).signing_public_key };
    for (const args of [
      ['identity', 'publish'],
      ['identity', 'refresh-prekeys', '--count', '3'],
    ]) {
      const r = await home.run(args, env);
      expect(r.code, `${name} ${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    return user;
  }

  const run = (u: User, args: string[]) => u.home.run(args, u.env);

  beforeAll(async () => {
    node = await startTestNode({}, { dns: true });
    for (const name of ['alice', 'bob', 'carol']) users[name] = await makeUser(name);
  });
  afterAll(async () => {
    for (const u of Object.values(users)) await u.home.cleanup();
    await node.close();
  });

  it('publish and prekeys print where they went', async () => {
    const r = await run(users.alice!, ['identity', 'publish']);
    expect(r.stdout).toMatch(/^published identity to id-[0-9a-f]{16}\.mesh\.test\n/);
    const p = await run(users.alice!, ['identity', 'refresh-prekeys', '--count', '2']);
    expect(p.stdout).toMatch(
      /^published 2\/2 prekeys to prekeys\.id-[0-9a-f]{12}\.mesh\.test\n {2}local live prekey count: 5\n$/,
    );
  });

  it('identity fetch --add pins both keys', async () => {
    const { alice, bob } = users as Record<string, User>;
    const r = await run(alice!, ['identity', 'fetch', 'bob', '--add']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('address:            bob@mesh.test\n');
    expect(r.stdout).toContain(`signing_public_key: ${bob!.spk}\n`);
    expect(r.stdout).toContain('added contact bob (signing key pinned)\n');
    const json = await run(bob!, ['identity', 'fetch', 'alice', '--add', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      username: 'alice',
      address: 'alice@mesh.test',
      signing_public_key: alice!.spk,
    });
    expect(json.stderr).toContain('added contact alice');
    const again = await run(bob!, ['identity', 'fetch', 'alice', '--add']);
    expect(again.stdout).toContain('already exists — not overwriting');
    const config = await parseConfigYaml(await bob!.home.readConfig());
    expect(config.contacts.get('alice')).toMatchObject({ spk: alice!.spk, domain: '' });
  });

  it('send and recv deliver the message once', async () => {
    const { alice, bob } = users as Record<string, User>;
    const sent = await run(alice!, ['send', 'bob', 'hello bob, from alice']);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(
      /^sent to bob \(bob@mesh\.test\) — 21 bytes in \d+ chunks; first-contact pointer published at 1\/1 provider\n$/,
    );
    const recv = await run(bob!, ['recv']);
    expect(recv.stderr).toBe('');
    expect(recv.code).toBe(0);
    const lines = recv.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^from alice \\(${alice!.spk.slice(0, 8)}…${alice!.spk.slice(-4)}\\) at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`,
      ),
    );
    expect(lines[1]).toBe('  hello bob, from alice');
    const again = await run(bob!, ['recv']);
    expect(again.stdout).toBe('(no new messages)\n');
  });

  it('recv --json', async () => {
    const { alice, bob } = users as Record<string, User>;
    await run(alice!, ['send', 'bob@mesh.test', 'second']);
    const r = await run(bob!, ['recv', '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.new_intros).toBe(0);
    expect(doc.messages).toHaveLength(1);
    expect(doc.messages[0]).toMatchObject({
      sender_spk: alice!.spk,
      contact: 'alice',
      text: 'second',
    });
  });

  it('an unpinned sender lands in the intro queue; trust pins it', async () => {
    const { bob, carol } = users as Record<string, User>;
    expect((await run(carol!, ['identity', 'fetch', 'bob', '--add'])).code).toBe(0);
    const sent = await run(carol!, ['send', 'bob', 'hi, I am carol']);
    expect(sent.code, sent.stderr).toBe(0);
    const recv = await run(bob!, ['recv']);
    expect(recv.stdout).toContain('(1 new intro(s) from un-pinned senders');
    const list = await run(bob!, ['intro', 'list', '--json']);
    const intros = JSON.parse(list.stdout);
    expect(intros).toHaveLength(1);
    expect(intros[0]).toMatchObject({
      sender_spk: carol!.spk,
      text: 'hi, I am carol',
      fresh: true,
    });
    const text = await run(bob!, ['intro', 'list']);
    expect(text.stdout).toContain(`#${intros[0].id}  `);
    expect(text.stdout).toContain('  message:    hi, I am carol\n');

    const missing = await run(bob!, ['intro', 'trust', '999999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^dnsmesh: no pending intro #999999/);

    const trust = await run(bob!, ['intro', 'trust', String(intros[0].id), '--username', 'carol']);
    expect(trust.code, trust.stderr).toBe(0);
    expect(trust.stdout).toContain(`trusted intro #${intros[0].id} as \`carol\``);
    const config = await parseConfigYaml(await bob!.home.readConfig());
    expect(config.contacts.get('carol')).toEqual({
      pub: '',
      spk: carol!.spk,
      domain: 'mesh.test',
      remote_username: 'carol',
    });
    expect((await run(bob!, ['intro', 'list'])).stdout).toBe('(no pending intros)\n');
    // identity fetch fills in the placeholder's X25519 key under the same label.
    const upgrade = await run(bob!, ['identity', 'fetch', 'carol', '--add']);
    expect(upgrade.stdout).toContain('upgraded contact `carol`');
  });

  it('recv --watch polls until SIGINT', async () => {
    const { alice, bob } = users as Record<string, User>;
    const child = spawnCli(
      ['--config-home', bob!.home.configHome, 'recv', '--watch', '--interval', '1'],
      bob!.home.env(bob!.env),
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await run(alice!, ['send', 'bob', 'watch this']);
    const deadline = Date.now() + 20_000;
    while (!out.includes('watch this') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('  watch this\n');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('after tsig register, writes go over TSIG-signed DNS UPDATE', async () => {
    const { alice } = users as Record<string, User>;
    const dave = await makeUser('dave');
    users.dave = dave;
    const reg = await run(dave, [
      'tsig',
      'register',
      '--node',
      `127.0.0.1:${node.port}`,
      '--scheme',
      'http',
      '--dns-port',
      String(node.dnsPort),
    ]);
    expect(reg.code, reg.stderr).toBe(0);
    // Drop the HTTP credentials: from now on only the TSIG key can write.
    const config = await parseConfigYaml(await dave.home.readConfig());
    config.http_token = null;
    await writeFile(dave.home.configPath, configToYaml(config));
    for (const args of [
      ['identity', 'publish'],
      ['identity', 'refresh-prekeys', '--count', '2'],
    ]) {
      const r = await run(dave, args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect((await run(dave, ['identity', 'fetch', 'alice', '--add'])).code).toBe(0);
    const sent = await run(dave, ['send', 'alice', 'via DNS UPDATE']);
    expect(sent.code, sent.stderr).toBe(0);
    expect((await run(alice!, ['identity', 'fetch', 'dave', '--add'])).code).toBe(0);
    const recv = await run(alice!, ['recv']);
    expect(recv.stdout).toContain('  via DNS UPDATE\n');
  });

  it('doctor checks the endpoint, a pinned local DNS endpoint and the paths send and recv use', async () => {
    const { alice } = users as Record<string, User>;
    const config = await parseConfigYaml(await alice!.home.readConfig());
    config.local_node_dns_server = '127.0.0.1';
    config.local_node_dns_port = node.dnsPort;
    await writeFile(alice!.home.configPath, configToYaml(config));
    const r = await run(alice!, ['doctor', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(
      doc.checks.map((c: { status: string; check: string }) => `${c.status} ${c.check}`),
    ).toEqual([
      'PASS endpoint reachable',
      'PASS local DNS endpoint responds',
      'PASS resolvers answer',
      'WARN TSIG not registered',
      'PASS HTTP writes accepted',
      'PASS identity published and matching',
      'PASS claim providers answer',
    ]);
    const text = await run(alice!, ['doctor']);
    expect(text.stdout).toContain('  PASS  endpoint reachable\n');
    expect(text.stdout).toMatch(/DOCTOR: 1 WARN\n$/);
    config.local_node_dns_port = 1;
    await writeFile(alice!.home.configPath, configToYaml(config));
    const failing = await run(alice!, ['doctor']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('FAIL  local DNS endpoint not responding');
    expect(failing.stdout).toMatch(/DOCTOR: 1 FAIL, 1 WARN\n$/);
  });

  it('failures: unknown contact (1), unknown identity (2), wrong passphrase (1) — no state change', async () => {
    const { alice } = users as Record<string, User>;
    const before = await alice!.home.readConfig();
    const unknown = await run(alice!, ['send', 'zed', 'hi']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^dnsmesh: unknown contact `zed` — add it first/);
    const nobody = await run(alice!, ['identity', 'fetch', 'nobody-here']);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toMatch(/^dnsmesh: no identity record at id-[0-9a-f]{16}\.mesh\.test/);
    const now = () => Math.floor(Date.now() / 1000);
    const records = node.stores.records.liveCount(now());
    const wrong = await alice!.home.run(['send', 'bob', 'hi'], {
      ...alice!.env,
      DMP_PASSPHRASE: 'typo',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^dnsmesh: passphrase mismatch/);
    expect(node.stores.records.liveCount(now())).toBe(records);
    expect(await alice!.home.readConfig()).toBe(before);
  });

  it('two identities under one name: fetch is ambiguous (exit 2) until a fingerprint is chosen', async () => {
    const { alice, bob } = users as Record<string, User>;
    const impostor = await makeUser('alice');
    try {
      const r = await run(bob!, ['identity', 'fetch', 'alice']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^dnsmesh: ambiguous: 2 valid identity records at id-[0-9a-f]{16}\.mesh\.test\n/,
      );
      expect(
        r.stderr.match(
          /^ {2}fingerprint=[0-9a-f]{16} {2}x25519=[0-9a-f]{16}\.\.\. {2}ed25519=[0-9a-f]{16}\.\.\. {2}ts=\d+$/gm,
        ),
      ).toHaveLength(2);
      const show = JSON.parse((await run(alice!, ['identity', 'show', '--json'])).stdout);
      const picked = await run(bob!, [
        'identity',
        'fetch',
        'alice',
        '--json',
        '--accept-fingerprint',
        show.fingerprint.toUpperCase(),
      ]);
      expect(picked.code, picked.stderr).toBe(0);
      expect(JSON.parse(picked.stdout).signing_public_key).toBe(alice!.spk);
    } finally {
      await impostor.home.cleanup();
    }
  });
});
