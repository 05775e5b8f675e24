/**
 * Scenario: the bins as `npm run build` ships them. Every other CLI test runs
 * the sources through tsx; this one bundles the bins (scripts/build-bins.ts)
 * and drives the README walk-through with nothing but the bundles: a
 * `dnsmesh-node` started from `node-main.js`, and two users whose every
 * command runs `main.js` — init, tsig register, identity publish, identity
 * fetch --add, send, recv. That covers what only the bundles do: the
 * daemon loaded as a separate bundle (also through `dnsmesh node`),
 * better-sqlite3's addon required directly, the native crypto provider as
 * the protocol's default, and the externals (`@node-rs/argon2`, `uqr`)
 * resolved at run time.
 *
 * The bundles go to a temporary directory inside node_modules/.cache, so
 * their runtime `require`s resolve against this checkout's node_modules.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBins } from '../../scripts/build-bins.js';
import {
  type CliUser,
  type MeshNode,
  makeUser,
  meshNodeEnv,
  recvJson,
  setupUser,
} from './cli-harness.js';
import { cleanEnv, cleanup, REPO, run, startNode } from './harness.js';

const ZONE = 'mesh.test';

describe('cli-bundle', () => {
  let out: string;
  let node: MeshNode;
  let alice: CliUser;
  let bob: CliUser;

  /** Runs `main.js` of the bundle as the CLI would run it for this user. */
  const bundled = (user: CliUser): CliUser => {
    user.cli = async (args, options = {}) => {
      const start = performance.now();
      const r = await run(
        process.execPath,
        [join(out, 'main.js'), '--config-home', user.configHome, ...args],
        { env: { ...cleanEnv(user.env), ...options.env }, timeoutMs: options.timeoutMs ?? 30_000 },
      );
      return { ...r, ms: performance.now() - start };
    };
    return user;
  };

  beforeAll(async () => {
    const cache = join(REPO, 'node_modules', '.cache');
    await mkdir(cache, { recursive: true });
    out = await mkdtemp(join(cache, 'dnsmesh-bins-'));
    await buildBins(out);
    const started = await startNode({
      zone: ZONE,
      http: true,
      env: meshNodeEnv(ZONE),
      main: join(out, 'node-main.js'),
    });
    const httpPort = started.httpPort!;
    node = { ...started, httpPort, endpoint: `http://127.0.0.1:${httpPort}` };
    [alice, bob] = await Promise.all([makeUser('alice'), makeUser('bob')]).then((us) =>
      us.map(bundled),
    );
  });

  afterAll(async () => {
    await cleanup();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('writes CommonJS bins that carry no pure-JS crypto', async () => {
    expect(JSON.parse(await readFile(join(out, 'package.json'), 'utf8'))).toEqual({
      type: 'commonjs',
    });
    const main = await readFile(join(out, 'main.js'), 'utf8');
    expect(main.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(main).not.toMatch(/@noble|hash-wasm/);
    // The daemon is a separate bundle, required only by `dnsmesh node`.
    expect(main).toContain('require("./node-program.js")');
    expect(main).not.toContain('prom-client');
  });

  it('runs the README walk-through: two users exchange a message', async () => {
    for (const user of [alice, bob]) await setupUser(user, node);
    await alice.ok(['identity', 'fetch', 'bob', '--add']);
    await bob.ok(['identity', 'fetch', 'alice', '--add']);
    const sent = await alice.ok(['send', 'bob', 'hello bob, from the bundle']);
    expect(sent.stdout).toMatch(
      /^sent to bob \(bob@mesh\.test\) — 26 bytes in \d+ chunks; first-contact pointer published at 1\/1 provider\n$/,
    );
    const got = await recvJson(bob);
    expect(got.messages.map((m) => m.text)).toEqual(['hello bob, from the bundle']);
    // Local state (better-sqlite3) remembers it: a second recv delivers nothing.
    expect((await recvJson(bob)).messages).toEqual([]);
  });

  it('draws the fingerprint QR code through the external uqr', async () => {
    const show = await alice.ok(['identity', 'show', '--qr']);
    expect(show.stdout).toContain('▀');
  });

  it('prints the package version from both bundles (no package.json beside them)', async () => {
    const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const [file, args] of [
      ['main.js', ['--version']],
      ['node-main.js', ['--version']],
      ['main.js', ['node', '--version']],
      ['node-admin-main.js', ['--version']],
    ] as const) {
      const r = await run(process.execPath, [join(out, file), ...args], { env: cleanEnv() });
      expect(r, `${file} ${args.join(' ')}`).toMatchObject({ code: 0, stdout: `${version}\n` });
    }
  });

  it('issues a token with the dnsmesh-node-admin bundle that writes through the node', async () => {
    const admin = await readFile(join(out, 'node-admin-main.js'), 'utf8');
    expect(admin).toContain('require("./node-program.js")');
    const issued = await run(
      process.execPath,
      [
        join(out, 'node-admin-main.js'),
        '--db',
        node.dbPath,
        'token',
        'issue',
        `carol@${ZONE}`,
        '--json',
      ],
      { env: cleanEnv() },
    );
    expect(issued, issued.stderr).toMatchObject({ code: 0 });
    const { token } = JSON.parse(issued.stdout) as { token: string };
    const res = await fetch(`${node.endpoint}/v1/records/dmp.carol.${ZONE}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'v=dmp1;t=test', ttl: 60 }),
    });
    expect(res.status).toBe(201);
  });

  it('runs the daemon through `dnsmesh node`', async () => {
    const help = await alice.ok(['node', '--help']);
    expect(help.stdout).toMatch(/^Usage: dnsmesh-node /);
  });
});
