/**
 * A real `unbound` (Debian package) for client tests: authoritative-only
 * for the zones given as `local-zone`/`local-data`, REFUSED for every other
 * name (no recursion, no network), listening on 127.0.0.1 high ports.
 *
 * Missing binary: under `CI` the suite fails; elsewhere it is skipped with a
 * message. The process is started with its PID remembered and stopped by
 * PID only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryMessage } from '../../../src/dns/client/request.js';
import type { DnsServer } from '../../../src/dns/client/server-address.js';
import { UdpTransport } from '../../../src/dns/client/udp-transport.js';
import { RRType } from '../../../src/dns/wire/constants.js';
import { deadPort } from './fault-server.js';

export const UNBOUND = '/usr/sbin/unbound';

/**
 * True when `binary` exists. Missing under CI throws (the suite must fail);
 * otherwise warns once and returns false so the caller can skip.
 */
export function haveTool(binary: string): boolean {
  if (existsSync(binary)) return true;
  if (process.env.CI) throw new Error(`${binary} is required in CI (apt-get install it)`);
  console.warn(`[dns-client] ${binary} not installed; tests that need it are skipped`);
  return false;
}

export interface UnboundConfig {
  /** `local-zone` lines: `[name, type]`, e.g. `['mesh.test.', 'static']`. */
  readonly zones: readonly (readonly [string, string])[];
  /** `local-data` RR strings in presentation format. */
  readonly data: readonly string[];
  /** Number of listening ports (each one a distinct "resolver"; default 1). */
  readonly ports?: number;
}

export interface UnboundInstance {
  readonly servers: DnsServer[];
  readonly pid: number;
  stop(): Promise<void>;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function configText(dir: string, ports: number[], config: UnboundConfig): string {
  const lines = [
    'server:',
    ...ports.map((p) => `  interface: 127.0.0.1@${p}`),
    '  do-daemonize: no',
    '  username: ""',
    '  chroot: ""',
    `  directory: ${quote(dir)}`,
    '  pidfile: ""',
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 0',
    '  num-threads: 1',
    '  do-ip6: no',
    '  access-control: 127.0.0.0/8 allow',
    '  module-config: "iterator"',
    '  local-zone: "." refuse',
    ...config.zones.map(([name, type]) => `  local-zone: ${quote(name)} ${type}`),
    ...config.data.map((rr) => `  local-data: '${rr}'`),
    'remote-control:',
    '  control-enable: no',
  ];
  return `${lines.join('\n')}\n`;
}

async function waitReady(server: DnsServer, child: ChildProcess): Promise<boolean> {
  const transport = new UdpTransport({ attempts: 1, tcpFallback: null });
  const until = Date.now() + 10_000;
  for (let i = 0; i < 100 && Date.now() < until; i++) {
    if (child.exitCode !== null) return false;
    try {
      await transport.exchange(queryMessage('ready.probe', RRType.TXT), {
        server,
        timeoutMs: 100,
      });
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, 3000);
  await exited;
  clearTimeout(timer);
}

/** Starts unbound; retries with fresh ports when a port was taken meanwhile (bounded). */
export async function startUnbound(config: UnboundConfig): Promise<UnboundInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'dmp-unbound-'));
  let log = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < (config.ports ?? 1); i++) ports.push(await deadPort());
    const file = join(dir, 'unbound.conf');
    writeFileSync(file, configText(dir, ports, config));
    const child = spawn(UNBOUND, ['-d', '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    const servers = ports.map((port) => ({ host: '127.0.0.1', port }));
    const ready = (await Promise.all(servers.map((s) => waitReady(s, child)))).every(Boolean);
    if (ready && child.pid !== undefined) {
      return {
        servers,
        pid: child.pid,
        stop: async () => {
          await stopChild(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child);
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`unbound did not start:\n${log}`);
}

/** Presentation-format TXT local-data line with `value` cut into ≤255-octet quoted strings. */
export function txtData(name: string, value: string, ttl = 60): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(`"${value.slice(i, i + 255)}"`);
  if (parts.length === 0) parts.push('""');
  return `${name}. ${ttl} IN TXT ${parts.join(' ')}`;
}
