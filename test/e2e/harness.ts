/**
 * End-to-end harness: runs the real `dnsmesh-node` daemon as a child process
 * (`node --import tsx src/cli/node-main.ts`) on loopback with a temporary
 * data directory, and drives it with the Debian DNS tools (dig, kdig,
 * nsupdate, unbound) and with raw packets over node:dgram / node:net.
 *
 * Rules every scenario follows through this module:
 * - loopback only (127.0.0.1, optionally ::1); ports are chosen by the node
 *   (`--dns-port 0`, the bound port is read from its "dnsmesh node up" line);
 * - every external command runs through `execFile` with a hard timeout;
 * - every process we start is tracked by PID and killed by PID in
 *   {@link cleanup} (call it from `afterAll`); never by name;
 * - a scenario that needs a tool FAILS when the tool is missing and
 *   `process.env.CI` is set, and is skipped with a message otherwise
 *   ({@link describeWith}).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import dgram from 'node:dgram';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { describe, it } from 'vitest';
import { signWire, type TsigSigned } from '../../src/dns/tsig.js';
import { buildMacInput, type TsigKey } from '../../src/dns/tsig-key.js';
import { RRClass, RRType } from '../../src/dns/wire/constants.js';
import { ednsRecord } from '../../src/dns/wire/edns.js';
import { makeHeader } from '../../src/dns/wire/header.js';
import {
  type DnsMessage,
  type DnsRecord,
  decodeMessage,
  encodeMessage,
} from '../../src/dns/wire/message.js';
import { lastRecordOffset } from '../../src/dns/wire/scan.js';
import { frameTcp } from '../../src/dns/wire/tcp.js';
import { updateMessage } from '../../src/dns/wire/update.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const NODE_MAIN = join(REPO, 'src/cli/node-main.ts');
export const IN_CI = Boolean(process.env.CI);

// ---------------------------------------------------------------------------
// Tools

export type ToolName = 'dig' | 'kdig' | 'nsupdate' | 'unbound' | 'script';

const TOOL_DIRS = ['/usr/bin', '/usr/sbin', '/bin', '/sbin', '/usr/local/bin', '/usr/local/sbin'];

function findTool(name: ToolName): string | undefined {
  const dirs = [...TOOL_DIRS, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, fsConstants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

const toolPaths = new Map<ToolName, string | undefined>();

/** Absolute path of a tool, or `undefined` when it is not installed. */
export function toolPath(name: ToolName): string | undefined {
  if (!toolPaths.has(name)) toolPaths.set(name, findTool(name));
  return toolPaths.get(name);
}

function tool(name: ToolName): string {
  const path = toolPath(name);
  if (path === undefined) throw new Error(`${name} is not installed`);
  return path;
}

/**
 * `describe` for a scenario needing `tools`. All present: runs. Missing:
 * under CI a single failing test names them; elsewhere the suite is skipped
 * with a warning.
 */
export function describeWith(tools: readonly ToolName[], name: string, fn: () => void): void {
  const missing = tools.filter((t) => toolPath(t) === undefined);
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const what = `${name}: needs ${missing.join(', ')} (apt-get install bind9-dnsutils knot-dnsutils unbound)`;
  if (IN_CI) {
    describe(name, () => {
      it('has the DNS tools it needs', () => {
        throw new Error(`missing tool(s) under CI — ${what}`);
      });
    });
  } else {
    console.warn(`[e2e] skipped: ${what}`);
    describe.skip(name, fn);
  }
}

// ---------------------------------------------------------------------------
// Processes

export interface ExecResult {
  /** Exit code; `null` when killed (timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs `file args` with a hard timeout (SIGKILL), optional stdin; never rejects on exit codes. */
export function run(
  file: string,
  args: readonly string[],
  options: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolvePromise) => {
    const child = execFile(
      file,
      args as string[],
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 32 * 1024 * 1024,
        encoding: 'utf8',
        env: options.env ?? cleanEnv(),
        cwd: options.cwd ?? REPO,
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
        const timedOut = Boolean(e?.killed);
        const code = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
        resolvePromise({ code, stdout, stderr, timedOut });
      },
    );
    // A tool that exits without reading its stdin (kdig, dig) makes this
    // write fail with EPIPE; that is not an error of the test, and unhandled
    // it would crash the test worker.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}

/** The caller's environment without DMP_* (a developer's settings must not leak in). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('DMP_')) env[k] = v;
  }
  env.NO_COLOR = '1';
  return { ...env, ...extra };
}

const children = new Map<number, ChildProcess>();
const tempDirs = new Set<string>();

process.on('exit', () => {
  for (const pid of children.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A fresh temporary directory, removed by {@link cleanup}. */
export async function tempDir(prefix = 'dnsmesh-e2e-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Spawns a tracked long-running child (killed by PID in {@link cleanup}). */
export function spawnTracked(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): ChildProcess {
  const child = spawn(file, args as string[], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) {
    const pid = child.pid;
    children.set(pid, child);
    child.on('exit', () => children.delete(pid));
  }
  return child;
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Sends `signal` to `child` by PID and waits (bounded) for it to exit; escalates to SIGKILL. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5_000,
): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = exitOf(child);
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (late) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    await exited;
  }
}

/** Kills every child this worker started (by PID) and removes the temp dirs. For `afterAll`. */
export async function cleanup(): Promise<void> {
  await Promise.all([...children.values()].map((c) => stopChild(c, 'SIGTERM', 3_000)));
  await Promise.all([...tempDirs].map((d) => rm(d, { recursive: true, force: true })));
  tempDirs.clear();
}

// ---------------------------------------------------------------------------
// The node

export interface NodeOptions {
  /** Served zone (default `mesh.test`). */
  readonly zone?: string;
  /** Reuse a data directory (restart); default a fresh temp dir. */
  readonly dataDir?: string;
  /** Extra `DMP_*` variables. */
  readonly env?: Record<string, string>;
  /** DNS listen addresses (default 127.0.0.1 only). */
  readonly hosts?: readonly string[];
  /** Fixed DNS port (restart on the same port); default 0 = kernel's choice. */
  readonly port?: number;
  /** Modules to preload with `--import` (for example a test clock). */
  readonly preload?: readonly string[];
  /** Serve the HTTP API (for /metrics) on a kernel-chosen loopback port; default off. */
  readonly http?: boolean;
  /** With `http`: this port instead of the kernel's choice (peers must know it in advance). */
  readonly httpPort?: number;
  readonly startTimeoutMs?: number;
  /** Run this script (e.g. a bundled `node-main.js`) instead of the sources through tsx. */
  readonly main?: string;
}

export interface NodeProcess {
  readonly pid: number;
  /** DNS port (UDP and TCP). */
  readonly port: number;
  readonly zone: string;
  readonly dataDir: string;
  readonly dbPath: string;
  /** HTTP API port when started with `http: true`. */
  readonly httpPort?: number;
  readonly child: ChildProcess;
  /** Everything the node printed so far (stdout + stderr). */
  output(): string;
  alive(): boolean;
  /** SIGTERM, bounded wait, SIGKILL fallback. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9) and wait for the exit. */
  kill9(): Promise<void>;
}

const UP_LINE = /dnsmesh node up: zone=(\S+) dns=(\d+) http=(\S+) db=(\S+)/;

/** Starts `dnsmesh-node` and resolves once it logged "dnsmesh node up". */
export async function startNode(options: NodeOptions = {}): Promise<NodeProcess> {
  const zone = options.zone ?? 'mesh.test';
  const dataDir = options.dataDir ?? (await tempDir('dnsmesh-node-'));
  const preload = (options.preload ?? []).flatMap((m) => ['--import', m]);
  const entry = [...preload, ...(options.main ? [options.main] : ['--import', 'tsx', NODE_MAIN])];
  const args = [...entry, '--data-dir', dataDir, '--zone', zone];
  args.push(
    ...(options.http
      ? ['--http-host', '127.0.0.1', '--http-port', String(options.httpPort ?? 0)]
      : ['--no-http']),
  );
  for (const host of options.hosts ?? ['127.0.0.1']) args.push('--dns-host', host);
  args.push('--dns-port', String(options.port ?? 0));
  const child = spawnTracked(process.execPath, args, cleanEnv(options.env ?? {}));
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const up = await new Promise<RegExpExecArray>((resolvePromise, reject) => {
    const deadline = Date.now() + timeoutMs;
    const timer = setInterval(() => {
      const m = UP_LINE.exec(out);
      if (m) {
        clearInterval(timer);
        resolvePromise(m);
      } else if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(timer);
        reject(new Error(`dnsmesh-node exited during start-up:\n${out}`));
      } else if (Date.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`dnsmesh-node not up after ${timeoutMs} ms:\n${out}`));
      }
    }, 20);
  }).catch(async (err) => {
    await stopChild(child, 'SIGKILL');
    throw err;
  });
  return {
    pid: child.pid!,
    port: Number(up[2]),
    zone,
    dataDir,
    dbPath: up[4]!,
    ...(options.http ? { httpPort: Number(up[3]) } : {}),
    child,
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () => stopChild(child, 'SIGTERM'),
    kill9: () => stopChild(child, 'SIGKILL'),
  };
}

/** Runs `dnsmesh-node …args` to completion (key admin). */
export function nodeCli(args: readonly string[], timeoutMs = 20_000): Promise<ExecResult> {
  return run(process.execPath, ['--import', 'tsx', NODE_MAIN, ...args], { timeoutMs });
}

// ---------------------------------------------------------------------------
// TSIG keys

export interface KeyMaterial extends TsigKey {
  /** BIND key file (for `nsupdate -k`). */
  readonly file: string;
  /** `hmac-sha256:name:base64` (for `nsupdate -y` / `kdig -y`). */
  readonly y: string;
}

/** Parses the `key "name" { algorithm …; secret "…"; };` file `key add` prints. */
export function parseBindKey(text: string): TsigKey {
  const name = /key\s+"([^"]+)"/.exec(text)?.[1];
  const algorithm = /algorithm\s+([\w-]+)\s*;/.exec(text)?.[1];
  const secret = /secret\s+"([^"]+)"/.exec(text)?.[1];
  if (!name || !algorithm || !secret) throw new Error(`not a BIND key file:\n${text}`);
  return { name, algorithm, secret: new Uint8Array(Buffer.from(secret, 'base64')) };
}

function yString(key: TsigKey): string {
  return `${key.algorithm}:${key.name}:${Buffer.from(key.secret).toString('base64')}`;
}

/** `dnsmesh-node key add label --data-dir D --zone Z [--scope S]…`; keeps the key file. */
export async function mintKey(
  dataDir: string,
  zone: string,
  label: string,
  scope: readonly string[] = [],
): Promise<KeyMaterial> {
  const args = ['key', 'add', label, '--data-dir', dataDir, '--zone', zone];
  for (const s of scope) args.push('--scope', s);
  const r = await nodeCli(args);
  if (r.code !== 0) throw new Error(`key add ${label} failed (${r.code}): ${r.stderr}`);
  const key = parseBindKey(r.stdout);
  const file = join(dataDir, `${label}.key`);
  await writeFile(file, r.stdout, { mode: 0o600 });
  return { ...key, file, y: yString(key) };
}

/** Key material that the node does not hold (for BADKEY / BADSIG cases). */
export function foreignKey(name: string, secret: Uint8Array): TsigKey & { y: string } {
  const key = { name, algorithm: 'hmac-sha256', secret };
  return { ...key, y: yString(key) };
}

// ---------------------------------------------------------------------------
// dig

export interface DigRecord {
  readonly name: string;
  readonly ttl: number;
  readonly class: string;
  readonly type: string;
  readonly rdata: string;
}

export interface DigMessage {
  readonly opcode: string;
  readonly status: string;
  readonly id: number;
  readonly flags: readonly string[];
  readonly counts: {
    readonly query: number;
    readonly answer: number;
    readonly authority: number;
    readonly additional: number;
  };
  /** From the OPT pseudosection, when the reply had one. */
  readonly edns?: { readonly version: number; readonly udp: number };
  readonly question: readonly { name: string; class: string; type: string }[];
  readonly answer: readonly DigRecord[];
  readonly authority: readonly DigRecord[];
  readonly additional: readonly DigRecord[];
  readonly tsig?: DigRecord;
  readonly msgSize?: number;
  /** `UDP` or `TCP`, from the SERVER line. */
  readonly transport?: string;
  /** dig printed "Truncated, retrying in TCP mode". */
  readonly retriedOverTcp: boolean;
  readonly text: string;
}

function parseRecordLine(line: string): DigRecord {
  const m = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
  if (!m) throw new Error(`unparsable record line: ${line}`);
  return { name: m[1]!, ttl: Number(m[2]), class: m[3]!, type: m[4]!, rdata: m[5]! };
}

/** Parses dig's default output; when several messages are printed, the last one. */
export function parseDig(text: string): DigMessage {
  const start = text.lastIndexOf(';; ->>HEADER<<-');
  if (start < 0) throw new Error(`no DNS reply in dig output:\n${text}`);
  const lines = text.slice(start).split('\n');
  const head = /opcode: (\S+), status: (\S+), id: (\d+)/.exec(lines[0]!);
  if (!head) throw new Error(`bad dig header: ${lines[0]}`);
  let flags: string[] = [];
  const counts = { query: 0, answer: 0, authority: 0, additional: 0 };
  let edns: DigMessage['edns'];
  const question: { name: string; class: string; type: string }[] = [];
  const sections: Record<string, DigRecord[]> = {
    ANSWER: [],
    AUTHORITY: [],
    ADDITIONAL: [],
    TSIG: [],
  };
  let section = '';
  let msgSize: number | undefined;
  let transport: string | undefined;
  for (const line of lines.slice(1)) {
    const f =
      /^;; flags:([^;]*); QUERY: (\d+), ANSWER: (\d+), AUTHORITY: (\d+), ADDITIONAL: (\d+)/.exec(
        line,
      );
    if (f) {
      flags = f[1]!.trim().split(/\s+/).filter(Boolean);
      counts.query = Number(f[2]);
      counts.answer = Number(f[3]);
      counts.authority = Number(f[4]);
      counts.additional = Number(f[5]);
      continue;
    }
    const e = /^; EDNS: version: (\d+), flags:[^;]*; udp: (\d+)/.exec(line);
    if (e) {
      edns = { version: Number(e[1]), udp: Number(e[2]) };
      continue;
    }
    const s = /^;; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL|TSIG) (?:PSEUDO)?SECTION:/.exec(line);
    if (s) {
      section = s[1]!;
      continue;
    }
    const size = /^;; MSG SIZE\s+rcvd: (\d+)/.exec(line);
    if (size) msgSize = Number(size[1]);
    const server = /^;; SERVER: .*\((UDP|TCP)\)/.exec(line);
    if (server) transport = server[1];
    if (line.trim() === '') {
      section = '';
      continue;
    }
    if (section === 'QUESTION' && line.startsWith(';')) {
      const q = /^;(\S+)\s+(\S+)\s+(\S+)/.exec(line);
      if (q) question.push({ name: q[1]!, class: q[2]!, type: q[3]! });
      continue;
    }
    if (section !== '' && section !== 'QUESTION' && !line.startsWith(';')) {
      sections[section]!.push(parseRecordLine(line));
    }
  }
  return {
    opcode: head[1]!,
    status: head[2]!,
    id: Number(head[3]),
    flags,
    counts,
    ...(edns ? { edns } : {}),
    question,
    answer: sections.ANSWER!,
    authority: sections.AUTHORITY!,
    additional: sections.ADDITIONAL!,
    ...(sections.TSIG![0] ? { tsig: sections.TSIG![0] } : {}),
    ...(msgSize !== undefined ? { msgSize } : {}),
    ...(transport ? { transport } : {}),
    retriedOverTcp: text.includes('Truncated, retrying in TCP mode'),
    text,
  };
}

/**
 * Runs `dig @127.0.0.1 -p port …args` (2 tries, 2 s each) and parses the
 * reply. Throws when dig got no reply.
 */
export async function dig(
  port: number,
  args: readonly string[],
  server = '127.0.0.1',
): Promise<DigMessage> {
  const r = await run(tool('dig'), [
    `@${server}`,
    '-p',
    String(port),
    '+time=2',
    '+tries=2',
    ...args,
  ]);
  if (r.code !== 0) {
    throw new Error(`dig ${args.join(' ')} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  }
  // stderr too: dig reports TSIG verification failures there.
  return parseDig(r.stdout + r.stderr);
}

/** Character-strings of a TXT rdata in presentation format (`"a" "b\"c" "\195\169"`), as bytes. */
export function txtStrings(rdata: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < rdata.length) {
    while (rdata[i] === ' ' || rdata[i] === '\t') i++;
    if (i >= rdata.length) break;
    if (rdata[i] !== '"') throw new Error(`unquoted TXT string in: ${rdata}`);
    i++;
    const bytes: number[] = [];
    while (i < rdata.length && rdata[i] !== '"') {
      if (rdata[i] === '\\') {
        const digits = /^\d{3}/.exec(rdata.slice(i + 1, i + 4));
        if (digits) {
          bytes.push(Number(digits[0]));
          i += 4;
        } else {
          bytes.push(rdata.charCodeAt(i + 1));
          i += 2;
        }
      } else {
        bytes.push(...Buffer.from(rdata[i]!, 'utf8'));
        i++;
      }
    }
    i++; // closing quote
    out.push(Uint8Array.from(bytes));
  }
  return out;
}

/** A TXT record's logical value (all strings joined, UTF-8). */
export function txtValueOf(rdata: string): string {
  return Buffer.concat(txtStrings(rdata)).toString('utf8');
}

/** TXT values at `name` as dig sees them over TCP (`[]` for NXDOMAIN/NODATA). */
export async function digTxt(port: number, name: string): Promise<string[]> {
  const m = await dig(port, [name, 'TXT', '+tcp']);
  if (m.status !== 'NOERROR' && m.status !== 'NXDOMAIN') {
    throw new Error(`TXT ${name}: ${m.status}`);
  }
  return m.answer.filter((r) => r.type === 'TXT').map((r) => txtValueOf(r.rdata));
}

// ---------------------------------------------------------------------------
// kdig

/** kdig's RFC 8427 JSON (`+json`), the fields the scenarios read. */
export interface KdigJson {
  readonly ID: number;
  readonly QR: number;
  readonly AA: number;
  readonly TC: number;
  readonly RCODE: number;
  readonly QNAME?: string;
  readonly ANCOUNT: number;
  readonly NSCOUNT: number;
  readonly ARCOUNT: number;
  readonly msgLength: number;
  readonly answerRRs?: readonly KdigRR[];
  readonly authorityRRs?: readonly KdigRR[];
  readonly additionalRRs?: readonly KdigRR[];
}

export interface KdigRR {
  readonly NAME: string;
  readonly TYPE: number;
  readonly TYPEname?: string;
  readonly CLASS: number;
  readonly TTL: number;
  readonly RDLENGTH: number;
  readonly RDATAHEX?: string;
}

/** Runs `kdig @127.0.0.1 -p port …args` (2 s timeout, 1 retry); the raw result. */
export function kdigRun(port: number, args: readonly string[]): Promise<ExecResult> {
  return run(tool('kdig'), ['@127.0.0.1', '-p', String(port), '+timeout=2', '+retry=1', ...args]);
}

/** Runs `kdig … +json …args`; throws when kdig got no reply. */
export async function kdig(port: number, args: readonly string[]): Promise<KdigJson> {
  const r = await kdigRun(port, ['+json', ...args]);
  const start = r.stdout.indexOf('{');
  if (r.code !== 0 || start < 0) {
    throw new Error(`kdig ${args.join(' ')} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  }
  return JSON.parse(r.stdout.slice(start)) as KdigJson;
}

/** Character-strings of a TXT RDATA given as hex (kdig's `RDATAHEX`). */
export function txtStringsFromHex(hex: string): Buffer[] {
  const rdata = Buffer.from(hex, 'hex');
  const out: Buffer[] = [];
  for (let i = 0; i < rdata.length; ) {
    const len = rdata[i]!;
    out.push(rdata.subarray(i + 1, i + 1 + len));
    i += 1 + len;
  }
  return out;
}

// ---------------------------------------------------------------------------
// nsupdate

export interface NsupdateResult extends ExecResult {
  /** `undefined` on success, else what nsupdate reported, e.g. `REFUSED`, `NOTAUTH(BADKEY)`. */
  readonly failure: string | undefined;
}

/**
 * Runs nsupdate against the node: `server`, `zone`, the given `update …`
 * lines, `send`. `auth`: a key file (`-k`), a `-y` string, or none.
 */
export async function nsupdate(
  port: number,
  zone: string,
  updates: readonly string[],
  auth: { keyFile: string } | { y: string } | undefined,
  options: { tcp?: boolean } = {},
): Promise<NsupdateResult> {
  const args = ['-t', '6', '-u', '2', '-r', '2'];
  if (options.tcp) args.push('-v');
  if (auth && 'keyFile' in auth) args.push('-k', auth.keyFile);
  if (auth && 'y' in auth) args.push('-y', auth.y);
  const script = [`server 127.0.0.1 ${port}`, `zone ${zone}`, ...updates, 'send', ''].join('\n');
  const r = await run(tool('nsupdate'), args, { input: script, timeoutMs: 15_000 });
  const text = r.stdout + r.stderr;
  const failed = /update failed: (\S+)/.exec(text)?.[1];
  const failure = failed ?? (r.code === 0 ? undefined : `exit ${r.code}: ${text.trim()}`);
  return { ...r, failure };
}

/** Escapes a value for an nsupdate/dig quoted character-string. */
export function quoteTxt(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

// ---------------------------------------------------------------------------
// Raw packets

let nextId = (Date.now() ^ process.pid) & 0xffff;
/** A message ID distinct from the last few thousand handed out. */
export function freshId(): number {
  nextId = (nextId + 7919) & 0xffff;
  return nextId;
}

/** Encodes a query; `edns` = advertised UDP size, or `false` for none. */
export function queryWire(
  name: string,
  type: number,
  options: { id?: number; edns?: number | false; rd?: boolean; cls?: number } = {},
): Uint8Array {
  const msg: DnsMessage = {
    header: makeHeader({ id: options.id ?? freshId(), rd: options.rd ?? false }),
    questions: [{ name, type, class: options.cls ?? RRClass.IN }],
    answers: [],
    authorities: [],
    additionals: options.edns === false ? [] : [ednsRecord({ udpSize: options.edns ?? 1232 })],
  };
  return encodeMessage(msg);
}

/** Decodes a message or throws with the parser's reason. */
export function decode(wire: Uint8Array): DnsMessage {
  const r = decodeMessage(wire);
  if (!r.ok) throw new Error(`undecodable DNS message: ${r.detail}`);
  return r.value;
}

/** An UPDATE for `zone` carrying `updates`, TSIG-signed with `key` at `timeSigned` (default now). */
export function signedUpdate(
  key: TsigKey,
  zone: string,
  updates: DnsRecord[],
  options: { id?: number; timeSigned?: number; fudge?: number } = {},
): TsigSigned & { unsigned: Uint8Array } {
  const unsigned = encodeMessage(updateMessage({ id: options.id ?? freshId(), zone, updates }));
  const signed = signWire(unsigned, key, {
    timeSigned: options.timeSigned ?? Math.floor(Date.now() / 1000),
    ...(options.fudge !== undefined ? { fudge: options.fudge } : {}),
  });
  return { ...signed, unsigned };
}

/**
 * Sends one datagram and waits for the reply with the same ID. Returns
 * `undefined` when nothing came back within `timeoutMs` (per attempt,
 * default 10 s: it only bounds a failure, and with one attempt a request
 * such as an UPDATE is never sent twice).
 */
export async function udpExchange(
  port: number,
  wire: Uint8Array,
  options: { host?: string; timeoutMs?: number; attempts?: number } = {},
): Promise<Uint8Array | undefined> {
  const host = options.host ?? '127.0.0.1';
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  const id = (wire[0]! << 8) | wire[1]!;
  try {
    await new Promise<void>((r, j) => {
      socket.once('error', j);
      socket.bind(0, host, () => r());
    });
    for (let attempt = 0; attempt < (options.attempts ?? 1); attempt++) {
      const reply = await new Promise<Uint8Array | undefined>((resolvePromise) => {
        const timer = setTimeout(() => {
          socket.off('message', onMessage);
          resolvePromise(undefined);
        }, options.timeoutMs ?? 10_000);
        const onMessage = (msg: Buffer) => {
          if (msg.length >= 2 && ((msg[0]! << 8) | msg[1]!) === id) {
            clearTimeout(timer);
            socket.off('message', onMessage);
            resolvePromise(new Uint8Array(msg));
          }
        };
        socket.on('message', onMessage);
        socket.send(wire, port, host);
      });
      if (reply !== undefined) return reply;
    }
    return undefined;
  } finally {
    socket.close();
  }
}

/**
 * Sends framed messages over one TCP connection and collects `expect`
 * framed replies (default: one per message). Rejects on timeout.
 */
export async function tcpExchange(
  port: number,
  wires: readonly Uint8Array[],
  options: { host?: string; timeoutMs?: number; expect?: number } = {},
): Promise<Uint8Array[]> {
  const expect = options.expect ?? wires.length;
  const socket = net.connect({ port, host: options.host ?? '127.0.0.1' });
  return new Promise<Uint8Array[]>((resolvePromise, reject) => {
    const replies: Uint8Array[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`TCP: ${replies.length}/${expect} replies after ${options.timeoutMs ?? 3000} ms`),
      );
    }, options.timeoutMs ?? 3_000);
    socket.on('connect', () => socket.write(Buffer.concat(wires.map((w) => frameTcp(w)))));
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        replies.push(new Uint8Array(buf.subarray(2, 2 + len)));
        buf = buf.subarray(2 + len);
      }
      if (replies.length >= expect) {
        clearTimeout(timer);
        socket.destroy();
        resolvePromise(replies);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      if (replies.length < expect) {
        clearTimeout(timer);
        reject(new Error(`TCP closed after ${replies.length}/${expect} replies`));
      }
    });
  });
}

/** TXT values at `name` read with our own TCP client (fast bulk checks). */
export async function tcpTxt(
  port: number,
  name: string,
): Promise<{ rcode: number; values: string[] }> {
  const [wire] = await tcpExchange(port, [queryWire(name, RRType.TXT)]);
  const msg = decode(wire!);
  const values = msg.answers
    .filter((rr) => rr.type === RRType.TXT && rr.data.kind === 'TXT')
    .map((rr) => Buffer.concat((rr.data as { strings: Uint8Array[] }).strings).toString('utf8'));
  return { rcode: msg.header.rcode, values };
}

/** Waits until `fn` returns true (polling), bounded by `timeoutMs`. */
export async function waitFor(
  fn: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Binds a UDP socket and `tcp` on one port chosen by the kernel, with no gap
 * in which another test could take it: UDP binds port 0, TCP then listens on
 * the same number, and on a clash both are released and another port tried.
 */
export async function bindUdpAndTcp(
  host: string,
  onMessage: (udp: dgram.Socket) => (msg: Buffer, rinfo: dgram.RemoteInfo) => void,
  tcp: net.Server,
): Promise<{ port: number; udp: dgram.Socket }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    udp.on('message', onMessage(udp));
    const port = await new Promise<number>((r, j) => {
      udp.once('error', j);
      udp.bind(0, host, () => r(udp.address().port));
    });
    const listening = await new Promise<boolean>((r) => {
      const onError = () => r(false);
      tcp.once('error', onError);
      tcp.listen(port, host, () => {
        tcp.off('error', onError);
        r(true);
      });
    });
    if (listening) return { port, udp };
    await new Promise<void>((r) => udp.close(() => r()));
  }
  throw new Error(`no port free for both UDP and TCP on ${host}`);
}

/**
 * A loopback port that was free a moment ago, for a tool that binds its own
 * port from a config file (unbound). Another process can take it before the
 * tool binds, so callers retry the tool's start on a bind failure.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = net.createServer();
    const port = await new Promise<number>((r, j) => {
      server.once('error', j);
      server.listen(0, host, () => r((server.address() as net.AddressInfo).port));
    });
    await new Promise((r) => server.close(r));
    const udp = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((r) => {
      udp.once('error', () => r(false));
      udp.bind(port, host, () => r(true));
    });
    udp.close();
    if (ok) return port;
  }
  throw new Error('no free port found');
}

/** SOA rdata in presentation format. */
export interface Soa {
  readonly mname: string;
  readonly rname: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}

export function parseSoa(rdata: string): Soa {
  const f = rdata.trim().split(/\s+/);
  if (f.length !== 7) throw new Error(`bad SOA rdata: ${rdata}`);
  return {
    mname: f[0]!,
    rname: f[1]!,
    serial: Number(f[2]),
    refresh: Number(f[3]),
    retry: Number(f[4]),
    expire: Number(f[5]),
    minimum: Number(f[6]),
  };
}

/** TXT values (sorted) of each name, read with dig over TCP: compare before/after a refusal. */
export async function snapshot(
  port: number,
  names: readonly string[],
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of names) out[name] = (await digTxt(port, name)).sort();
  return out;
}

/**
 * Checks the MAC of a signed reply whatever its TSIG error (the project's
 * client verifier stops at a peer error such as BADTIME): HMAC-SHA256 from
 * node:crypto over the RFC 8945 §4.3 input with our request MAC chained.
 */
export function replyMacVerifies(reply: Uint8Array, key: TsigKey, requestMac: Uint8Array): boolean {
  const rr = decode(reply).additionals.at(-1);
  if (rr?.type !== RRType.TSIG || rr.data.kind !== 'TSIG') return false;
  const offset = lastRecordOffset(reply);
  if (offset === undefined) return false;
  const t = rr.data;
  const input = buildMacInput(
    reply,
    offset,
    ((reply[10]! << 8) | reply[11]!) - 1,
    {
      keyName: rr.name,
      algorithm: t.algorithm,
      timeSigned: t.timeSigned,
      fudge: t.fudge,
      originalId: t.originalId,
      error: t.error,
      other: t.other,
    },
    requestMac,
  );
  const mac = createHmac('sha256', key.secret).update(input).digest();
  return t.mac.length === mac.length && timingSafeEqual(mac, Buffer.from(t.mac));
}

/** Sums the samples of a Prometheus metric (optionally filtered by a label substring) from /metrics. */
export async function metric(node: NodeProcess, name: string, labels = ''): Promise<number> {
  if (node.httpPort === undefined) throw new Error('node started without http');
  const res = await fetch(`http://127.0.0.1:${node.httpPort}/metrics`, {
    signal: AbortSignal.timeout(5_000),
  });
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      if (labels && !line.includes(labels)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}
