/**
 * Scenario: output piped into a reader that stops early (issue 14, "| head
 * must not crash"). `head -1` reads one line and exits, `head -0` reads
 * nothing; the next write of the CLI fails with EPIPE. Both bins must end
 * quietly there — exit 0 or 141 (128 + SIGPIPE, what the shell reports for
 * `cat` or `git` cut short), nothing on stderr — instead of Node's
 * "Unhandled 'error' event" stack trace. The output of the long cases is
 * larger than a pipe's 64 KiB buffer, so the write that fails is certain,
 * not a race with the reader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_TS,
  type CliUser,
  type MeshNode,
  makeUser,
  setupUser,
  startMeshNode,
} from './cli-harness.js';
import { cleanEnv, cleanup, NODE_MAIN, run } from './harness.js';

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
const cliArgv = (user: CliUser | undefined, args: readonly string[]) => [
  process.execPath,
  '--import',
  'tsx',
  CLI_TS,
  ...(user ? ['--config-home', user.configHome] : []),
  ...args,
];

/**
 * Runs `argv | head -<lines>` in bash; returns what head printed, the
 * writer's exit status (PIPESTATUS[0]) and the writer's stderr.
 */
async function intoHead(
  argv: readonly string[],
  lines: number,
  env: NodeJS.ProcessEnv,
): Promise<{ shown: string; status: number; stderr: string }> {
  const script = `${argv.map(shellQuote).join(' ')} | head -${lines}; echo "status=\${PIPESTATUS[0]}"`;
  const r = await run('bash', ['-c', script], { env, timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(0);
  const m = /status=(\d+)\n$/.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  return { shown: r.stdout.slice(0, m!.index), status: Number(m![1]), stderr: r.stderr };
}

function expectQuiet(r: { status: number; stderr: string }): void {
  expect(r.stderr).not.toMatch(/EPIPE|Unhandled|Error|node:/);
  expect(r.stderr).toBe('');
  expect([0, 141]).toContain(r.status);
}

describe('cli-broken-pipe-exits-quietly', () => {
  let node: MeshNode;
  let alice: CliUser;
  let bob: CliUser;

  beforeAll(async () => {
    // Bob reads a few hundred chunk names at once: no query rate limit in the way.
    node = await startMeshNode('mesh.test', { env: { DMP_DNS_RATE: '0', DMP_DNS_BURST: '0' } });
    [alice, bob] = await Promise.all([makeUser('alice'), makeUser('bob')]);
    await Promise.all([setupUser(alice, node), setupUser(bob, node)]);
    await alice.ok(['identity', 'fetch', 'bob', '--add']);
    await bob.ok(['identity', 'fetch', 'alice', '--add']);
  });
  afterAll(cleanup);

  it('contacts list | head -0 and | head -1 with 3,000 contacts', async () => {
    await alice.editConfig((c) => {
      for (let i = 0; i < 3000; i++) {
        c.contacts.set(`friend-${String(i).padStart(4, '0')}`, {
          pub: 'ab'.repeat(32),
          spk: '',
          domain: '',
        });
      }
    });
    const env = cleanEnv(alice.env);
    const none = await intoHead(cliArgv(alice, ['contacts', 'list']), 0, env);
    expectQuiet(none);
    expect(none.shown).toBe('');
    const one = await intoHead(cliArgv(alice, ['contacts', 'list']), 1, env);
    expectQuiet(one);
    expect(one.shown).toMatch(/^bob +[0-9a-f]{64} {2}\(pinned\)\n$/);
  });

  it('dnsmesh --help and dnsmesh-node --help into head', async () => {
    const env = cleanEnv();
    for (const lines of [0, 1]) {
      const cli = await intoHead(cliArgv(undefined, ['--help']), lines, env);
      expectQuiet(cli);
      expect(cli.shown).toBe(lines === 0 ? '' : 'Usage: dnsmesh [options] [command]\n');
      const daemon = await intoHead(
        [process.execPath, '--import', 'tsx', NODE_MAIN, '--help'],
        lines,
        env,
      );
      expectQuiet(daemon);
      expect(daemon.shown).toBe(lines === 0 ? '' : 'Usage: dnsmesh-node [options] [command]\n');
    }
  });

  it('a long recv into head -1 shows its first line and ends quietly', async () => {
    // 20 messages of 1,200 short lines: about 120 KB of recv output.
    const body = 'ab\n'.repeat(1199) + 'end';
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        [0, 1, 2, 3].map((i) => alice.ok(['send', 'bob', `message ${round * 4 + i}\n${body}`])),
      );
    }
    const r = await intoHead(cliArgv(bob, ['recv']), 1, cleanEnv(bob.env));
    expectQuiet(r);
    expect(r.shown).toMatch(/^from /);
  });
});
