/**
 * `dnsmesh doctor [--repair] [--json]` (cli spec §5.19): diagnoses the setup
 * problems that make sends and receives fail silently — unreachable node,
 * unpinned or dead local DNS endpoint, a public resolver mistaken for the
 * node, no TSIG key. Exit 1 when any check FAILs, else 0. `--repair`
 * re-probes the local node DNS endpoint and pins it (nothing else changes).
 */
import type { CliConfig } from '../config/fields.js';
import { loadConfig, saveConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { endpointHost } from '../endpoint.js';
import { describeError, userError } from '../errors.js';
import { nodeHttpFetch } from '../node-http-fetch.js';
import { colour, printJson, println } from '../output.js';

export interface DoctorOptions {
  repair?: boolean;
  json?: boolean;
}

type Status = 'PASS' | 'WARN' | 'FAIL';

interface Check {
  readonly status: Status;
  readonly check: string;
  readonly detail: string;
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

async function endpointCheck(config: CliConfig): Promise<Check> {
  if (config.endpoint === '') {
    return {
      status: 'WARN',
      check: 'endpoint not configured',
      detail:
        'local commands work, but send/recv need a node: `dnsmesh init <user> --endpoint <url> --force` ' +
        '(new identity) or set endpoint in config.yaml',
    };
  }
  const url = `${config.endpoint.replace(/\/+$/, '')}/health`;
  try {
    const res = await nodeHttpFetch(url, { signal: AbortSignal.timeout(4000) });
    await res.body?.cancel();
    if (res.status === 200)
      return { status: 'PASS', check: 'endpoint reachable', detail: `HTTP 200 from ${url}` };
    return {
      status: 'WARN',
      check: 'endpoint reachable but unhealthy',
      detail: `HTTP ${res.status} from ${url} — the node may be degraded; ask its operator`,
    };
  } catch (err) {
    return {
      status: 'FAIL',
      check: 'endpoint unreachable',
      detail: `cannot reach ${url}: ${describeError(err)} — the node is down, the URL is wrong, or the network blocks it`,
    };
  }
}

async function localDnsCheck(config: CliConfig): Promise<Check | undefined> {
  const { looksLikeDmpNode, probeConfiguredNodeDns } = await import('../local-dns-probe.js');
  if (config.local_node_dns_server !== '' && config.local_node_dns_port !== 0) {
    const target = `${config.local_node_dns_server}:${config.local_node_dns_port}`;
    if (await looksLikeDmpNode(config.local_node_dns_server, config.local_node_dns_port, 2000)) {
      return {
        status: 'PASS',
        check: 'local DNS endpoint responds',
        detail: `${target} answered like a DMP node`,
      };
    }
    return {
      status: 'FAIL',
      check: 'local DNS endpoint not responding',
      detail:
        `${target} (local_node_dns_server/port) did not answer like a DMP node, so same-zone claim ` +
        'notifications are lost — fix the node or firewall, or run `dnsmesh doctor --repair`',
    };
  }
  if (config.endpoint === '') return undefined;
  const found = await probeConfiguredNodeDns(config);
  if (found !== undefined) {
    return {
      status: 'WARN',
      check: 'local DNS endpoint reachable but not pinned',
      detail: `found a DMP node at ${found.host}:${found.port} — pin it with \`dnsmesh doctor --repair\``,
    };
  }
  return {
    status: 'WARN',
    check: 'local DNS endpoint not auto-detectable',
    detail:
      "no DMP node answered on the endpoint host's DNS ports (5353, 53); on a split-host setup set " +
      'local_node_dns_server / local_node_dns_port in config.yaml',
  };
}

function resolverCheck(config: CliConfig): Check | undefined {
  const host = (config.dns_host ?? '').trim();
  if (!PUBLIC_RESOLVERS.has(host)) return undefined;
  if (config.local_node_dns_server === '' || config.local_node_dns_port === 0) {
    return {
      status: 'WARN',
      check: 'dns_host is a public recursive resolver',
      detail:
        `dns_host=${host} is fine for reads, but unsigned claim UPDATEs need the node's own DNS ` +
        'server — pin local_node_dns_server (see `dnsmesh doctor --repair`)',
    };
  }
  return {
    status: 'PASS',
    check: 'read resolver and write target are distinct',
    detail: `reads via ${host}, writes via ${config.local_node_dns_server}:${config.local_node_dns_port}`,
  };
}

function tsigCheck(config: CliConfig): Check {
  if (config.tsig_key_name !== '' && config.tsig_secret_hex !== '') {
    return {
      status: 'PASS',
      check: 'TSIG registered',
      detail: `key=${config.tsig_key_name} zone=${config.tsig_zone}`,
    };
  }
  return {
    status: 'WARN',
    check: 'TSIG not registered',
    detail:
      'writes go over the HTTP API; `dnsmesh tsig register --node <host>` switches them to signed DNS UPDATE',
  };
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

export async function runDoctor(ctx: CliContext, opts: DoctorOptions): Promise<number> {
  const config = await loadConfig(ctx.paths);
  if (opts.repair) return repair(ctx, config);

  const [endpoint, localDns] = await Promise.all([endpointCheck(config), localDnsCheck(config)]);
  const checks = [endpoint, localDns, resolverCheck(config), tsigCheck(config)].filter(
    (c): c is Check => c !== undefined,
  );
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
  for (const c of checks)
    println(`  ${colour(c.status, paint[c.status])}  ${c.check}`, `        ${c.detail}`);
  println('');
  if (fails > 0) println(colour(`DOCTOR: ${fails} FAIL, ${warns} WARN`, 'red'));
  else if (warns > 0) println(colour(`DOCTOR: ${warns} WARN`, 'yellow'));
  else println(colour('DOCTOR: clean', 'green'));
  return fails > 0 ? 1 : 0;
}
