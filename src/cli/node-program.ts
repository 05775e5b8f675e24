/**
 * The `dnsmesh-node` command line (also `dnsmesh node`): runs the DMP node daemon, and manages its TSIG keys.
 *
 *   dnsmesh-node [options]                 serve DNS (5353) and HTTP (8053) on loopback
 *   dnsmesh-node key add NAME [--scope S]  mint a TSIG key, print a BIND key file (or --out FILE)
 *   dnsmesh-node key list | key revoke NAME
 *   dnsmesh-node token issue|list|revoke|rotate, audit tail   bearer tokens (node-token-commands.ts;
 *                                          also the `dnsmesh-node-admin` bin)
 *   dnsmesh-node cluster keygen|sign       the cluster manifest (node-cluster-commands.ts)
 *
 * Options override `DMP_*` environment variables, which override `--config FILE`.
 * The state options (`--config`, `--zone`, `--data-dir`, `--db-path`) mean the
 * same before a subcommand as after it: `dnsmesh-node --data-dir D key list`
 * reads D.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { NodeConfigInput } from '../node/config/node-config.js';
import { VERSION } from '../version.js';
import { addClusterCommands } from './node-cluster-commands.js';
import { addTokenCommands, type TokenCommandsHost } from './node-token-commands.js';

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

interface ServeFlags {
  config?: string;
  zone?: string;
  dataDir?: string;
  dbPath?: string;
  dnsHost?: string[];
  dnsPort?: number;
  httpHost?: string;
  httpPort?: number;
  http?: boolean;
  allowPublicBind?: boolean;
  logLevel?: string;
  logFormat?: 'text' | 'json';
}

function flagsToConfig(f: ServeFlags): NodeConfigInput {
  const c: Record<string, unknown> = {};
  if (f.zone) c.zone = f.zone.toLowerCase().replace(/\.+$/, '');
  if (f.dataDir) c.dataDir = f.dataDir;
  if (f.dbPath) c.dbPath = f.dbPath;
  const dns: Record<string, unknown> = {};
  if (f.dnsHost) dns.hosts = f.dnsHost;
  if (f.dnsPort !== undefined) dns.port = f.dnsPort;
  if (Object.keys(dns).length) c.dns = dns;
  const http: Record<string, unknown> = {};
  if (f.httpHost) http.host = f.httpHost;
  if (f.httpPort !== undefined) http.port = f.httpPort;
  if (f.http === false) http.enabled = false;
  if (Object.keys(http).length) c.http = http;
  if (f.allowPublicBind) c.allowPublicBind = true;
  const log: Record<string, unknown> = {};
  if (f.logLevel) log.level = f.logLevel;
  if (f.logFormat) log.format = f.logFormat;
  if (Object.keys(log).length) c.log = log;
  return c as NodeConfigInput;
}

async function loadConfig(f: ServeFlags, onNotice?: (notice: string) => void) {
  const { loadNodeConfig, NodeConfigError } = await import('../node/config/load.js');
  try {
    return loadNodeConfig({
      file: f.config,
      env: process.env,
      flags: flagsToConfig(f),
      ...(onNotice ? { onNotice } : {}),
    });
  } catch (err) {
    if (err instanceof NodeConfigError) fail(err.message, 1);
    throw err;
  }
}

function fail(message: string, code = 1): never {
  process.stderr.write(`dnsmesh-node: ${message}\n`);
  process.exit(code);
}

function commonOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML configuration file')
    .option('--zone <zone>', 'served zone (DMP_SERVED_ZONE)')
    .option('--data-dir <dir>', 'state directory (default ./dnsmesh-data)')
    .option('--db-path <file>', 'sqlite database (DMP_DB_PATH)');
}

/**
 * The options of `cmd` over those given to its parents, nearest last: with
 * positional options (`enablePositionalOptions`), commander keeps each
 * command's own, and `dnsmesh-node --data-dir D key add alice` would
 * otherwise mint into ./dnsmesh-data.
 */
function optionsWithParents<T>(cmd: Command): T {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) chain.unshift(c);
  const out: Record<string, unknown> = {};
  for (const c of chain) {
    for (const [k, v] of Object.entries(c.opts())) if (v !== undefined) out[k] = v;
  }
  return out as T;
}

async function serve(flags: ServeFlags): Promise<void> {
  const notices: string[] = [];
  const config = await loadConfig(flags, (n) => notices.push(n));
  const { installNodeCrypto } = await import('../runtime/node-crypto-provider.js');
  installNodeCrypto();
  const { createNodeLogger } = await import('../node/log.js');
  const { startNode } = await import('../node/node.js');
  const logger = createNodeLogger(config.log);
  for (const notice of notices) logger.warn(notice);
  let node: Awaited<ReturnType<typeof startNode>>;
  try {
    node = await startNode(config, { logger });
  } catch (err) {
    const { explainStartError } = await import('./node-start-errors.js');
    fail(`could not start: ${explainStartError(err, config)}`, 1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, shutting down`);
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * Runs `fn` on the node's key store. `check` sees the zone first and may
 * throw, before the data directory or database is created.
 */
async function withKeyStore<T>(
  flags: ServeFlags,
  fn: (store: import('../node/store/types.js').TsigKeyStore, zone: string) => T,
  check?: (zone: string) => void,
): Promise<T> {
  const config = await loadConfig(flags);
  check?.(config.zone);
  const { mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  mkdirSync(dirname(config.dbPath), { recursive: true, mode: 0o700 });
  const { openNodeStores } = await import('../node/store/sqlite/node-stores.js');
  const stores = openNodeStores(config.dbPath, { synchronous: config.store.synchronous });
  try {
    return fn(stores.tsigKeys, config.zone);
  } finally {
    stores.close();
  }
}

const tokenCommandsHost: TokenCommandsHost = {
  stateOptions: commonOptions,
  flagsOf: optionsWithParents,
  databasePath: async (flags) => (await loadConfig(flags)).dbPath,
};

export function buildNodeProgram(): Command {
  const program = new Command('dnsmesh-node')
    .description(
      'DNS Mesh Protocol node: authoritative DNS + RFC 2136 UPDATE/TSIG + registration API',
    )
    .version(VERSION, '-V, --version', 'print the version and exit')
    .showHelpAfterError()
    .enablePositionalOptions();
  commonOptions(program)
    .option('--dns-host <ip>', 'address to bind for DNS (repeatable)', collect)
    .option('--dns-port <port>', 'DNS port, UDP and TCP (default 5353)', int)
    .option('--http-host <ip>', 'address to bind for HTTP (default 127.0.0.1)')
    .option('--http-port <port>', 'HTTP port (default 8053)', int)
    .option('--no-http', 'do not serve the HTTP API')
    .option('--allow-public-bind', 'permit binding non-loopback addresses')
    .option('--log-level <level>', 'trace|debug|info|warn|error')
    .addOption(new Option('--log-format <format>', 'log format').choices(['text', 'json']))
    .action((flags: ServeFlags) => serve(flags));

  // The state options on `key` too, so `dnsmesh-node key --data-dir D list` works.
  const key = commonOptions(program.command('key')).description('manage TSIG keys');
  commonOptions(key.command('add <name>'))
    .description('mint a TSIG key (hmac-sha256) and print it as a BIND key file for nsupdate')
    .option(
      '--scope <suffix>',
      'owner suffix inside the zone the key may write (repeatable; * matches within one ' +
        'label, e.g. slot-*.mb-*.ZONE; default: the whole zone)',
      collect,
    )
    .option('--ttl <seconds>', 'key lifetime (default: never expires)', int)
    .option('--out <file>', 'write the key file to FILE, created with mode 0600, not to stdout')
    .option('--force', 'replace an active key of that name (new secret and scope); overwrite --out')
    .addHelpText(
      'after',
      '\nThe key file holds the secret. Write it with --out (owner-only, 0600), not with a\n' +
        'shell redirect, which creates a file others can read (0644 under the usual umask):\n' +
        '  dnsmesh-node key add alice --out alice.key && nsupdate -k alice.key\n',
    )
    .action(async (name: string, _local: unknown, cmd: Command) => {
      const flags = optionsWithParents<
        ServeFlags & { scope?: string[]; ttl?: number; out?: string; force?: boolean }
      >(cmd);
      const force = flags.force === true;
      const { addTsigKey, bindKeyFile, checkScope } = await import(
        '../node/admin/tsig-key-admin.js'
      );
      const keyFile = await import('./node-key-file.js');
      if (flags.out !== undefined) {
        const problem = keyFile.checkKeyFileTarget(flags.out, force);
        if (problem !== undefined) fail(problem);
      }
      const record = await withKeyStore(
        flags,
        (store, zone) =>
          addTsigKey(store, {
            name,
            zone,
            scope: flags.scope,
            ttlSeconds: flags.ttl,
            force,
            now: Math.floor(Date.now() / 1000),
          }),
        (zone) => checkScope(flags.scope ?? [], zone),
      ).catch((err: Error) => fail(err.message));
      const text = bindKeyFile(record);
      if (flags.out === undefined) {
        const warning = keyFile.stdoutSecretWarning();
        if (warning !== undefined) process.stderr.write(`dnsmesh-node: warning: ${warning}\n`);
        process.stdout.write(text);
        return;
      }
      await keyFile
        .writeKeyFile(flags.out, text, force)
        .catch((err: Error) =>
          fail(`key ${record.name} was minted, but writing ${flags.out} failed: ${err.message}`),
        );
      process.stdout.write(`wrote key ${record.name} to ${flags.out} (mode 0600)\n`);
    });
  commonOptions(key.command('list'))
    .description('list active TSIG keys (names and scopes; never secrets)')
    .option('--json', 'machine-readable output')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = optionsWithParents<ServeFlags & { json?: boolean }>(cmd);
      const now = Math.floor(Date.now() / 1000);
      const keys = await withKeyStore(flags, (store) => store.listActive(now));
      const rows = keys.map((k) => ({
        name: k.name,
        algorithm: k.algorithm,
        subject: k.subject,
        expires_at: k.expiresAt,
        allowed_suffixes: k.allowedSuffixes,
      }));
      if (flags.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) process.stdout.write('no active keys\n');
      else
        for (const r of rows)
          process.stdout.write(`${r.name}  ${r.subject || '-'}  ${r.allowed_suffixes.join(',')}\n`);
    });
  commonOptions(key.command('revoke <name>'))
    .description('revoke a TSIG key')
    .action(async (name: string, _local: unknown, cmd: Command) => {
      const ok = await withKeyStore(optionsWithParents<ServeFlags>(cmd), (store, zone) =>
        store.revoke(name.endsWith('.') || name.includes('.') ? name : `${name}.${zone}.`),
      );
      if (!ok) fail(`no key named ${name}`, 1);
      process.stdout.write(`revoked ${name}\n`);
    });
  addTokenCommands(program, tokenCommandsHost);
  addClusterCommands(program);
  return program;
}

/**
 * `dnsmesh-node-admin`: the reference's name for the token and audit
 * commands, the same commands as under `dnsmesh-node` (and no daemon).
 */
export function buildNodeAdminProgram(): Command {
  const program = new Command('dnsmesh-node-admin')
    .description('operator commands for the dnsmesh-node token store and its audit trail')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .showHelpAfterError()
    .enablePositionalOptions()
    // The reference (argparse) exits 2 on usage errors.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  commonOptions(program).option('--db <file>', 'same as --db-path (the reference admin CLI name)');
  addTokenCommands(program, tokenCommandsHost);
  return program;
}

/** Runs `dnsmesh-node-admin` on `argv` (user arguments only). */
export function runNodeAdminCli(argv: readonly string[]): Promise<unknown> {
  return buildNodeAdminProgram()
    .parseAsync([...argv], { from: 'user' })
    .catch((err: Error) => {
      process.stderr.write(`dnsmesh-node-admin: ${err.message}\n`);
      process.exit(1);
    });
}

/** Runs the node CLI on `argv` (user arguments only, without `node script`). */
export function runNodeCli(argv: readonly string[]): Promise<unknown> {
  return buildNodeProgram()
    .parseAsync([...argv], { from: 'user' })
    .catch((err: Error) => fail(err.message, 1));
}
