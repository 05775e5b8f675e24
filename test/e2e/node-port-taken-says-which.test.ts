/**
 * Scenario: the README's second walk-through once started a node on ports a
 * first node still held; it died in the background with
 * `bind EADDRINUSE 127.0.0.1:5353` and the next command failed with an
 * unrelated hint (issue 14). A node that cannot bind now exits 1 naming the
 * listener and the flag and variable that move it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanEnv,
  cleanup,
  NODE_MAIN,
  type NodeProcess,
  run,
  startNode,
  tempDir,
} from './harness.js';

let first: NodeProcess;

beforeAll(async () => {
  first = await startNode({ http: true });
});
afterAll(cleanup);

async function second(args: readonly string[]) {
  const dir = await tempDir('dnsmesh-second-');
  return run(
    process.execPath,
    ['--import', 'tsx', NODE_MAIN, '--data-dir', dir, '--zone', 'mesh.test', ...args],
    { env: cleanEnv(), timeoutMs: 20_000 },
  );
}

it('a taken DNS port names --dns-port', async () => {
  const r = await second([
    '--dns-host',
    '127.0.0.1',
    '--dns-port',
    String(first.port),
    '--no-http',
  ]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    `dnsmesh-node: could not start: the DNS port 127.0.0.1:${first.port} is already in use`,
  );
  expect(r.stderr).toContain('--dns-port (DMP_DNS_PORT)');
  expect(first.alive()).toBe(true);
});

it('a taken HTTP port names --http-port', async () => {
  const r = await second([
    '--dns-host',
    '127.0.0.1',
    '--dns-port',
    '0',
    '--http-host',
    '127.0.0.1',
    '--http-port',
    String(first.httpPort),
  ]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`the HTTP API port 127.0.0.1:${first.httpPort} is already in use`);
  expect(r.stderr).toContain('--http-port (DMP_HTTP_PORT)');
});
