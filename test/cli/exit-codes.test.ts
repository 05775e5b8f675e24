/**
 * Exit codes as docs/cli.md states them (1 the command refused its input,
 * 2 the network or a node failed, or the parser rejected the command
 * line), for the cases where a command once disagreed: a prekey refresh
 * that published nothing exited 0.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHome, makeCliHome } from './harness.js';

const PASS = { DMP_PASSPHRASE: 'exit code passphrase' };

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe('exit codes', () => {
  let home: CliHome;
  beforeAll(async () => {
    home = await makeCliHome();
    const port = await closedPort();
    const init = await home.run(
      [
        'init',
        'alice',
        '--domain',
        'mesh.test',
        '--endpoint',
        `http://127.0.0.1:${port}`,
        '--http-token',
        'token',
        '--dns-resolvers',
        `127.0.0.1:${port}`,
        '--no-probe-local-dns',
      ],
      PASS,
    );
    expect(init.code, init.stderr).toBe(0);
  });
  afterAll(async () => {
    await home.cleanup();
  });

  it('identity refresh-prekeys that publishes none exits 2 and says why', async () => {
    const r = await home.run(['identity', 'refresh-prekeys', '--count', '2'], PASS);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^dnsmesh: published 0\/2 prekeys to prekeys\.id-[0-9a-f]{12}\.mesh\.test: .*ECONNREFUSED/,
    );
    expect(r.stderr).toMatch(/dnsmesh doctor/);
  });

  it('a node that cannot be reached is 2, like the write it failed', async () => {
    const r = await home.run(['identity', 'publish'], PASS);
    expect(r.code).toBe(2);
  });

  it('what the parser rejects is 2; what the command refuses is 1', async () => {
    const unknownOption = await home.run(['identity', 'show', '--colour']);
    expect(unknownOption.code).toBe(2);
    const notANumber = await home.run(['intro', 'accept', 'first']);
    expect(notANumber.code).toBe(2);
    const unknownKey = await home.run(['config', 'get', 'colour']);
    expect(unknownKey.code).toBe(1);
  });
});
