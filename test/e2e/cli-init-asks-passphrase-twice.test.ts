/**
 * Scenario: choosing the passphrase at `init` on a terminal (issue 14: a
 * typo at the first prompt used to become the identity for good). `init`
 * asks twice; a mismatch writes nothing; a match records the key it
 * derives, so the next command with the same passphrase unlocks and a
 * typo is refused; a weak passphrase is warned about. The non-interactive
 * sources keep working without a prompt.
 */
import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { afterAll, expect, it } from 'vitest';
import { parseConfigYaml } from '../../src/cli/config/yaml-read.js';
import { CLI_TS, type CliUser, makeUser } from './cli-harness.js';
import { cleanEnv, cleanup, describeWith } from './harness.js';

const PROMPTS = [/Choose a passphrase for \S+: $/, /Repeat it: $/];

/**
 * `dnsmesh …args` on a pseudo-terminal, typing each answer only once its
 * prompt is on the screen (as a person does: type-ahead would be echoed by
 * the terminal before the CLI turns echo off). Bounded at 30 s.
 */
function typeAtPrompts(
  user: CliUser,
  args: readonly string[],
  answers: readonly string[],
): Promise<{ code: number | null; screen: string }> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const argv = [process.execPath, '--import', 'tsx', CLI_TS, '--config-home', user.configHome];
  const command = [...argv, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: cleanEnv(user.env) });
  let screen = '';
  let next = 0;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    screen += d;
    if (next < answers.length && PROMPTS.some((p) => p.test(screen))) {
      child.stdin.write(`${answers[next++]}\r`);
      screen += '\n';
    }
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

const GOOD = 'tulip orbit canyon mellow';

async function interactiveUser(name: string): Promise<CliUser> {
  const user = await makeUser(name);
  delete (user.env as Record<string, string>).DMP_PASSPHRASE;
  return user;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describeWith(['script'], 'cli-init-asks-passphrase-twice', () => {
  afterAll(cleanup);

  it('a mismatch between the two entries writes nothing', async () => {
    const user = await interactiveUser('dora');
    const r = await typeAtPrompts(
      user,
      ['init', 'dora', '--no-probe-local-dns'],
      [GOOD, 'something else'],
    );
    expect(r.code).toBe(1);
    expect(r.screen).toContain('Choose a passphrase for dora:');
    expect(r.screen).toContain('Repeat it:');
    expect(r.screen).toContain('the two passphrases differ — nothing was written');
    expect(r.screen).not.toContain(GOOD);
    expect(await exists(user.configPath)).toBe(false);
  });

  it('a match records the identity it derives; a later typo is refused', async () => {
    const user = await interactiveUser('erin');
    const r = await typeAtPrompts(user, ['init', 'erin', '--no-probe-local-dns'], [GOOD, GOOD]);
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).not.toContain(GOOD);
    expect(r.screen).not.toMatch(/weak/);
    const config = await parseConfigYaml(await readFile(user.configPath, 'utf8'));
    expect(config.verify_pubkey).toMatch(/^[0-9a-f]{64}$/);
    const show = await user.cli(['identity', 'show', '--json'], { env: { DMP_PASSPHRASE: GOOD } });
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout).signing_public_key).toBe(config.verify_pubkey);
    const typo = await user.cli(['identity', 'show'], { env: { DMP_PASSPHRASE: `${GOOD}s` } });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/passphrase mismatch/);
  });

  it('warns about a weak passphrase, and still lets the user choose it', async () => {
    const user = await interactiveUser('fay');
    const r = await typeAtPrompts(
      user,
      ['init', 'fay', '--no-probe-local-dns'],
      ['fay123', 'fay123'],
    );
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toMatch(/warning: this passphrase is weak \(it contains your username\)/);
    expect(await exists(user.configPath)).toBe(true);
  });

  it('DMP_PASSPHRASE still sets it without a prompt, and records it', async () => {
    const user = await makeUser('gus');
    const r = await user.cli(['init', 'gus', '--no-probe-local-dns']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('Choose a passphrase');
    const config = await parseConfigYaml(await readFile(user.configPath, 'utf8'));
    const show = JSON.parse((await user.ok(['identity', 'show', '--json'])).stdout);
    expect(config.verify_pubkey).toBe(show.signing_public_key);
  });
});
