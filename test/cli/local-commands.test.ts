/**
 * The local-only flow through the real CLI: init → identity show (text and
 * JSON) → contacts add / list / remove, plus file permissions and the
 * user-error paths that must leave config.yaml byte-for-byte unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHome, hexKey, makeCliHome } from './harness.js';

const PASS = { DMP_PASSPHRASE: 'correct horse battery staple' };

describe('dnsmesh local commands', () => {
  let home: CliHome;
  beforeAll(async () => {
    home = await makeCliHome();
  });
  afterAll(async () => {
    await home.cleanup();
  });

  it('init writes a private config with a fresh salt and the default resolvers', async () => {
    const r = await home.run(['init', 'alice@mesh.test', '--no-probe-local-dns']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote config to ${home.configPath}`);
    const text = await home.readConfig();
    expect(text).toMatch(/^username: alice$/m);
    expect(text).toMatch(/^domain: mesh\.test$/m);
    expect(text).toMatch(/^kdf_salt: [0-9a-f]{64}$/m);
    expect(text).toContain('dns_resolvers:\n- 1.1.1.1\n- 8.8.8.8\n');
    expect(text).toMatch(/^verify_pubkey: ''$/m);
    expect(await home.mode(home.configPath)).toBe(0o600);
    expect(await home.mode(home.configHome)).toBe(0o700);
  });

  it('init refuses to overwrite without --force and changes nothing', async () => {
    const before = await home.readConfig();
    const r = await home.run(['init', 'mallory', '--no-probe-local-dns']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dnsmesh: config already exists at .*--force/);
    expect(await home.readConfig()).toBe(before);
  });

  let show: Record<string, string>;
  it('identity show --json prints the derived keys and records verify_pubkey', async () => {
    const r = await home.run(['identity', 'show', '--json'], PASS);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    show = JSON.parse(r.stdout);
    expect(show.username).toBe('alice');
    expect(show.domain).toBe('mesh.test');
    for (const k of ['public_key', 'signing_public_key', 'user_id']) {
      expect(show[k]).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(show.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const text = await home.readConfig();
    expect(text).toContain(`verify_pubkey: ${show.signing_public_key}\n`);
  });

  it('identity show prints key: value lines, the same identity every time', async () => {
    const r = await home.run(['identity', 'show'], PASS);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 6)).toEqual([
      'username: alice',
      'domain: mesh.test',
      `public_key: ${show.public_key}`,
      `signing_public_key: ${show.signing_public_key}`,
      `user_id: ${show.user_id}`,
      `fingerprint: ${show.fingerprint}`,
    ]);
    // Not a terminal: no QR code unless asked for.
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('identity show --qr draws the fingerprint as a QR code (when uqr is installed)', async () => {
    const r = await home.run(['identity', 'show', '--qr'], PASS);
    expect(r.code).toBe(0);
    let haveUqr = true;
    try {
      await import(/* @vite-ignore */ ['u', 'q', 'r'].join(''));
    } catch {
      haveUqr = false;
    }
    if (haveUqr) {
      expect(r.stdout).toContain('▀');
      expect(r.stdout).toContain(
        `  fingerprint ${show.fingerprint!.replace(/(.{4})(?=.)/g, '$1 ')}\n`,
      );
    } else {
      expect(r.stderr).toContain('QR code unavailable');
    }
  });

  it('reads the passphrase from --passphrase-file and from config passphrase_file', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = `${home.root}/pass.txt`;
    await writeFile(file, `${PASS.DMP_PASSPHRASE}\n`, { mode: 0o600 });
    const r = await home.run(['--passphrase-file', file, 'identity', 'show', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).signing_public_key).toBe(show.signing_public_key);
    const missing = await home.run(['--passphrase-file', `${file}.nope`, 'identity', 'show']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^dnsmesh: passphrase file .*does not exist/);
  });

  it('without any passphrase source and no terminal, fails cleanly instead of hanging', async () => {
    const r = await home.run(['identity', 'show']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dnsmesh: no passphrase available and stdin is not a terminal/);
  });

  it('contacts add / list / remove', async () => {
    const empty = await home.run(['contacts', 'list']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/^\(no contacts yet/);

    const bob = await home.run([
      'contacts',
      'add',
      'bob',
      hexKey('AB'),
      '--signing-key',
      hexKey('cd'),
    ]);
    expect(bob.code).toBe(0);
    expect(bob.stdout).toBe('added contact bob (signing key pinned)\n');
    expect(bob.stderr).toBe('');

    const carol = await home.run(['contacts', 'add', 'carol', hexKey('01')]);
    expect(carol.code).toBe(0);
    expect(carol.stderr).toContain('no pinned Ed25519 signing key');

    const list = await home.run(['contacts', 'list']);
    expect(list.stdout).toBe(
      `bob    ${hexKey('ab')}  (pinned)\ncarol  ${hexKey('01')}  (UNPINNED)\n`,
    );
    const json = await home.run(['contacts', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        label: 'bob',
        pub: hexKey('ab'),
        spk: hexKey('cd'),
        domain: '',
        remote_username: '',
        pinned: true,
      },
      {
        label: 'carol',
        pub: hexKey('01'),
        spk: '',
        domain: '',
        remote_username: '',
        pinned: false,
      },
    ]);
    const text = await home.readConfig();
    expect(text).toContain(
      // As the reference: contacts loaded from the file gain `remote_username`, and an
      // all-digit key is quoted because YAML 1.1 would read it as an integer.
      `contacts:\n  bob:\n    domain: ''\n    pub: ${hexKey('ab')}\n    remote_username: ''\n    spk: ${hexKey('cd')}\n  carol:\n    domain: ''\n    pub: '${hexKey('01')}'\n    spk: ''\n`,
    );

    const removed = await home.run(['contacts', 'remove', 'carol']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe('removed contact carol\n');
    expect(await home.readConfig()).not.toContain('carol');
  });

  it('bad contact input exits 1 and leaves the config untouched', async () => {
    const before = await home.readConfig();
    const cases: [string[], RegExp][] = [
      [['contacts', 'add', 'eve', 'abcd'], /public key \(X25519\) must be 32 bytes/],
      [['contacts', 'add', 'eve', hexKey('zz')], /must be 32 bytes/],
      [
        ['contacts', 'add', 'eve', hexKey('01'), '--signing-key', '12'],
        /--signing-key \(Ed25519\)/,
      ],
      [['contacts', 'remove', 'nobody'], /unknown contact `nobody`/],
    ];
    for (const [args, message] of cases) {
      const r = await home.run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^dnsmesh: /);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect(await home.readConfig()).toBe(before);
  });

  it('usage errors exit 2 with a dnsmesh: message', async () => {
    const before = await home.readConfig();
    for (const args of [
      ['contacts', 'add', 'only-one-arg'],
      ['frobnicate'],
      ['identity', 'show', '--bogus'],
    ]) {
      const r = await home.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^dnsmesh: /);
    }
    const groupOnly = await home.run(['contacts']);
    expect(groupOnly.code).toBe(2);
    expect(await home.readConfig()).toBe(before);
  });

  it('--help exits 0 and lists the commands', async () => {
    const r = await home.runRaw(['--help']);
    expect(r.code).toBe(0);
    for (const verb of [
      'init',
      'identity',
      'contacts',
      'send',
      'recv',
      'intro',
      'doctor',
      'register',
      'tsig',
      'resolvers',
    ]) {
      expect(r.stdout).toContain(verb);
    }
  });

  it('resolvers list shows the configured pool', async () => {
    const r = await home.run(['resolvers', 'list']);
    expect(r.stdout).toBe('1.1.1.1\n8.8.8.8\n');
    const json = await home.run(['resolvers', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(['1.1.1.1', '8.8.8.8']);
  });
});

describe('dnsmesh without a config', () => {
  it('every config-reading command exits 1 with the init hint', async () => {
    const home = await makeCliHome();
    try {
      for (const args of [
        ['identity', 'show'],
        ['contacts', 'list'],
        ['resolvers', 'list'],
        ['doctor'],
      ]) {
        const r = await home.run(args, PASS);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toBe(
          `dnsmesh: no config at ${home.configPath} — run \`dnsmesh init <username>\` first\n`,
        );
      }
    } finally {
      await home.cleanup();
    }
  });

  it('init validates --dns-resolvers and writes nothing on error', async () => {
    const home = await makeCliHome();
    try {
      const bad = await home.run([
        'init',
        'bob',
        '--dns-resolvers',
        'dns.google',
        '--no-probe-local-dns',
      ]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^dnsmesh: invalid --dns-resolvers: .*hostnames are not accepted/);
      await expect(home.readConfig()).rejects.toThrow();
      const ok = await home.run([
        'init',
        'bob',
        '--dns-resolvers',
        ' 9.9.9.9 ,1.1.1.1:5353,[2001:db8::1]:53,2001:db8::2',
        '--endpoint',
        'node.example/',
        '--no-probe-local-dns',
      ]);
      expect(ok.code).toBe(0);
      const text = await home.readConfig();
      expect(text).toContain(
        "dns_resolvers:\n- 9.9.9.9\n- 1.1.1.1:5353\n- '[2001:db8::1]:53'\n- 2001:db8::2\n",
      );
      expect(text).toMatch(/^endpoint: https:\/\/node\.example$/m);
    } finally {
      await home.cleanup();
    }
  });
});
