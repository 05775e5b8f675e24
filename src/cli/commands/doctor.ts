/**
 * `dnsmesh doctor [--repair] [--json]` (cli spec §5.19): diagnoses why sends
 * and receives would fail, by exercising the paths they use, changing
 * nothing:
 *
 * - the node's `/health`, its DNS listener (where same-zone claims go), a
 *   public resolver mistaken for the node, the TSIG block (the reference's
 *   four checks);
 * - each resolver the reader would use, asked for the identity name
 *   (`doctor/resolvers.ts`);
 * - the write path: a TSIG-signed no-op UPDATE, or the HTTP token on a
 *   no-op delete (`doctor/write-path.ts`);
 * - the published identity against this config's keys (`doctor/identity.ts`);
 * - the claim providers send and recv would use (`doctor/providers.ts`);
 * - saved tokens' expiry (`doctor/credentials.ts`).
 *
 * Every network step has a short timeout and they run in parallel (under
 * ~10 s in the worst case). Each WARN and FAIL names the exact fix. Exit 1
 * when any check FAILs, else 0. `--repair` re-probes the local node DNS
 * endpoint and pins it (nothing else changes).
 */
import { type CliConfig, effectiveDomain } from '../config/fields.js';
import { loadConfig, saveConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { type Check, failure, pass, warning, within } from '../doctor/check.js';
import { credentialsCheck } from '../doctor/credentials.js';
import { identityCheck, type OwnKeys, ownIdentityName, ownKeys } from '../doctor/identity.js';
import { providersCheck } from '../doctor/providers.js';
import {
  canaryName,
  configuredResolvers,
  probeResolvers,
  resolversCheck,
} from '../doctor/resolvers.js';
import { probeWritePath, type WritePath } from '../doctor/write-path.js';
import { endpointHost } from '../endpoint.js';
import { describeError, userError } from '../errors.js';
import { nodeHttpFetch } from '../node-http-fetch.js';
import { colour, printJson, println } from '../output.js';

export interface DoctorOptions {
  repair?: boolean;
  json?: boolean;
}

/** Public recursive resolvers: fine for reads, never a DMP node's UPDATE target. */
const PUBLIC_RESOLVERS = new Set([
  '1.1.1.1',
  '1.0.0.1',
  '8.8.8.8',
  '8.8.4.4',
  '9.9.9.9',
  '149.112.112.112',
  '208.67.222.222',
  '208.67.220.220',
]);

/** Longest the claim-provider check may take (it starts once the resolvers answered). */
const PROVIDERS_BUDGET_MS = 5000;

async function endpointCheck(ctx: CliContext, config: CliConfig): Promise<Check> {
  if (config.endpoint === '') {
    return warning(
      'endpoint not configured',
      'local commands work, but send/recv need a node: set endpoint: <node URL> in ' +
        `${ctx.paths.configPath} (or a TSIG key: \`dnsmesh tsig register --node <url>\`)`,
    );
  }
  const url = `${config.endpoint.replace(/\/+$/, '')}/health`;
  try {
    const res = await nodeHttpFetch(url, { signal: AbortSignal.timeout(4000) });
    await res.body?.cancel();
    if (res.status === 200) return pass('endpoint reachable', `HTTP 200 from ${url}`);
    return warning(
      'endpoint reachable but unhealthy',
      `HTTP ${res.status} from ${url} — the node may be degraded; ask its operator`,
    );
  } catch (err) {
    const why =
      (err as { name?: unknown }).name === 'TimeoutError' ||
      (err as { name?: unknown }).name === 'AbortError'
        ? 'no answer within 4 s'
        : describeError(err);
    return failure(
      'endpoint unreachable',
      `cannot reach ${url}: ${why} — the node is down, the URL is wrong, or the network blocks it`,
    );
  }
}

function tsigConfigured(config: CliConfig): boolean {
  return config.tsig_key_name !== '' && config.tsig_secret_hex !== '';
}

/**
 * Where same-zone claims go, as `localNodeDns` picks it: `local_node_dns_*`
 * (probed), else the TSIG target (judged by the UPDATE probe), else the
 * endpoint host (auto-probed, "pin it" when found).
 */
async function localDnsCheck(
  config: CliConfig,
  write: Promise<WritePath>,
): Promise<Check | undefined> {
  const { looksLikeDmpNode, probeConfiguredNodeDns } = await import('../local-dns-probe.js');
  if (config.local_node_dns_server !== '' && config.local_node_dns_port !== 0) {
    const target = `${config.local_node_dns_server}:${config.local_node_dns_port}`;
    if (await looksLikeDmpNode(config.local_node_dns_server, config.local_node_dns_port, 2000)) {
      return pass('local DNS endpoint responds', `${target} answered like a DMP node`);
    }
    return failure(
      'local DNS endpoint not responding',
      `${target} (local_node_dns_server/port) did not answer like a DMP node, so same-zone claim ` +
        'notifications are lost — fix the node or firewall, or run `dnsmesh doctor --repair`',
    );
  }
  if (config.tsig_dns_server !== '' && config.tsig_dns_port !== 0) {
    const target = `${config.tsig_dns_server}:${config.tsig_dns_port}`;
    const how = `same-zone claims go to the TSIG UPDATE target ${target} (local_node_dns_* unset)`;
    if (tsigConfigured(config)) {
      // The UPDATE probe asked that very listener; its FAIL covers this case.
      return (await write).nodeDns === undefined
        ? undefined
        : pass('local DNS endpoint responds', `${how}, and a DMP node answered there`);
    }
    if (await looksLikeDmpNode(config.tsig_dns_server, config.tsig_dns_port, 2000)) {
      return pass('local DNS endpoint responds', `${how}, and a DMP node answered there`);
    }
    return failure(
      'local DNS endpoint not responding',
      `${how}, but nothing answered there like a DMP node, so same-zone claim notifications are ` +
        'lost — run `dnsmesh doctor --repair`',
    );
  }
  if (config.endpoint === '') return undefined;
  const found = await probeConfiguredNodeDns(config);
  if (found !== undefined) {
    return warning(
      'local DNS endpoint reachable but not pinned',
      `found a DMP node at ${found.host}:${found.port} — pin it with \`dnsmesh doctor --repair\``,
    );
  }
  return warning(
    'local DNS endpoint not auto-detectable',
    "no DMP node answered on the endpoint host's DNS ports (5353, 53); on a split-host setup set " +
      'local_node_dns_server / local_node_dns_port in config.yaml',
  );
}

function publicResolverCheck(config: CliConfig): Check | undefined {
  const host = (config.dns_host ?? '').trim();
  if (!PUBLIC_RESOLVERS.has(host)) return undefined;
  if (config.local_node_dns_server === '' || config.local_node_dns_port === 0) {
    return warning(
      'dns_host is a public recursive resolver',
      `dns_host=${host} is fine for reads, but unsigned claim UPDATEs need the node's own DNS ` +
        'server — pin local_node_dns_server (see `dnsmesh doctor --repair`)',
    );
  }
  return pass(
    'read resolver and write target are distinct',
    `reads via ${host}, writes via ${config.local_node_dns_server}:${config.local_node_dns_port}`,
  );
}

function tsigCheck(config: CliConfig): Check {
  if (tsigConfigured(config)) {
    return pass('TSIG registered', `key=${config.tsig_key_name} zone=${config.tsig_zone}`);
  }
  return warning(
    'TSIG not registered',
    'writes go over the HTTP API; `dnsmesh tsig register --node <host>` switches them to signed DNS UPDATE',
  );
}

async function repair(ctx: CliContext, config: CliConfig): Promise<number> {
  if (config.endpoint === '') {
    throw userError(
      'doctor --repair needs an endpoint to probe — set endpoint in config.yaml first',
    );
  }
  const { probeConfiguredNodeDns } = await import('../local-dns-probe.js');
  const found = await probeConfiguredNodeDns(config);
  if (found === undefined) {
    throw userError(
      `no DMP node answered on ${endpointHost(config.endpoint)} ports 5353/53 — start the node, open ` +
        `the port, or set local_node_dns_server / local_node_dns_port in ${ctx.paths.configPath}`,
    );
  }
  config.local_node_dns_server = found.host;
  config.local_node_dns_port = found.port;
  await saveConfig(ctx.paths, config);
  println(
    `pinned local_node_dns_server=${found.host} local_node_dns_port=${found.port} (identity, TSIG key and contacts unchanged)`,
  );
  return 0;
}

/** Runs every check, the network ones in parallel. */
async function runChecks(ctx: CliContext, config: CliConfig): Promise<Check[]> {
  const identityName = ownIdentityName(config);
  const zone = effectiveDomain(config) || config.identity_domain || 'invalid';
  const write = probeWritePath(ctx, config, identityName);
  const resolvers = configuredResolvers(config).then(async (set) => ({
    set,
    probes: await probeResolvers(
      set.servers,
      { identity: identityName, canary: canaryName(zone) },
      config.dnssec_required,
    ),
  }));
  const providers = resolvers.then(({ probes }) =>
    within(
      providersCheck(ctx, config, probes),
      PROVIDERS_BUDGET_MS,
      warning(
        'claim providers not checked',
        `no answer within ${PROVIDERS_BUDGET_MS / 1000} s — run \`dnsmesh doctor\` again`,
      ),
    ),
  );
  const keys: Promise<OwnKeys> = ownKeys(ctx, config).catch((err: unknown) => ({
    kind: 'problem',
    check: failure('identity keys unavailable', describeError(err)),
  }));
  const [endpoint, localDns, { set, probes }, written, own, providerCheck, credentials] =
    await Promise.all([
      endpointCheck(ctx, config),
      localDnsCheck(config, write),
      resolvers,
      write,
      keys,
      providers,
      credentialsCheck(ctx, config),
    ]);
  return [
    endpoint,
    localDns,
    publicResolverCheck(config),
    resolversCheck(set, probes, ctx.paths.configPath, written.nodeDns),
    tsigCheck(config),
    written.check,
    identityCheck(config, identityName, probes, own, written.identityInUse),
    providerCheck,
    credentials,
  ].filter((c): c is Check => c !== undefined);
}

export async function runDoctor(ctx: CliContext, opts: DoctorOptions): Promise<number> {
  const config = await loadConfig(ctx.paths);
  if (opts.repair) return repair(ctx, config);

  const checks = await runChecks(ctx, config);
  const fails = checks.filter((c) => c.status === 'FAIL').length;
  const warns = checks.filter((c) => c.status === 'WARN').length;
  if (opts.json) {
    printJson({ config: ctx.paths.configPath, checks, fails, warns });
    return fails > 0 ? 1 : 0;
  }
  const paint = { PASS: 'green', WARN: 'yellow', FAIL: 'red' } as const;
  println(
    'CONFIG',
    `  config:   ${ctx.paths.configPath}`,
    `  username: ${config.username || '(unset)'}`,
    `  domain:   ${config.domain}`,
    `  endpoint: ${config.endpoint || '(unset)'}`,
    '',
    'CHECKS',
  );
  for (const c of checks) {
    println(
      `  ${colour(c.status, paint[c.status])}  ${c.check}`,
      ...c.detail.split('\n').map((l) => `        ${l}`),
    );
  }
  println('');
  if (fails > 0) println(colour(`DOCTOR: ${fails} FAIL, ${warns} WARN`, 'red'));
  else if (warns > 0) println(colour(`DOCTOR: ${warns} WARN`, 'yellow'));
  else println(colour('DOCTOR: clean', 'green'));
  return fails > 0 ? 1 : 0;
}
