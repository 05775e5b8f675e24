/**
 * Scenario: an operator's first YAML configuration file (issue 14). YAML
 * reads `enabled: "false"` as a string, which once counted as true (the
 * node served HTTP it was told not to); `hosts: 127.0.0.1` was split into
 * characters; a misspelt key was ignored. The node now refuses such a file
 * at start, one line per problem naming the file, the key, the type it
 * needs and the value, and a well-typed file starts it as written.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, cleanup, NODE_MAIN, run, spawnTracked, stopChild, tempDir } from './harness.js';

afterAll(cleanup);

/** Writes `yaml` to a fresh directory and runs `dnsmesh-node --config` on it. */
async function startWith(yaml: string) {
  const dir = await tempDir('dnsmesh-config-');
  const file = join(dir, 'node.yaml');
  await writeFile(file, `zone: mesh.test\ndataDir: ${join(dir, 'state')}\n${yaml}`);
  // A node that accepted the file keeps running: the timeout then fails the test.
  const r = await run(process.execPath, ['--import', 'tsx', NODE_MAIN, '--config', file], {
    env: cleanEnv(),
    timeoutMs: 15_000,
  });
  return { ...r, file };
}

describe('node-config-file-refuses-bad-types', () => {
  it('a quoted "false" is not false: the node refuses to start, naming key, type and value', async () => {
    const r = await startWith('http:\n  enabled: "false"\n  port: 0\ndns:\n  port: 0\n');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('dnsmesh-node: invalid node configuration:');
    expect(r.stderr).toContain(
      `${r.file}: http.enabled: expected true or false, got "false" (a string: write false)`,
    );
  });

  it('a string where a list belongs is refused, not split into characters', async () => {
    const r = await startWith('dns:\n  hosts: 127.0.0.1\n  port: 0\nhttp:\n  port: 0\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${r.file}: dns.hosts: expected a list of strings, got "127.0.0.1" (write a list: ["127.0.0.1"])`,
    );
    expect(r.stderr).not.toMatch(/"1" is not an IP address/);
  });

  it('every mistyped value is reported at once', async () => {
    const r = await startWith(
      'dns:\n  port: "5353"\nstore:\n  synchronous: fast\nregistration:\n  enabled: yes\nlog: info\n',
    );
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').map((l) => l.trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        `${r.file}: dns.port: expected a number, got "5353" (a quoted string: write 5353 without quotes)`,
        `${r.file}: store.synchronous: expected one of normal, full, got "fast"`,
        `${r.file}: registration.enabled: expected true or false, got "yes" (a string: write true)`,
        `${r.file}: log: expected a section (keys level, format), got "info"`,
      ]),
    );
  });

  it('an unknown key is refused with the closest known one', async () => {
    const r = await startWith(
      'dns:\n  prot: 5300\n  port: 0\nhttp:\n  port: 0\ncaps:\n  max_ttl: 60\nport: 53\n',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${r.file}: dns.prot: unknown key; did you mean dns.port?`);
    expect(r.stderr).toContain(`${r.file}: caps.max_ttl: unknown key; did you mean caps.maxTtl?`);
    expect(r.stderr).toContain(`${r.file}: port: unknown key; did you mean dns.port or http.port?`);
  });

  it('a well-typed file starts the node as written', async () => {
    const dir = await tempDir('dnsmesh-config-');
    const file = join(dir, 'node.yaml');
    await writeFile(
      file,
      [
        'zone: typed.test',
        `dataDir: ${join(dir, 'state')}`,
        'dns:',
        '  hosts: [127.0.0.1]',
        '  port: 0',
        'http:',
        '  enabled: false',
        'apex:',
        '  # every key commented out: an empty section',
        '',
      ].join('\n'),
    );
    const child = spawnTracked(
      process.execPath,
      ['--import', 'tsx', NODE_MAIN, '--config', file],
      cleanEnv(),
    );
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const deadline = Date.now() + 15_000;
    while (!out.includes('dnsmesh node up') && child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await stopChild(child);
    expect(out).toMatch(/dnsmesh node up: zone=typed\.test dns=\d+ http=off /);
  });
});
