/**
 * Scenario: an operator's first `dnsmesh-node key …` commands (issue 14).
 * Each once did the wrong thing without a word:
 *
 * - `dnsmesh-node --data-dir D key add alice` minted into ./dnsmesh-data,
 *   not D (options before the subcommand were dropped);
 * - `key add` on a name in use replaced the secret and widened the scope;
 * - `key add --scope` accepted suffixes outside the served zone;
 * - `key add > alice.key` left the secret in a file others may read.
 *
 * Every case runs the real bin from a scratch working directory and checks
 * the key store afterwards with the node's own store code.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openNodeStores } from '../../src/node/store/sqlite/node-stores.js';
import type { TsigKeyRecord } from '../../src/node/store/types.js';
import {
  cleanEnv,
  cleanup,
  type ExecResult,
  NODE_MAIN,
  parseBindKey,
  REPO,
  run,
  tempDir,
} from './harness.js';

const ZONE = 'mesh.test';
/** tsx by path: the bin runs from a scratch directory, where `--import tsx` would not resolve. */
const TSX = join(REPO, 'node_modules/tsx/dist/loader.mjs');

afterAll(cleanup);

/** `dnsmesh-node …args` with `cwd` as the working directory. */
function nodeBin(cwd: string, args: readonly string[]): Promise<ExecResult> {
  return run(process.execPath, ['--import', TSX, NODE_MAIN, ...args], {
    cwd,
    env: cleanEnv(),
    timeoutMs: 20_000,
  });
}

/** The active key `label.ZONE.` in the database of `dataDir`, read with the node's store. */
function storedKey(dataDir: string, label: string): TsigKeyRecord | undefined {
  const stores = openNodeStores(join(dataDir, 'dnsmesh.db'));
  try {
    return stores.tsigKeys.getActive(`${label}.${ZONE}.`, Math.floor(Date.now() / 1000));
  } finally {
    stores.close();
  }
}

const base64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

describe('options before the subcommand apply to it', () => {
  it('--data-dir and --zone before `key add` mint into that directory, not ./dnsmesh-data', async () => {
    const cwd = await tempDir('dnsmesh-cwd-');
    const dataDir = await tempDir('dnsmesh-data-');
    const r = await nodeBin(cwd, ['--data-dir', dataDir, '--zone', ZONE, 'key', 'add', 'alice']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(parseBindKey(r.stdout).name).toBe(`alice.${ZONE}.`);
    expect(existsSync(join(cwd, 'dnsmesh-data'))).toBe(false);
    expect(base64(storedKey(dataDir, 'alice')!.secret)).toBe(base64(parseBindKey(r.stdout).secret));
    // The same for `key list` and `key revoke`, and on the `key` group itself.
    const list = await nodeBin(cwd, ['--data-dir', dataDir, '--zone', ZONE, 'key', 'list']);
    expect(list.stdout).toContain(`alice.${ZONE}.`);
    const revoke = await nodeBin(cwd, [
      'key',
      '--data-dir',
      dataDir,
      '--zone',
      ZONE,
      'revoke',
      'alice',
    ]);
    expect(revoke.code).toBe(0);
    expect(storedKey(dataDir, 'alice')).toBeUndefined();
    expect(existsSync(join(cwd, 'dnsmesh-data'))).toBe(false);
  });

  it('--config before `key add` supplies the zone and the data directory', async () => {
    const cwd = await tempDir('dnsmesh-cwd-');
    const dataDir = await tempDir('dnsmesh-data-');
    const config = join(cwd, 'node.yaml');
    await writeFile(config, `zone: ${ZONE}\ndataDir: ${dataDir}\n`);
    const r = await nodeBin(cwd, ['--config', config, 'key', 'add', 'bob']);
    expect(r.code).toBe(0);
    expect(storedKey(dataDir, 'bob')).toBeDefined();
    expect(existsSync(join(cwd, 'dnsmesh-data'))).toBe(false);
  });
});

describe('key add never replaces a key silently', () => {
  it('refuses an existing name without --force, naming it; nothing changes', async () => {
    const cwd = await tempDir('dnsmesh-cwd-');
    const state = ['--data-dir', join(cwd, 'state'), '--zone', ZONE];
    const first = await nodeBin(cwd, ['key', 'add', 'alice', '--scope', `inbox.${ZONE}`, ...state]);
    expect(first.code).toBe(0);
    const before = storedKey(join(cwd, 'state'), 'alice')!;

    const again = await nodeBin(cwd, ['key', 'add', 'alice', ...state]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/^dnsmesh-node: key alice\.mesh\.test\. already exists/);
    expect(again.stderr).toContain('--force');
    const after = storedKey(join(cwd, 'state'), 'alice')!;
    expect(base64(after.secret)).toBe(base64(before.secret));
    expect(after.allowedSuffixes).toEqual([`inbox.${ZONE}`]);

    const forced = await nodeBin(cwd, ['key', 'add', 'alice', '--force', ...state]);
    expect(forced.code).toBe(0);
    const replaced = storedKey(join(cwd, 'state'), 'alice')!;
    expect(base64(replaced.secret)).toBe(base64(parseBindKey(forced.stdout).secret));
    expect(base64(replaced.secret)).not.toBe(base64(before.secret));
    expect(replaced.allowedSuffixes).toEqual([ZONE]);
  });
});

describe('key add --scope stays inside the served zone', () => {
  it('refuses suffixes outside the zone, naming it, and creates nothing', async () => {
    const cwd = await tempDir('dnsmesh-cwd-');
    const dataDir = join(cwd, 'state');
    for (const scope of ['example.com', 'test', '*.test', 'other-mesh.test', `*${ZONE}`, '*']) {
      const r = await nodeBin(cwd, [
        'key',
        'add',
        'eve',
        '--scope',
        scope,
        '--data-dir',
        dataDir,
        '--zone',
        ZONE,
      ]);
      expect(r.code, scope).toBe(1);
      expect(r.stderr, scope).toContain(`is outside the served zone ${ZONE}`);
      expect(r.stdout, scope).toBe('');
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('accepts the zone, names below it and * in labels left of it (normalised)', async () => {
    const cwd = await tempDir('dnsmesh-cwd-');
    const dataDir = join(cwd, 'state');
    const r = await nodeBin(cwd, [
      'key',
      'add',
      'slots',
      '--scope',
      `slot-*.MB-*.${ZONE}.`,
      '--scope',
      `_dnsmesh-claim-*.${ZONE}`,
      '--scope',
      ZONE,
      '--data-dir',
      dataDir,
      '--zone',
      ZONE,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect([...storedKey(dataDir, 'slots')!.allowedSuffixes].sort()).toEqual([
      `_dnsmesh-claim-*.${ZONE}`,
      ZONE,
      `slot-*.mb-*.${ZONE}`,
    ]);
  });
});

describe('key add --out writes the secret owner-only', () => {
  it('creates FILE with mode 0600 and prints no secret', async () => {
    const cwd = await tempDir('dnsmesh-cwd-');
    const state = ['--data-dir', join(cwd, 'state'), '--zone', ZONE];
    const r = await nodeBin(cwd, ['key', 'add', 'alice', '--out', 'alice.key', ...state]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote key alice.${ZONE}. to alice.key (mode 0600)\n`);
    const file = join(cwd, 'alice.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const key = parseBindKey(await readFile(file, 'utf8'));
    expect(key.name).toBe(`alice.${ZONE}.`);
    expect(base64(storedKey(join(cwd, 'state'), 'alice')!.secret)).toBe(base64(key.secret));
  });

  it('refuses an existing FILE without --force before minting; --force replaces it 0600', async () => {
    const cwd = await tempDir('dnsmesh-cwd-');
    const state = ['--data-dir', join(cwd, 'state'), '--zone', ZONE];
    const file = join(cwd, 'bob.key');
    await writeFile(file, 'precious\n');
    await chmod(file, 0o644);
    const r = await nodeBin(cwd, ['key', 'add', 'bob', '--out', file, ...state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `dnsmesh-node: --out ${file} already exists; pass --force to overwrite it\n`,
    );
    expect(await readFile(file, 'utf8')).toBe('precious\n');
    expect(existsSync(join(cwd, 'state'))).toBe(false);

    const forced = await nodeBin(cwd, ['key', 'add', 'bob', '--out', file, '--force', ...state]);
    expect(forced.code).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(parseBindKey(await readFile(file, 'utf8')).name).toBe(`bob.${ZONE}.`);
  });

  it('warns when stdout is a file others can read (key add > alice.key)', async () => {
    const cwd = await tempDir('dnsmesh-cwd-');
    const file = join(cwd, 'alice.key');
    const fd = openSync(file, 'w', 0o644);
    await chmod(file, 0o644);
    const stderr = await new Promise<string>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          TSX,
          NODE_MAIN,
          'key',
          'add',
          'alice',
          '--data-dir',
          join(cwd, 'state'),
          '--zone',
          ZONE,
        ],
        { cwd, env: cleanEnv(), stdio: ['ignore', fd, 'pipe'] },
      );
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      let err = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        err += d;
      });
      child.on('close', () => {
        clearTimeout(timer);
        resolve(err);
      });
    });
    closeSync(fd);
    expect(stderr).toContain('stdout is a file with mode 0644');
    expect(stderr).toContain('--out FILE');
    expect(parseBindKey(await readFile(file, 'utf8')).name).toBe(`alice.${ZONE}.`);
  });

  it('the help names --out and --force', async () => {
    const cwd = await tempDir('dnsmesh-cwd-');
    const r = await nodeBin(cwd, ['key', 'add', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--out <file>');
    expect(r.stdout).toContain('--force');
    expect(r.stdout).toMatch(/0600/);
  });
});
