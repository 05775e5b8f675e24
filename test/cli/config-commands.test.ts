/**
 * `dnsmesh config get|set|list` through the real CLI on a real config.yaml:
 * every field type round-trips (set → get → the file → the existing reader),
 * the file stays 0600 and exactly what the reference's writer produces,
 * unknown keys get a "did you mean", wrong values and identity keys
 * without --force change nothing, and secrets are never printed unless
 * asked for.
 */
import { spawnSync } from 'node:child_process';
import { chmod, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../../src/cli/config/yaml-read.js';
import { configToYaml } from '../../src/cli/config/yaml-write.js';
import { type CliHome, makeCliHome, runCliProcess } from './harness.js';

const PASS = { DMP_PASSPHRASE: 'config test passphrase' };
const SECRET = 'a1'.repeat(32);

describe('dnsmesh config', () => {
  let home: CliHome;
  let verifyPubkey: string;
  beforeAll(async () => {
    home = await makeCliHome();
    const init = await home.run(
      ['init', 'alice', '--domain', 'mesh.test', '--no-probe-local-dns'],
      PASS,
    );
    expect(init.code, init.stderr).toBe(0);
    verifyPubkey = (await parseConfigYaml(await home.readConfig())).verify_pubkey;
    expect(verifyPubkey).toMatch(/^[0-9a-f]{64}$/);
  });
  afterAll(async () => {
    await home.cleanup();
  });

  /** Runs `config …args` and expects success. */
  const ok = async (args: string[], input?: string) => {
    const argv = ['--config-home', home.configHome, 'config', ...args];
    const r = await runCliProcess(argv, home.env(), input);
    expect(r.code, r.stderr).toBe(0);
    return r;
  };

  it('set/get round-trips every field type, and the reader sees the same values', async () => {
    // str (normalised as init does), nullable str, int, bool, list.
    await ok(['set', 'endpoint', 'node.example:8053/']);
    await ok(['set', 'dns_host', '192.0.2.53']);
    await ok(['set', 'tsig_dns_port', '5354']);
    await ok(['set', 'allow_tofu', 'on']);
    const list = await ok(['set', 'dns_resolvers', '127.0.0.1:5354, [::1]:53,9.9.9.9']);
    expect(list.stdout).toBe(
      'dns_resolvers: [127.0.0.1:5354, [::1]:53, 9.9.9.9] (was [1.1.1.1, 8.8.8.8])\n',
    );

    expect((await ok(['get', 'endpoint'])).stdout).toBe('https://node.example:8053\n');
    expect((await ok(['get', 'dns_resolvers'])).stdout).toBe('127.0.0.1:5354\n[::1]:53\n9.9.9.9\n');
    const json = JSON.parse((await ok(['list', '--json'])).stdout);
    expect(json).toMatchObject({
      endpoint: 'https://node.example:8053',
      dns_host: '192.0.2.53',
      tsig_dns_port: 5354,
      allow_tofu: true,
      dns_resolvers: ['127.0.0.1:5354', '[::1]:53', '9.9.9.9'],
      username: 'alice',
      domain: 'mesh.test',
    });

    const text = await home.readConfig();
    expect(text).toMatch(/^allow_tofu: true$/m);
    expect(text).toMatch(/^tsig_dns_port: 5354$/m);
    const parsed = await parseConfigYaml(text);
    expect(parsed.endpoint).toBe('https://node.example:8053');
    expect(parsed.dns_host).toBe('192.0.2.53');
    expect(parsed.tsig_dns_port).toBe(5354);
    expect(parsed.allow_tofu).toBe(true);
    expect(parsed.dns_resolvers).toEqual(['127.0.0.1:5354', '[::1]:53', '9.9.9.9']);
    expect(parsed.verify_pubkey).toBe(verifyPubkey);
    // Byte for byte what the writer every other command uses produces.
    expect(configToYaml(parsed)).toBe(text);
    expect(await home.mode(home.configPath)).toBe(0o600);

    // '' unsets a nullable key and empties a list; false reads back as false.
    await ok(['set', 'dns_host', '']);
    await ok(['set', 'allow_tofu', 'false']);
    expect((await ok(['get', 'dns_host', '--json'])).stdout).toBe('null\n');
    expect((await ok(['get', 'allow_tofu'])).stdout).toBe('false\n');
    expect(await home.readConfig()).toMatch(/^dns_host: null$/m);
  });

  it('a file other users could read is 0600 again after set', async () => {
    await chmod(home.configPath, 0o644);
    await ok(['set', 'recv_primary_interval_seconds', '45']);
    expect(await home.mode(home.configPath)).toBe(0o600);
    expect((await parseConfigYaml(await home.readConfig())).recv_primary_interval_seconds).toBe(45);
  });

  it('an unknown key exits 1 with the closest key, and changes nothing', async () => {
    const before = await home.readConfig();
    const get = await home.run(['config', 'get', 'endpiont']);
    expect(get.code).toBe(1);
    expect(get.stderr).toBe(
      'dnsmesh: config.yaml has no key "endpiont" — did you mean endpoint?\n',
    );
    const set = await home.run(['config', 'set', 'dnsPort', '53']);
    expect(set.code).toBe(1);
    expect(set.stderr).toMatch(/did you mean dns_port\?/);
    const far = await home.run(['config', 'get', 'colour']);
    expect(far.code).toBe(1);
    expect(far.stderr).toMatch(/`dnsmesh config list` shows all 34 keys/);
    expect(await home.readConfig()).toBe(before);
  });

  it('a value of the wrong type or range exits 1 and changes nothing', async () => {
    const before = await home.readConfig();
    for (const [key, value, why] of [
      ['allow_tofu', 'maybe', /"maybe" is not true or false/],
      ['dns_port', '70000', /not an integer from 1 to 65535/],
      ['cluster_refresh_interval', '1.5', /not an integer/],
      ['dns_resolvers', 'dns.google', /not an IPv4 or IPv6 address/],
      ['contacts', 'x', /dnsmesh contacts add\|remove/],
    ] as const) {
      const r = await home.run(['config', 'set', key, value]);
      expect(r.code, key).toBe(1);
      expect(r.stderr, key).toMatch(why);
    }
    expect(await home.readConfig()).toBe(before);
  });

  it('secrets are never printed without --show-secrets', async () => {
    // `-` reads the value from stdin: it is in neither argv nor the output.
    const set = await ok(['set', 'tsig_secret_hex', '-'], `${SECRET}\n`);
    expect(set.stdout).toBe("tsig_secret_hex: <hidden, 64 characters> (was '')\n");
    await ok(['set', 'http_token', 'dmp_v1_bearer']);
    expect(await home.readConfig()).toContain(`tsig_secret_hex: ${SECRET}\n`);

    const list = await ok(['list']);
    expect(list.stdout).toContain('tsig_secret_hex: <hidden, 64 characters>\n');
    expect(list.stdout).toContain('http_token: <hidden, 13 characters>\n');
    expect(list.stdout).toContain("cluster_node_token: ''\n");
    const json = JSON.parse((await ok(['list', '--json'])).stdout);
    expect([json.tsig_secret_hex, json.http_token]).toEqual(['<hidden>', '<hidden>']);
    for (const out of [list.stdout, JSON.stringify(json)]) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain('dmp_v1_bearer');
    }

    const get = await home.run(['config', 'get', 'tsig_secret_hex']);
    expect(get.code).toBe(1);
    expect(get.stdout).toBe('');
    expect(get.stderr).toMatch(/is a secret \(set, 64 characters\).*--show-secrets/);
    expect(get.stderr).not.toContain(SECRET);

    expect((await ok(['get', 'tsig_secret_hex', '--show-secrets'])).stdout).toBe(`${SECRET}\n`);
    expect((await ok(['list', '--show-secrets'])).stdout).toContain(`http_token: dmp_v1_bearer\n`);
  });

  it('identity keys change only with --force, with a warning', async () => {
    const before = await home.readConfig();
    const refused = await home.run(['config', 'set', 'username', 'bob']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^dnsmesh: not changing username without --force: your address/);
    const salt = await home.run(['config', 'set', 'kdf_salt', '00'.repeat(16)]);
    expect(salt.code).toBe(1);
    expect(salt.stderr).toMatch(/not changing kdf_salt without --force: .*different identity/);
    expect(await home.readConfig()).toBe(before);
    // The same value is no change and needs no --force.
    expect((await ok(['set', 'username', 'alice'])).stdout).toBe('username: alice (unchanged)\n');

    const forced = await ok(['set', 'kdf_salt', '00'.repeat(16), '--force']);
    expect(forced.stderr).toMatch(/^dnsmesh: warning: changing kdf_salt \(was [0-9a-f]{64}\)/);
    expect(forced.stdout).toMatch(/verify_pubkey cleared/);
    const after = await parseConfigYaml(await home.readConfig());
    expect(after.kdf_salt).toBe('00'.repeat(16));
    expect(after.verify_pubkey).toBe('');
    // The next unlock records the key this salt derives, and passes the tripwire.
    const show = await home.run(['identity', 'show', '--json'], PASS);
    expect(show.code, show.stderr).toBe(0);
    const recorded = (await parseConfigYaml(await home.readConfig())).verify_pubkey;
    expect(recorded).toBe(JSON.parse(show.stdout).signing_public_key);
    expect(recorded).not.toBe(verifyPubkey);
  });

  it('a config written by set loads with PyYAML (the reference reader) when available', async () => {
    if (spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status !== 0) return;
    const script = 'import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))';
    const r = spawnSync('python3', ['-c', script, home.configPath], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const loaded = JSON.parse(r.stdout);
    const ours = await parseConfigYaml(await readFile(home.configPath, 'utf8'));
    expect(loaded.dns_resolvers).toEqual(ours.dns_resolvers);
    expect(loaded.tsig_secret_hex).toBe(SECRET);
    expect(loaded.recv_primary_interval_seconds).toBe(45);
    expect(loaded.dns_host).toBeNull();
    expect(loaded.allow_tofu).toBe(false);
  });
});
