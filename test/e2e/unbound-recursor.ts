/**
 * A real unbound recursor for the end-to-end scenarios, on 127.0.0.1, that
 * knows only the stub zones it is given. Used by the node scenarios (a
 * resolver in front of one node) and, through ./cli-harness.ts, by the CLI
 * scenarios; its process is tracked and killed in `cleanup()` of
 * ./harness.ts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanEnv, dig, freePort, spawnTracked, tempDir, toolPath, waitFor } from './harness.js';

/** A running unbound: where it listens and what it has logged. */
export interface Recursor {
  readonly port: number;
  /** unbound's output so far. */
  log(): string;
}

/**
 * Starts unbound on 127.0.0.1 as a recursor that knows exactly `stubs`
 * (zone → node DNS port): each zone is a stub-zone; every other name is
 * REFUSED by a root local-zone, so no query ever leaves loopback. Caching
 * is off unless `caching` is set: the scenarios read names right after
 * writing them, and with caching a test would mostly measure TTLs (a name
 * read before it was written stays NXDOMAIN for the node's negative TTL).
 */
export async function startUnbound(
  stubs: readonly { zone: string; port: number }[],
  { caching = false }: { caching?: boolean } = {},
): Promise<Recursor> {
  const unbound = toolPath('unbound');
  if (unbound === undefined) throw new Error('unbound is not installed');
  const dir = await tempDir('dnsmesh-unbound-');
  const conf = join(dir, 'unbound.conf');
  // unbound binds the port itself, so another process may take it between
  // freePort() and unbound's bind: a start that fails to bind is retried on
  // another port rather than failing the test.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await writeFile(conf, unboundConfig(port, dir, stubs, caching));
    let out = '';
    const child = spawnTracked(unbound, ['-d', '-c', conf], cleanEnv());
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const first = stubs[0]!.zone;
    let up = false;
    await waitFor(
      async () => {
        if (exited()) return true;
        try {
          up = (await dig(port, [first, 'SOA', '+tries=1', '+time=1'])).status === 'NOERROR';
          return up;
        } catch {
          return false;
        }
      },
      15_000,
      'unbound to answer',
      100,
    );
    if (up) return { port, log: () => out };
    if (attempt >= 5 || !/address already in use|can't bind|could not open ports/i.test(out)) {
      throw new Error(`unbound exited:\n${out}`);
    }
  }
}

/**
 * The unbound.conf text for {@link startUnbound}: loopback only, 0x20
 * (use-caps-for-id) and QNAME minimisation on as deployed resolvers run
 * them, every name outside `stubs` REFUSED by a root local-zone.
 */
function unboundConfig(
  port: number,
  dir: string,
  stubs: readonly { zone: string; port: number }[],
  caching: boolean,
): string {
  return [
    'server:',
    '  interface: 127.0.0.1',
    `  port: ${port}`,
    '  do-ip4: yes',
    '  do-ip6: no',
    '  do-udp: yes',
    '  do-tcp: yes',
    '  do-daemonize: no',
    '  chroot: ""',
    '  username: ""',
    `  directory: "${dir}"`,
    `  pidfile: "${join(dir, 'unbound.pid')}"`,
    '  logfile: ""',
    '  use-syslog: no',
    '  verbosity: 1',
    '  num-threads: 1',
    '  so-reuseport: no',
    '  access-control: 127.0.0.0/8 allow',
    '  do-not-query-localhost: no',
    '  use-caps-for-id: yes',
    '  qname-minimisation: yes',
    '  edns-buffer-size: 1232',
    // No caching by default: the scenarios read names right after writing them.
    ...(caching ? [] : ['  cache-max-ttl: 0', '  cache-max-negative-ttl: 0']),
    '  local-zone: "." refuse',
    ...stubs.flatMap((s) => [
      `  local-zone: "${s.zone}." transparent`,
      `  domain-insecure: "${s.zone}"`,
    ]),
    ...stubs.flatMap((s) => [
      'stub-zone:',
      `  name: "${s.zone}"`,
      `  stub-addr: 127.0.0.1@${s.port}`,
    ]),
    '',
  ].join('\n');
}
