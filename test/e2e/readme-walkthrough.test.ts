/**
 * Scenario: the README's walk-through, run as written — every `sh` block of
 * the "A 5-minute walk-through" section, in order, in one bash, in a fresh
 * directory (issue 14: the parts once collided on ports and needed
 * undocumented edits). Only what a test must change is changed: the bins
 * come from a fresh bundle instead of `npm ci && npm run build`, and the
 * README's fixed ports are mapped to free ones (the same mapping for every
 * part, so a collision between parts would still show).
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildBins } from '../../scripts/build-bins.js';
import { cleanEnv, cleanup, describeWith, freePort, REPO, run, tempDir } from './harness.js';

/** The `sh` blocks of the walk-through section, in order. */
export function walkthroughBlocks(readme: string): string[] {
  const start = readme.indexOf('## A 5-minute walk-through');
  const end = readme.indexOf('### The protocol library', start);
  if (start < 0 || end < 0) throw new Error('README has no walk-through section');
  const section = readme.slice(start, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describeWith(['dig', 'nsupdate'], 'readme-walkthrough', () => {
  let bins: string;

  beforeAll(async () => {
    const cache = join(REPO, 'node_modules', '.cache');
    await mkdir(cache, { recursive: true });
    bins = await mkdtemp(join(cache, 'dnsmesh-readme-bins-'));
    await buildBins(bins);
  }, 120_000);
  afterAll(async () => {
    await cleanup();
    if (bins) await rm(bins, { recursive: true, force: true });
  });

  it('runs every block in order in one shell and ends with carol trusted', async () => {
    const readme = await readFile(join(REPO, 'README.md'), 'utf8');
    const blocks = walkthroughBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const ports = new Map<string, string>();
    for (const fixed of ['5353', '8053', '5354', '8054'])
      ports.set(fixed, String(await freePort()));
    let script = blocks.join('\n');
    script = script.replace('npm ci && npm run build\n', '');
    script = script.replaceAll('node dist/cli/', `node ${bins}/`);
    script = script.replace(/\b(5353|8053|5354|8054)\b/g, (p) => ports.get(p)!);
    const cwd = await tempDir('dnsmesh-readme-');
    // Background nodes must not outlive a failing run.
    const wrapped = `set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${script}\nwait\n`;
    // Part one runs the node on its default ports: move those through the environment.
    const env = cleanEnv({ DMP_DNS_PORT: ports.get('5353')!, DMP_HTTP_PORT: ports.get('8053')! });
    const r = await run('bash', ['-c', wrapped], { env, timeoutMs: 180_000, cwd });
    const all = `${r.stdout}\n--- stderr ---\n${r.stderr}`;
    expect(r.code, all).toBe(0);
    expect(r.stdout).toContain('"hi from nsupdate"');
    expect(r.stdout).toContain('hello bob, over DNS');
    expect(r.stdout).toMatch(/1 new intro\(s\) from un-pinned senders/);
    expect(r.stdout).toMatch(/#1 {2}intro-[0-9a-f]{12} {2}\[fresh\]/);
    expect(r.stdout).toContain('trusted intro #1 as `carol`');
    expect(r.stdout).toContain("hi bob, it's carol");
    // Nothing alarming on a working walk-through.
    expect(all).not.toMatch(
      /dnsmesh: (warning|error)|warning: \d+ lookup|could not start|EADDRINUSE/,
    );
  }, 240_000);
});
