/**
 * config.yaml compatibility with the reference (cli spec §2): a file in the
 * reference's layout (written by hand from the spec) loads with every field
 * and round-trips byte-for-byte; legacy contacts migrate; unknown keys are
 * dropped; and — when python3 with PyYAML is available — the writer's
 * output is exactly what `yaml.safe_dump(sort_keys=True)` produces.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/cli/config/fields.js';
import { parseFastYaml } from '../../src/cli/config/yaml-fast.js';
import { parseConfigYaml, parseYamlTreeFull } from '../../src/cli/config/yaml-read.js';
import { ConfigSyntaxError } from '../../src/cli/config/yaml-tree.js';
import { configToYaml } from '../../src/cli/config/yaml-write.js';
import { hexKey, makeCliHome } from './harness.js';

/** Every field, sorted, block style — the shape `CLIConfig.save` writes. */
const REFERENCE_CONFIG = `allow_tofu: true
bootstrap_signer_spk: ''
bootstrap_user_domain: example.com
claim_provider_override: https://dnsmesh.io
claim_provider_zone: ''
cluster_base_domain: ''
cluster_enabled: false
cluster_node_token: ''
cluster_operator_spk: ''
cluster_refresh_interval: 3600
contacts:
  bob@bob.test:
    domain: bob.test
    pub: ${hexKey('ab')}
    remote_username: ''
    spk: ${hexKey('cd')}
  intro-0123456789ab:
    domain: carol.test
    pub: ''
    remote_username: carol
    spk: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
dns_host: null
dns_port: 5353
dns_resolvers:
- 1.1.1.1
- 9.9.9.9:5353
- '[2001:db8::1]:53'
dnssec_required: false
domain: alice.test
endpoint: http://alice-node:8053
http_token: null
identity_domain: ''
kdf_salt: '0123456701234567012345670123456701234567012345670123456701234567'
local_node_dns_port: 5353
local_node_dns_server: alice-node
passphrase_file: ~/.dmp/passphrase
recv_primary_interval_seconds: 30
recv_secondary_disable: false
recv_secondary_interval_seconds: 600
tsig_algorithm: hmac-sha256
tsig_dns_port: 5353
tsig_dns_server: alice-node
tsig_key_name: alice-e4b2248f-541308.alice.test.
tsig_secret_hex: ${'5e'.repeat(32)}
tsig_zone: alice.test
username: alice
verify_pubkey: ${'ef'.repeat(32)}
`;

describe('config.yaml in the reference layout', () => {
  it('loads every field with its type', async () => {
    const c = await parseConfigYaml(REFERENCE_CONFIG);
    expect(c.username).toBe('alice');
    expect(c.domain).toBe('alice.test');
    expect(c.allow_tofu).toBe(true);
    expect(c.dns_host).toBeNull();
    expect(c.dns_port).toBe(5353);
    expect(c.dns_resolvers).toEqual(['1.1.1.1', '9.9.9.9:5353', '[2001:db8::1]:53']);
    // A quoted octal-looking salt stays text (unquoted it would be a YAML 1.1 integer).
    expect(c.kdf_salt).toBe('0123456701234567012345670123456701234567012345670123456701234567');
    expect(c.passphrase_file).toBe('~/.dmp/passphrase');
    expect(c.tsig_key_name).toBe('alice-e4b2248f-541308.alice.test.');
    expect(c.tsig_dns_port).toBe(5353);
    expect(c.local_node_dns_port).toBe(5353);
    expect([...c.contacts.keys()]).toEqual(['bob@bob.test', 'intro-0123456789ab']);
    expect(c.contacts.get('intro-0123456789ab')).toEqual({
      pub: '',
      spk: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      domain: 'carol.test',
      remote_username: 'carol',
    });
  });

  it('round-trips byte-for-byte', async () => {
    expect(configToYaml(await parseConfigYaml(REFERENCE_CONFIG))).toBe(REFERENCE_CONFIG);
  });

  it('fills defaults, migrates legacy contacts and drops unknown keys', async () => {
    const c = await parseConfigYaml(
      `username: dave\nfuture_field: 42\ncontacts:\n  erin: ${hexKey('12')}\n  frank:\n    pub: ${hexKey('34')}\ndns_resolvers: 8.8.8.8\n`,
    );
    expect(c.domain).toBe('mesh.local');
    expect(c.tsig_algorithm).toBe('hmac-sha256');
    expect(c.recv_secondary_interval_seconds).toBe(600);
    expect(c.dns_resolvers).toEqual(['8.8.8.8']);
    expect(c.contacts.get('erin')).toEqual({ pub: hexKey('12'), spk: '', domain: '' });
    expect(c.contacts.get('frank')).toEqual({
      pub: hexKey('34'),
      spk: '',
      domain: '',
      remote_username: '',
    });
    const text = configToYaml(c);
    expect(text).not.toContain('future_field');
    expect(text).toContain(`  erin:\n    domain: ''\n    pub: '${hexKey('12')}'\n    spk: ''\n`);
  });

  it('reads YAML 1.1 scalars as PyYAML does', async () => {
    const c = await parseConfigYaml(
      'allow_tofu: yes\ndnssec_required: Off\ndns_port: 0x35\ncluster_refresh_interval: 1_800\nusername: 0123\n',
    );
    expect(c.allow_tofu).toBe(true);
    expect(c.dnssec_required).toBe(false);
    expect(c.dns_port).toBe(53);
    expect(c.cluster_refresh_interval).toBe(1800);
    // In a string field the text is kept as written.
    expect(c.username).toBe('0123');
    expect((await parseConfigYaml('')).username).toBe('');
    expect((await parseConfigYaml('# only a comment\n')).domain).toBe('mesh.local');
  });

  it('rejects broken files with the line number', async () => {
    const bad: [string, number, RegExp][] = [
      ['username: a\ndns_port: lots\n', 2, /dns_port must be an integer/],
      ['username: a\nallow_tofu: maybe\n', 2, /allow_tofu must be true or false/],
      ['username: a\ndomain: b: c\n', 2, /./],
      ['username: a\nusername: b\n', 2, /unique/],
      ['- just\n- a list\n', 1, /must be a mapping/],
      ['contacts:\n  bob: [1, 2]\n', 2, /contact "bob" must be a mapping/],
    ];
    for (const [text, line, message] of bad) {
      let error: unknown;
      try {
        await parseConfigYaml(text);
      } catch (err) {
        error = err;
      }
      expect(error, text).toBeInstanceOf(ConfigSyntaxError);
      expect((error as ConfigSyntaxError).line, text).toBe(line);
      expect((error as ConfigSyntaxError).detail, text).toMatch(message);
    }
  });
});

describe('the CLI on a reference-written config', () => {
  it('reads it, and rewrites only what the command changes', async () => {
    const home = await makeCliHome();
    try {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(home.configHome, { recursive: true });
      await writeFile(home.configPath, REFERENCE_CONFIG);
      const list = await home.run(['contacts', 'list']);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain('bob@bob.test');
      expect(await home.readConfig()).toBe(REFERENCE_CONFIG);
      const add = await home.run([
        'contacts',
        'add',
        'zed',
        hexKey('ee'),
        '--signing-key',
        hexKey('ff'),
      ]);
      expect(add.code).toBe(0);
      const after = await home.readConfig();
      expect(after.replace(/ {2}zed:\n(?: {4}.*\n)+/, '')).toBe(REFERENCE_CONFIG);
      expect(after).toContain(
        `  zed:\n    domain: ''\n    pub: ${hexKey('ee')}\n    spk: ${hexKey('ff')}\n`,
      );
      expect(await home.mode(home.configPath)).toBe(0o600);
    } finally {
      await home.cleanup();
    }
  });

  it('a symlinked config.yaml is updated at its target, keeping the link', async () => {
    const home = await makeCliHome();
    try {
      const { lstat, mkdir, readFile, symlink } = await import('node:fs/promises');
      await mkdir(home.configHome, { recursive: true });
      const target = join(home.root, 'dotfiles-config.yaml');
      await writeFile(target, REFERENCE_CONFIG);
      await symlink(target, home.configPath);
      expect((await home.run(['contacts', 'remove', 'bob@bob.test'])).code).toBe(0);
      expect((await lstat(home.configPath)).isSymbolicLink()).toBe(true);
      expect(await readFile(target, 'utf8')).not.toContain('bob@bob.test');
    } finally {
      await home.cleanup();
    }
  });

  it('a corrupted config exits 1 naming the file and line, and is left alone', async () => {
    const home = await makeCliHome();
    try {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(home.configHome, { recursive: true });
      const broken = REFERENCE_CONFIG.replace('dns_port: 5353', 'dns_port: [5353');
      await writeFile(home.configPath, broken);
      for (const args of [
        ['contacts', 'list'],
        ['contacts', 'add', 'x', hexKey('aa')],
        ['identity', 'show'],
      ]) {
        const r = await home.run(args, { DMP_PASSPHRASE: 'x' });
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(
          new RegExp(`^dnsmesh: config file ${join(home.configPath)}:\\d+ is invalid`),
        );
        expect(r.stdout).toBe('');
      }
      expect(await home.readConfig()).toBe(broken);
      const typed = REFERENCE_CONFIG.replace('tsig_dns_port: 5353', 'tsig_dns_port: fifty');
      await writeFile(home.configPath, typed);
      const r = await home.run(['contacts', 'list']);
      expect(r.code).toBe(1);
      const line = typed.split('\n').findIndex((l) => l.startsWith('tsig_dns_port')) + 1;
      expect(r.stderr).toContain(
        `${home.configPath}:${line} is invalid (tsig_dns_port must be an integer`,
      );
    } finally {
      await home.cleanup();
    }
  });
});

describe('the fast config parser', () => {
  const tricky = [
    REFERENCE_CONFIG,
    'a: 1\n',
    "k: 'it''s'\nl: \"x\\u00e9\\ty\"\n",
    "contacts:\n  bob: abc\n  carol:\n    pub: x\n    spk: ''\n",
    "list:\n- a\n-\n- '[::1]:53'\nafter: b\n",
    'list:\n  - a\n  - b\n',
    'empty:\nnext: {}\nseq: []\n',
    '# comment\n\nkey: value with spaces   \n',
    'url: http://a.b:8053/x\nneg: -x\nq: a?b\n',
    '\'quoted key\': 1\n"dq": 2\n',
    '? complex\n: value\n',
    'key: value # comment\n',
    'key: [a, b]\n',
    'key: &anchor v\nother: *anchor\n',
    'key: >\n  folded\n',
    'key: long value\n  continued\n',
    'key:\tvalue\n',
    'a: 1\r\nb: 2\r\n',
    '---\na: 1\n',
    'a:\n  b: 1\n c: 2\n',
    '- x\n',
    'just text\n',
    'a: b: c\n',
    'a: 1\na: 2\n',
  ];
  it('agrees with the full parser whenever it accepts a document', async () => {
    for (const text of tricky) {
      const fast = parseFastYaml(text);
      if (fast === undefined) continue;
      expect(fast, JSON.stringify(text)).toEqual(await parseYamlTreeFull(text));
    }
  });
  it('takes the fast path for what the writer produces', () => {
    expect(parseFastYaml(REFERENCE_CONFIG)).toBeDefined();
    const c = defaultConfig();
    c.contacts.set("o'brien", {
      pub: hexKey('0a'),
      spk: '',
      domain: 'x.test',
      remote_username: 'Ob',
    });
    c.dns_resolvers = ['[2001:db8::1]:53', '1.1.1.1'];
    c.passphrase_file = '/home/me/my pass';
    c.username = 'José';
    expect(parseFastYaml(configToYaml(c))).toBeDefined();
  });
  it('leaves everything unusual to the full parser', () => {
    for (const text of tricky.slice(10))
      expect(parseFastYaml(text), JSON.stringify(text)).toBeUndefined();
  });
});

function havePyYaml(): boolean {
  const r = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' });
  return r.status === 0;
}

describe.skipIf(!havePyYaml())('writer output equals PyYAML safe_dump', () => {
  it('for arbitrary field and contact values', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.constantFrom(
        '',
        'yes',
        'null',
        '0123',
        '1e5',
        '3.0',
        '- x',
        'a: b',
        '#c',
        "it's",
        '~',
        '2024-01-01',
        'x'.repeat(130),
      ),
      fc
        .array(fc.constantFrom('word', ' ', "'", '"', ':', '#', '\n', '\t', 'é'), { maxLength: 60 })
        .map((a) => a.join('')),
    );
    const samples = fc.sample(
      fc.record({
        username: text,
        endpoint: text,
        token: fc.option(text),
        label: text,
        pub: text,
        resolvers: fc.array(text, { maxLength: 3 }),
      }),
      { numRuns: 300, seed: 7 },
    );
    const docs = samples.map((s) => {
      const c = defaultConfig();
      c.username = s.username;
      c.endpoint = s.endpoint;
      c.http_token = s.token;
      c.dns_resolvers = s.resolvers;
      c.contacts.set(s.label, {
        pub: s.pub,
        spk: '',
        domain: s.username,
        remote_username: s.endpoint,
      });
      return configToYaml(c);
    });
    const script =
      'import json,sys,yaml\n' +
      'docs=json.load(sys.stdin)\n' +
      'print(json.dumps([yaml.safe_dump(yaml.safe_load(d), sort_keys=True) for d in docs]))\n';
    const r = spawnSync('python3', ['-c', script], {
      input: JSON.stringify(docs),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const redumped: string[] = JSON.parse(r.stdout);
    for (const [i, doc] of docs.entries()) {
      expect(redumped[i], JSON.stringify(samples[i])).toBe(doc);
      const fast = parseFastYaml(doc);
      if (fast !== undefined) expect(fast).toEqual(await parseYamlTreeFull(doc));
      // And our reader reads our writer's output back to the same values.
      const back = await parseConfigYaml(doc);
      expect(back.username).toBe(samples[i]!.username);
      expect(back.http_token).toBe(samples[i]!.token);
      expect(back.contacts.has(samples[i]!.label)).toBe(true);
    }
  });
});
