/**
 * Scenario: `dnsmesh send` as people and scripts use it (issue 14, "first
 * run"). `send bob -` takes the message from stdin — piped, or typed on a
 * terminal and ended with Ctrl-D — without its final line break. An empty
 * message (an empty argument, white space only, empty stdin, Ctrl-D before
 * anything was typed) is refused with exit 1 and nothing published. An
 * endless stdin (`yes |`) is refused once it passes the largest message the
 * protocol can carry, instead of being read into memory. The summary line
 * names the contact's address, the size and chunk count, and the
 * first-contact pointer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_TS,
  type CliUser,
  type MeshNode,
  makeUser,
  onTty,
  recvJson,
  setupUser,
  startMeshNode,
  storeFingerprint,
} from './cli-harness.js';
import { cleanEnv, cleanup, type ExecResult, run } from './harness.js';

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

describe('cli-send-reads-stdin-refuses-empty', () => {
  let node: MeshNode;
  let alice: CliUser;
  let bob: CliUser;

  const argv = (user: CliUser, args: readonly string[]) => [
    '--import',
    'tsx',
    CLI_TS,
    '--config-home',
    user.configHome,
    ...args,
  ];
  /** `dnsmesh send …` for alice with `input` on stdin (a pipe). */
  const sendWithStdin = (args: readonly string[], input: string): Promise<ExecResult> =>
    run(process.execPath, argv(alice, ['send', ...args]), {
      env: cleanEnv(alice.env),
      input,
      timeoutMs: 30_000,
    });

  beforeAll(async () => {
    node = await startMeshNode('mesh.test');
    [alice, bob] = await Promise.all([makeUser('alice'), makeUser('bob')]);
    await Promise.all([setupUser(alice, node), setupUser(bob, node)]);
    await alice.ok(['identity', 'fetch', 'bob', '--add']);
    await bob.ok(['identity', 'fetch', 'alice', '--add']);
  });
  afterAll(cleanup);

  it('send bob - reads the piped message, without its final line break', async () => {
    const one = await sendWithStdin(['bob', '-'], 'hello from a pipe\n');
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(
      /^sent to bob \(bob@mesh\.test\) — 17 bytes in \d+ chunks; first-contact pointer published at 1\/1 provider\n$/,
    );
    const two = await sendWithStdin(['bob', '-'], 'line one\n  line two\r\n');
    expect(two.code, two.stderr).toBe(0);
    const { messages } = await recvJson(bob);
    expect(messages.map((m) => m.text).sort()).toEqual([
      'hello from a pipe',
      'line one\n  line two',
    ]);
  });

  it('an empty message is refused with exit 1 and nothing is published', async () => {
    const before = storeFingerprint(node);
    for (const [args, input, where] of [
      [['bob', ''], '', 'argument'],
      [['bob', ' \t '], '', 'argument'],
      [['bob', '-'], '', 'on stdin'],
      [['bob', '-'], '\n\n', 'on stdin'],
    ] as const) {
      const r = await sendWithStdin(args, input);
      expect(r.code, `${JSON.stringify(args)} ${JSON.stringify(input)}`).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `dnsmesh: nothing to send: the message ${where} is empty — write it as the argument ` +
          '(`dnsmesh send bob "hello"`) or pipe it in (`… | dnsmesh send bob -`)\n',
      );
    }
    expect(storeFingerprint(node)).toEqual(before);
  });

  it('an endless stdin is refused past the largest message, not read into memory', async () => {
    const before = storeFingerprint(node);
    const cli = [process.execPath, ...argv(alice, ['send', 'bob', '-'])].map(shellQuote).join(' ');
    const started = performance.now();
    const r = await run('bash', ['-c', `yes 'all work and no play' | ${cli}`], {
      env: cleanEnv(alice.env),
      timeoutMs: 30_000,
    });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^dnsmesh: the message on stdin is longer than \d{2},\d{3} bytes, the most one DMP message can carry \(3,\d{3} bytes through a node with the default value cap\) — send it in parts\n$/,
    );
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(storeFingerprint(node)).toEqual(before);
  });

  it('on a terminal: typed and ended with Ctrl-D is sent; Ctrl-D alone is refused', async () => {
    const typed = await onTty(alice, ['send', 'bob', '-'], 'typed at a terminal\n\x04');
    expect(typed.code, typed.stdout).toBe(0);
    expect(typed.stdout).toContain('Type your message; end it with Ctrl-D at the start of a line.');
    expect(typed.stdout).toMatch(/sent to bob \(bob@mesh\.test\) — 19 bytes in \d+ chunks/);
    expect((await recvJson(bob)).messages.map((m) => m.text)).toEqual(['typed at a terminal']);

    const nothing = await onTty(alice, ['send', 'bob', '-'], '\x04');
    expect(nothing.code, nothing.stdout).toBe(1);
    expect(nothing.stdout).toContain('dnsmesh: nothing to send: the message on stdin is empty');
  });
});
