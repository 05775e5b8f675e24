/**
 * The shell-less snippets of the deploy files are code too: the Docker
 * HEALTHCHECK (it must follow DMP_HTTP_PORT) and the systemd unit's Node
 * version check are extracted as written and run with this Node against a
 * live node. No Docker engine or systemd is needed for that much.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanEnv, cleanup, type NodeProcess, REPO, run, startNode } from './harness.js';

let node: NodeProcess;
beforeAll(async () => {
  node = await startNode({ http: true });
});
afterAll(cleanup);

/** The JavaScript of the first `node -e "…"` on the line starting with `prefix`. */
async function snippet(file: string, prefix: string): Promise<string> {
  const text = await readFile(join(REPO, file), 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  const js = line === undefined ? undefined : /node -e "(.*)"$/.exec(line)?.[1];
  if (js === undefined) throw new Error(`${file}: no node -e snippet on a ${prefix} line`);
  return js;
}

it('the Docker HEALTHCHECK asks /health on DMP_HTTP_PORT, and fails when nothing answers', async () => {
  const js = await snippet('Dockerfile', 'HEALTHCHECK');
  const ok = await run(process.execPath, ['-e', js], {
    env: cleanEnv({ DMP_HTTP_PORT: String(node.httpPort) }),
  });
  expect(ok.code, ok.stderr).toBe(0);
  const down = await run(process.execPath, ['-e', js], { env: cleanEnv({ DMP_HTTP_PORT: '9' }) });
  expect(down.code).toBe(1);
});

it('the systemd unit’s version check passes on a supported Node', async () => {
  const js = await snippet('deploy/dnsmesh-node.service', 'ExecStartPre=');
  const r = await run(process.execPath, ['-e', js], { env: cleanEnv() });
  expect(r.code, r.stderr).toBe(0);
});
