/**
 * CLI end-to-end harness: the real `dnsmesh` CLI (a child process per
 * command) against real `dnsmesh-node` daemons, optionally behind a real
 * unbound recursor, all on loopback. Builds on `./harness.ts` (node start-up,
 * tracked processes, temp dirs, tools) and adds:
 *
 * - {@link startMeshNode}: a node with self-service registration, DNS UPDATE
 *   and claims enabled, HTTP on a kernel-chosen port;
 * - {@link CliUser}: one config home, the CLI run with `--config-home`, a
 *   passphrase in the environment and HOME pointed at a temp dir;
 * - {@link setupUser}: init → tsig register → claim provider → publish;
 * - {@link startUnbound} (from ./unbound-recursor.ts): a recursor that only
 *   knows the stub zones given (everything else REFUSED, so nothing ever
 *   leaves the machine);
 * - {@link startLiar}: a DNS server answering every TXT query with junk;
 * - node-store access ({@link nodeRecords}) and signed UPDATEs
 *   ({@link sendUpdate}) for tampering;
 * - {@link snapshotFiles}: byte snapshots of a config home.
 *
 * Every process is tracked by PID and killed in `cleanup()` of ./harness.ts.
 */
import { createHash } from 'node:crypto';
import type dgram from 'node:dgram';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { CliConfig } from '../../src/cli/config/fields.js';
import { parseConfigYaml } from '../../src/cli/config/yaml-read.js';
import { configToYaml } from '../../src/cli/config/yaml-write.js';
import type { TsigKey } from '../../src/dns/tsig-key.js';
import { Opcode, Rcode, RRClass, RRType } from '../../src/dns/wire/constants.js';
import { makeHeader } from '../../src/dns/wire/header.js';
import {
  type DnsMessage,
  type DnsRecord,
  decodeMessage,
  encodeMessage,
} from '../../src/dns/wire/message.js';
import { txtAdd, txtDelete } from '../../src/dns/wire/update.js';
import {
  bindUdpAndTcp,
  cleanEnv,
  type ExecResult,
  type NodeProcess,
  REPO,
  run,
  signedUpdate,
  startNode,
  tcpExchange,
  tempDir,
} from './harness.js';

export const CLI_TS = join(REPO, 'src/cli/main.ts');
export const CLI_JS = join(REPO, 'dist/cli/main.js');
/** Preload that shifts `Date.now` to `DNSMESH_TEST_NOW_MS` (vectors live in 2030). */
export const FAKE_CLOCK = pathToFileURL(join(REPO, 'test/e2e/cli-fake-clock.mjs')).href;
export const OPERATOR_TOKEN = 'cli-e2e-operator-token';

// ---------------------------------------------------------------------------
// Nodes

export interface MeshNode extends NodeProcess {
  readonly httpPort: number;
  /** `http://127.0.0.1:<httpPort>` */
  readonly endpoint: string;
}

/** Environment of a node that users can register with and send through. */
export function meshNodeEnv(
  zone: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DMP_AUTH_MODE: 'multi-tenant',
    DMP_REGISTRATION_ENABLED: '1',
    DMP_NODE_HOSTNAME: zone,
    DMP_OPERATOR_TOKEN: OPERATOR_TOKEN,
    DMP_DNS_UPDATE_ENABLED: '1',
    DMP_CLAIM_PROVIDER: '1',
    DMP_RECEIVER_CLAIM_NOTIFICATIONS: '1',
    DMP_DNS_APEX_A: '127.0.0.1',
    // The defaults (5 registrations per hour per address) are for the internet.
    DMP_REGISTRATION_ENDPOINT_RATE_PER_SEC: '1000',
    DMP_REGISTRATION_ENDPOINT_RATE_BURST: '1000',
    DMP_REGISTRATION_ISSUED_RATE_PER_SEC: '1000',
    DMP_REGISTRATION_ISSUED_RATE_BURST: '1000',
    DMP_HTTP_RATE: '1000',
    DMP_HTTP_BURST: '1000',
    DMP_CLAIM_RATE_PER_USER_PER_SEC: '1000',
    DMP_CLAIM_RATE_BURST: '1000',
    DMP_CLAIM_RATE_PER_NETWORK: '1000',
    DMP_CLAIM_BURST_PER_NETWORK: '1000',
    ...extra,
  };
}

/** Starts `dnsmesh-node` for `zone` with registration, UPDATE and claims on. */
export async function startMeshNode(
  zone: string,
  options: { env?: Record<string, string>; dataDir?: string } = {},
): Promise<MeshNode> {
  const node = await startNode({
    zone,
    http: true,
    env: meshNodeEnv(zone, options.env),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const httpPort = node.httpPort!;
  return { ...node, httpPort, endpoint: `http://127.0.0.1:${httpPort}` };
}

/** Live TXT rows of a node's store, read from its sqlite file (read-only, WAL-safe). */
export function nodeRecords(node: { dbPath: string }): { name: string; value: string }[] {
  const db = new Database(node.dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[number], { name: string; value: string }>(
        'SELECT name, value FROM records WHERE expires_at > ? ORDER BY name, id',
      )
      .all(Math.floor(Date.now() / 1000));
  } finally {
    db.close();
  }
}

/** `name\tvalue` lines of a node's store: compare before/after to prove nothing was written. */
export function storeFingerprint(node: { dbPath: string }): string[] {
  return nodeRecords(node).map((r) => `${r.name}\t${r.value}`);
}

/** Rows present in `after` and not in `before`. */
export function newRows(before: readonly string[], after: readonly string[]): string[] {
  const seen = new Set(before);
  return after.filter((r) => !seen.has(r));
}

export type UpdateOp =
  | { readonly add: string; readonly value: string; readonly ttl?: number }
  | { readonly remove: string; readonly value: string };

/**
 * Sends one TSIG-signed UPDATE (over TCP: values may be long) and returns the
 * reply's RCODE. Values longer than 255 bytes go out as several strings.
 */
export async function sendUpdate(
  port: number,
  zone: string,
  key: TsigKey,
  ops: readonly UpdateOp[],
): Promise<number> {
  const records: DnsRecord[] = ops.map((op) =>
    'add' in op ? txtAdd(op.add, op.ttl ?? 300, op.value) : txtDelete(op.remove, op.value),
  );
  const { wire } = signedUpdate(key, zone, records);
  const [reply] = await tcpExchange(port, [wire], { timeoutMs: 5_000 });
  const decoded = decodeMessage(reply!);
  if (!decoded.ok) throw new Error(`undecodable UPDATE reply: ${decoded.detail}`);
  return decoded.value.header.rcode;
}

// ---------------------------------------------------------------------------
// The CLI

export interface CliRun extends ExecResult {
  /** Wall time of the whole process, ms. */
  readonly ms: number;
}

export interface CliRunOptions {
  /** Extra environment (over the user's). */
  readonly env?: Record<string, string>;
  /** Run `dist/cli/main.js` instead of the sources through tsx. */
  readonly built?: boolean;
  /** `--import` modules loaded before the CLI (e.g. {@link FAKE_CLOCK}). */
  readonly preload?: readonly string[];
  readonly timeoutMs?: number;
}

/** Runs the CLI once with exactly `args` and `env` (no config home added). */
export async function runCliRaw(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: CliRunOptions = {},
): Promise<CliRun> {
  const nodeArgs: string[] = [];
  for (const p of options.preload ?? []) nodeArgs.push('--import', p);
  if (options.built) nodeArgs.push(CLI_JS);
  else nodeArgs.push('--import', 'tsx', CLI_TS);
  const start = performance.now();
  const r = await run(process.execPath, [...nodeArgs, ...args], {
    env: { ...env, ...options.env },
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  return { ...r, ms: performance.now() - start };
}

export interface CliUser {
  readonly name: string;
  /** Temp dir used as HOME. */
  readonly root: string;
  readonly configHome: string;
  readonly configPath: string;
  readonly passphrase: string;
  /** Environment of every run: no caller DMP_*, HOME = root, the passphrase, extras. */
  env: Record<string, string>;
  /** `--import` modules of every run (see {@link FAKE_CLOCK}). */
  preload: string[];
  /** `dnsmesh --config-home <configHome> …args`. */
  cli(args: readonly string[], options?: CliRunOptions): Promise<CliRun>;
  /** Like {@link cli} but throws (with stderr) unless the exit code is 0. */
  ok(args: readonly string[], options?: CliRunOptions): Promise<CliRun>;
  readConfig(): Promise<CliConfig>;
  editConfig(edit: (config: CliConfig) => void): Promise<void>;
}

/** A fresh config home for `name` (nothing run yet). */
export async function makeUser(
  name: string,
  options: { passphrase?: string; env?: Record<string, string>; preload?: string[] } = {},
): Promise<CliUser> {
  const root = await tempDir(`dnsmesh-cli-${name}-`);
  const configHome = join(root, 'dmp');
  const configPath = join(configHome, 'config.yaml');
  const passphrase = options.passphrase ?? `${name} correct horse battery staple`;
  const user: CliUser = {
    name,
    root,
    configHome,
    configPath,
    passphrase,
    env: { HOME: root, DMP_PASSPHRASE: passphrase, ...options.env },
    preload: options.preload ?? [],
    cli: (args, opts = {}) =>
      runCliRaw(['--config-home', configHome, ...args], cleanEnv(user.env), {
        ...opts,
        preload: [...user.preload, ...(opts.preload ?? [])],
      }),
    async ok(args, opts = {}) {
      const r = await user.cli(args, opts);
      if (r.code !== 0) {
        throw new Error(
          `${name}: dnsmesh ${args.join(' ')} exited ${r.code}${r.timedOut ? ' (timed out)' : ''}\n` +
            `stdout: ${r.stdout}\nstderr: ${r.stderr}`,
        );
      }
      return r;
    },
    readConfig: async () => parseConfigYaml(await readFile(configPath, 'utf8')),
    async editConfig(edit) {
      const config = await user.readConfig();
      edit(config);
      await writeFile(configPath, configToYaml(config), { mode: 0o600 });
    },
  };
  return user;
}

export interface SetupOptions {
  /** Resolver entries (`ip:port`) for reads; default: the node's DNS port. */
  readonly resolvers?: readonly string[];
  /**
   * Claim provider node (default: `node`); `null` for none (an IP-literal
   * override without a zone yields no provider, cli spec §3 / core §8.12).
   */
  readonly provider?: MeshNode | null;
  /** `DMP_PROVIDER_DNS_PORT`: where unsigned claim UPDATEs go (default: the provider's DNS port). */
  readonly claimDnsPort?: number;
  /** Also `identity refresh-prekeys --count N`. */
  readonly prekeys?: number;
  /** Stop after `tsig register` (no publish). */
  readonly skipPublish?: boolean;
}

/**
 * The documented single-node flow (cli spec §6.1) up to publishing:
 * `init` (domain = node zone, endpoint = node HTTP, resolvers), `tsig register`
 * (UPDATE target = the node's DNS port), claim provider pinned to a test node
 * (instead of the public seed, so nothing leaves loopback; claims then go to
 * `DMP_PROVIDER_DNS_PORT`), `identity publish`, optional prekeys. Returns
 * the keys `identity show --json` reports.
 */
export async function setupUser(
  user: CliUser,
  node: MeshNode,
  options: SetupOptions = {},
): Promise<{ spk: string; x25519: string }> {
  const resolvers = options.resolvers ?? [`127.0.0.1:${node.port}`];
  const provider = options.provider === undefined ? node : options.provider;
  await user.ok([
    'init',
    user.name,
    '--domain',
    node.zone,
    '--endpoint',
    node.endpoint,
    '--dns-resolvers',
    resolvers.join(','),
    '--no-probe-local-dns',
  ]);
  await user.ok([
    'tsig',
    'register',
    '--node',
    `127.0.0.1:${node.httpPort}`,
    '--scheme',
    'http',
    '--dns-server',
    '127.0.0.1',
    '--dns-port',
    String(node.port),
  ]);
  await user.editConfig((c) => {
    c.claim_provider_override = provider?.endpoint ?? 'http://127.0.0.1:9';
    c.claim_provider_zone = provider?.zone ?? '';
  });
  user.env.DMP_PROVIDER_DNS_PORT = String(options.claimDnsPort ?? provider?.port ?? node.port);
  if (!options.skipPublish) await user.ok(['identity', 'publish']);
  if (options.prekeys) {
    await user.ok(['identity', 'refresh-prekeys', '--count', String(options.prekeys)]);
  }
  const show = JSON.parse((await user.ok(['identity', 'show', '--json'])).stdout);
  return { spk: show.signing_public_key, x25519: show.public_key };
}

/** One delivered message as `recv --json` prints it. */
export interface RecvMessage {
  readonly sender_spk: string;
  readonly contact: string | null;
  readonly sender_label: string | null;
  readonly ts: number;
  readonly msg_id: string;
  readonly text: string | null;
  readonly body_base64: string | null;
  readonly zone: string;
  readonly via: string;
}

/** `recv --json`, parsed; throws unless it exits 0. */
export async function recvJson(
  user: CliUser,
  options?: CliRunOptions,
): Promise<{ messages: RecvMessage[]; new_intros: number; stderr: string }> {
  const r = await user.ok(['recv', '--json'], options);
  return { ...JSON.parse(r.stdout), stderr: r.stderr };
}

// ---------------------------------------------------------------------------
// Files

/** Every file under `dir` (recursively) → sha256 of its bytes. */
export async function snapshotFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        out[relative(dir, path)] = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
      }
    }
  };
  if ((await stat(dir).catch(() => undefined))?.isDirectory()) await walk(dir);
  return out;
}

// ---------------------------------------------------------------------------
// unbound (its own module, so DNS-only scenarios can use it without the CLI)

export { type Recursor, startUnbound } from './unbound-recursor.js';

// ---------------------------------------------------------------------------
// A lying resolver

export interface Liar {
  readonly port: number;
  /** TXT questions answered (UDP + TCP). */
  readonly txtQueries: () => number;
  close(): Promise<void>;
}

/** Plausible-looking DMP values that are not valid records. */
function junkValues(name: string): string[] {
  const h = createHash('sha256').update(name).digest();
  const blob = Buffer.concat([h, h, h, h, h, h, h]).toString('base64');
  const lower = name.toLowerCase();
  if (lower.startsWith('chunk-')) return [`v=dmp1;t=chunk;d=${blob.slice(0, 224)}`];
  if (lower.startsWith('slot-')) return [`v=dmp1;t=manifest;d=${blob}`];
  if (lower.startsWith('claim-')) return [`v=dmp1;t=claim;${blob.slice(0, 180)}`];
  if (lower.startsWith('id-') || lower.startsWith('dmp.')) return [`v=dmp1;t=identity;d=${blob}`];
  return [`forged answer for ${lower}`];
}

function liarReply(query: Uint8Array): Uint8Array | undefined {
  const decoded = decodeMessage(query);
  if (!decoded.ok) return undefined;
  const q = decoded.value;
  const question = q.questions[0];
  if (q.header.qr || q.header.opcode !== Opcode.QUERY || question === undefined) return undefined;
  const answers: DnsRecord[] =
    question.type === RRType.TXT
      ? junkValues(question.name).map((v) => ({
          ...txtAdd(question.name, 60, v),
          class: RRClass.IN,
        }))
      : [];
  const reply: DnsMessage = {
    header: makeHeader({
      id: q.header.id,
      qr: true,
      opcode: Opcode.QUERY,
      rd: q.header.rd,
      ra: true,
      rcode: Rcode.NOERROR,
    }),
    // Echo the question exactly (0x20 case included), as a resolver must.
    questions: [question],
    answers,
    authorities: [],
    additionals: [],
  };
  return encodeMessage(reply);
}

/** A DNS server (UDP + TCP on 127.0.0.1) that answers every TXT question with junk. */
export async function startLiar(): Promise<Liar> {
  let txt = 0;
  const count = (wire: Uint8Array) => {
    const d = decodeMessage(wire);
    if (d.ok && d.value.questions[0]?.type === RRType.TXT) txt++;
  };
  const onUdp = (udp: dgram.Socket) => (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    const reply = liarReply(new Uint8Array(msg));
    if (reply === undefined) return;
    count(msg);
    udp.send(reply, rinfo.port, rinfo.address);
  };
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + msg.length);
        const reply = liarReply(msg);
        if (reply === undefined) continue;
        count(msg);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(reply.length);
        socket.write(Buffer.concat([len, reply]));
      }
    });
  });
  const { port, udp } = await bindUdpAndTcp('127.0.0.1', onUdp, tcp);
  return {
    port,
    txtQueries: () => txt,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
      await new Promise<void>((r) => udp.close(() => r()));
    },
  };
}

/** POSIX single-quoting for the one shell command `script` runs. */
const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * `dnsmesh …args` for `user` on a pseudo-terminal (util-linux `script`);
 * returns the exit result, `stdout` being everything the terminal showed.
 */
export function onTty(user: CliUser, args: readonly string[], input?: string): Promise<ExecResult> {
  const argv = [
    process.execPath,
    '--import',
    'tsx',
    CLI_TS,
    '--config-home',
    user.configHome,
    ...args,
  ];
  return run('script', ['-qec', argv.map(shellQuote).join(' '), '/dev/null'], {
    env: cleanEnv(user.env),
    timeoutMs: 30_000,
    ...(input === undefined ? {} : { input }),
  });
}
