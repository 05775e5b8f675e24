/**
 * Assembles the effective {@link NodeConfig}: defaults ← YAML file ← `DMP_*`
 * environment ← flags, then validates it. Every problem is reported at once
 * as a {@link NodeConfigError} with one line per issue. Every key and
 * variable is listed in docs/configuration.md; the file's keys and their
 * types are in schema.ts.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ClientAddressResolver } from '../http/client-address.js';
import { CrossSiteGuard } from '../http/cross-site.js';
import { isSqliteSynchronous, SQLITE_SYNCHRONOUS_MODES } from '../store/sqlite/synchronous.js';
import { configFromEnv } from './env.js';
import { checkConfigFile } from './file-check.js';
import { DEFAULT_NODE_CONFIG, type NodeConfig, type NodeConfigInput } from './node-config.js';

export class NodeConfigError extends Error {
  override readonly name = 'NodeConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid node configuration:\n  ${problems.join('\n  ')}`);
  }
}

export interface LoadConfigOptions {
  /** YAML file path (`--config`). */
  readonly file?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags (highest precedence). */
  readonly flags?: NodeConfigInput;
  /** Receives settings that were read differently from the reference (for a start-up warning). */
  readonly onNotice?: (notice: string) => void;
}

/** Loads, merges and validates; throws {@link NodeConfigError}. */
export function loadNodeConfig(options: LoadConfigOptions = {}): NodeConfig {
  const problems: string[] = [];
  let fromFile: NodeConfigInput = {};
  if (options.file) {
    try {
      const parsed = parseYaml(readFileSync(options.file, 'utf8')) ?? {};
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        problems.push(`${options.file}: expected a mapping at the top level`);
      } else {
        // Only well-typed, known keys are merged; the rest are reported.
        const checked = checkConfigFile(parsed as Record<string, unknown>);
        for (const problem of checked.problems) problems.push(`${options.file}: ${problem}`);
        fromFile = checked.config;
      }
    } catch (err) {
      problems.push(`${options.file}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const env = configFromEnv(options.env ?? {});
  problems.push(...env.errors);
  for (const notice of env.notices) options.onNotice?.(notice);
  let merged = mergeConfig(DEFAULT_NODE_CONFIG, fromFile, env.config, options.flags ?? {});
  // The database follows the data directory unless it was set explicitly.
  const dbExplicit = fromFile.dbPath ?? env.config.dbPath ?? options.flags?.dbPath;
  if (!dbExplicit) merged = { ...merged, dbPath: join(merged.dataDir, 'dnsmesh.db') };
  if (!(fromFile.auth?.mode ?? env.config.auth?.mode ?? options.flags?.auth?.mode)) {
    merged = {
      ...merged,
      auth: { ...merged.auth, mode: merged.auth.operatorToken ? 'legacy' : 'open' },
    };
  }
  // Negative answers need an SOA (RFC 2308) for resolvers to cache them, so a
  // node always has one: operators set real names, a first run gets these.
  merged = {
    ...merged,
    apex: {
      ...merged.apex,
      ns: merged.apex.ns ?? `ns1.${merged.zone}`,
      soaRname: merged.apex.soaRname ?? `hostmaster.${merged.zone}`,
    },
  };
  problems.push(...validateNodeConfig(merged));
  if (problems.length > 0) throw new NodeConfigError(problems);
  return merged;
}

/** Deep-merges partial configurations over a full one (arrays replace). */
export function mergeConfig(base: NodeConfig, ...layers: NodeConfigInput[]): NodeConfig {
  let out: Record<string, unknown> = { ...base };
  for (const layer of layers) out = mergeObject(out, layer as Record<string, unknown>);
  return out as unknown as NodeConfig;
}

function mergeObject(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] =
      v !== null && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object'
        ? mergeObject(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** Shortest operator token accepted on a non-loopback HTTP bind. */
const MIN_PUBLIC_OPERATOR_TOKEN = 16;
/** Placeholders shipped in examples (ours and the reference's). */
const WEAK_OPERATOR_TOKENS = new Set(['change-me', 'changeme', 'change-me-please', 'secret']);

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/** Returns every problem with a merged configuration. */
export function validateNodeConfig(c: NodeConfig): string[] {
  const p: string[] = [];
  const port = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 0 || v > 65535)
      p.push(`${name} must be a port number (0-65535)`);
  };
  const positive = (name: string, v: number) => {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) p.push(`${name} must be > 0`);
  };
  port('dns.port', c.dns.port);
  port('http.port', c.http.port);
  positive('dns.ttl', c.dns.ttl);
  positive('cleanupIntervalSeconds', c.cleanupIntervalSeconds);
  positive('DMP_SYNC_INTERVAL (sync.intervalSeconds)', c.sync.intervalSeconds);
  const budget = c.dns.responseBytesPerNetwork;
  if (!(typeof budget === 'number' && Number.isFinite(budget) && budget >= 0)) {
    p.push(
      'DMP_DNS_RESPONSE_BYTES_PER_NETWORK (dns.responseBytesPerNetwork) must be ≥ 0 (0 = off)',
    );
  }
  if (typeof c.dns.cookies !== 'boolean') p.push('dns.cookies must be true or false');
  if (!isSqliteSynchronous(c.store.synchronous)) {
    p.push(
      `DMP_SQLITE_SYNCHRONOUS (store.synchronous) must be ${SQLITE_SYNCHRONOUS_MODES.join(' or ')}, ` +
        `got ${JSON.stringify(c.store.synchronous)}`,
    );
  }
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*$/.test(c.zone)) {
    p.push(`zone ${JSON.stringify(c.zone)} is not a valid DNS name`);
  }
  if (c.dns.hosts.length === 0) p.push('dns.hosts must list at least one address');
  for (const h of c.dns.hosts) {
    if (isIP(h) === 0) p.push(`dns.hosts: ${JSON.stringify(h)} is not an IP address`);
  }
  const publicHosts = [...c.dns.hosts, ...(c.http.enabled ? [c.http.host] : [])].filter(
    (h) => !isLoopback(h),
  );
  if (publicHosts.length > 0 && !c.allowPublicBind) {
    p.push(
      `refusing to bind non-loopback address(es) ${publicHosts.join(', ')} without ` +
        '--allow-public-bind (DMP_ALLOW_PUBLIC_BIND=1)',
    );
  }
  if (
    c.http.enabled &&
    c.auth.mode === 'open' &&
    !isLoopback(c.http.host) &&
    !c.auth.allowOpenPublicBind
  ) {
    p.push(
      'HTTP auth mode "open" on a public address lets anyone publish; set an operator token ' +
        '(DMP_OPERATOR_TOKEN) or DMP_ALLOW_OPEN_PUBLIC_BIND=1',
    );
  }
  try {
    new ClientAddressResolver(c.http.trustedProxies ?? []);
  } catch (err) {
    p.push(`DMP_TRUSTED_PROXIES: ${(err as Error).message}`);
  }
  try {
    new CrossSiteGuard({ bindHost: c.http.host, allowedHosts: c.http.allowedHosts });
  } catch (err) {
    p.push(`DMP_HTTP_ALLOWED_HOSTS: ${(err as Error).message}`);
  }
  if (c.registration.enabled && c.registration.scopeMode === 'loose') {
    // A loose key may write every name of the zone, including every other
    // user's identity: handed to anyone who registers, that is a takeover.
    p.push(
      'DMP_TSIG_LOOSE_SCOPE gives every self-registered key the whole zone; ' +
        'it is refused while registration is enabled (mint such keys with `dnsmesh-node key add`)',
    );
  }
  const token = c.auth.operatorToken;
  if (
    c.http.enabled &&
    !isLoopback(c.http.host) &&
    token !== undefined &&
    (token.length < MIN_PUBLIC_OPERATOR_TOKEN || WEAK_OPERATOR_TOKENS.has(token.toLowerCase()))
  ) {
    p.push(
      `DMP_OPERATOR_TOKEN is too weak for an HTTP API on ${c.http.host}: use at least ` +
        `${MIN_PUBLIC_OPERATOR_TOKEN} random characters (e.g. openssl rand -hex 32)`,
    );
  }
  if (c.registration.enabled && !c.registration.nodeHostname) {
    p.push('registration needs registration.nodeHostname (DMP_NODE_HOSTNAME)');
  }
  if (
    !['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'critical'].includes(
      c.log.level,
    )
  ) {
    p.push(`log.level ${JSON.stringify(c.log.level)} is not a log level`);
  }
  return p;
}
