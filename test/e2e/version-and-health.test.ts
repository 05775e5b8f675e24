/**
 * Scenario: "which version is this?" (issue 14). `dnsmesh --version`,
 * `dnsmesh-node --version` and `dnsmesh node --version` print the package
 * version and exit 0; a running node's `/health` keeps the reference's
 * `{"status": "ok"}` first and adds `version` and `uptime_seconds`. The
 * bundled bins are checked in cli-bundle.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { cleanEnv, cleanup, NODE_MAIN, REPO, run, startNode } from './harness.js';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }
).version;
const CLI_MAIN = join(REPO, 'src/cli/main.ts');

afterAll(cleanup);

const bin = (main: string, args: readonly string[]) =>
  run(process.execPath, ['--import', 'tsx', main, ...args], { env: cleanEnv() });

describe('version-and-health', () => {
  it('src/version.ts is the package.json version', () => {
    expect(VERSION).toBe(PACKAGE_VERSION);
  });

  it.each([
    ['dnsmesh --version', CLI_MAIN, ['--version']],
    ['dnsmesh -V', CLI_MAIN, ['-V']],
    ['dnsmesh-node --version', NODE_MAIN, ['--version']],
    ['dnsmesh node --version', CLI_MAIN, ['node', '--version']],
  ] as const)('%s prints the version and exits 0', async (_name, main, args) => {
    const r = await bin(main, args);
    expect(r).toMatchObject({ code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' });
  });

  it('the help of both bins lists --version', async () => {
    for (const main of [CLI_MAIN, NODE_MAIN]) {
      expect((await bin(main, ['--help'])).stdout).toMatch(/-V, --version\s+print the version/);
    }
  });

  it('/health adds version and uptime_seconds after the reference fields', async () => {
    const node = await startNode({ http: true });
    const health = async () => {
      const res = await fetch(`http://127.0.0.1:${node.httpPort}/health`, {
        signal: AbortSignal.timeout(5_000),
      });
      expect(res.status).toBe(200);
      return res.text();
    };
    const first = await health();
    expect(first).toMatch(
      new RegExp(`^\\{"status": "ok", "version": "${PACKAGE_VERSION}", "uptime_seconds": \\d+\\}$`),
    );
    const before = (JSON.parse(first) as { uptime_seconds: number }).uptime_seconds;
    await new Promise((r) => setTimeout(r, 1_100));
    const after = (JSON.parse(await health()) as { uptime_seconds: number }).uptime_seconds;
    expect(after).toBeGreaterThanOrEqual(before + 1);
    await node.stop();
  });
});
