/**
 * The reader and writer a config selects (cli spec §3):
 *
 * - reads: the `dns_resolvers` pool (5 s per resolver, 10 s per lookup),
 *   else the single `dns_host:dns_port` (3 s), else the system's resolvers
 *   (from resolv.conf, 3 s / 6 s); DNSSEC AD required when configured;
 * - writes: TSIG-signed DNS UPDATE when a TSIG key is configured, else the
 *   node's HTTP API with `http_token` or the saved token for its host.
 */
import { getServers, lookup } from 'node:dns/promises';
import { DirectReader } from '../dns/client/direct-reader.js';
import { DnsUpdateWriter } from '../dns/client/dns-update-writer.js';
import { DnsRequestError } from '../dns/client/errors.js';
import { HttpRecordWriter } from '../dns/client/http-record-writer.js';
import { RecordWriteError, type RecordWriter } from '../dns/client/record-writer.js';
import { ResolverPool } from '../dns/client/resolver-pool.js';
import { type DnsServer, isIpLiteral } from '../dns/client/server-address.js';
import type { TxtReader } from '../dns/client/txt-reader.js';
import { tryFromHex } from '../protocol/bytes.js';
import type { CliConfig } from './config/fields.js';
import type { CliContext } from './context.js';
import { endpointHost } from './endpoint.js';
import { noEndpointError, userError } from './errors.js';
import { nodeHttpFetchAsFetch } from './node-http-fetch.js';
import { formatResolverEntry, parseResolverEntry } from './resolver-entries.js';
import { bearerForEndpoint } from './tokens.js';

/** A writer plus a description for messages (`HTTP https://…`, `DNS UPDATE 1.2.3.4:53`). */
export interface DescribedWriter {
  readonly writer: RecordWriter;
  readonly kind: 'http' | 'dns-update';
  readonly target: string;
}

/** IPv4 first, as the reference resolves hosts; undefined when the name does not resolve. */
export async function resolveHost(host: string): Promise<string | undefined> {
  if (isIpLiteral(host)) return host;
  for (const family of [4, 6] as const) {
    try {
      return (await lookup(host, { family })).address;
    } catch {
      // Try the other family.
    }
  }
  return undefined;
}

function configuredPool(ctx: CliContext, config: CliConfig): string[] {
  return config.dns_resolvers.map((entry) => {
    try {
      return formatResolverEntry(parseResolverEntry(entry));
    } catch (err) {
      throw userError(
        `dns_resolvers in ${ctx.paths.configPath} has a bad entry: ${(err as Error).message} — fix it or run \`dnsmesh resolvers discover --save\``,
      );
    }
  });
}

/** The TXT reader for `config`. */
export async function buildReader(ctx: CliContext, config: CliConfig): Promise<TxtReader> {
  const dnssecRequired = config.dnssec_required;
  if (config.dns_resolvers.length > 0) {
    return new ResolverPool(configuredPool(ctx, config), {
      timeoutMs: 5000,
      deadlineMs: 10_000,
      dnssecRequired,
    });
  }
  if (config.dns_host !== null && config.dns_host !== '') {
    const address = await resolveHost(config.dns_host);
    if (address === undefined) {
      throw userError(
        `dns_host ${config.dns_host} does not resolve — set an IP address in ${ctx.paths.configPath}`,
      );
    }
    return new DirectReader({
      server: { host: address, port: config.dns_port },
      timeoutMs: 3000,
      dnssecRequired,
    });
  }
  const system = getServers();
  if (system.length === 0) {
    throw userError(
      'no DNS resolver: dns_resolvers is empty, dns_host is unset and the system has none — run `dnsmesh resolvers discover --save`',
    );
  }
  return new ResolverPool(system, { timeoutMs: 3000, deadlineMs: 6000, dnssecRequired });
}

async function tsigWriter(ctx: CliContext, config: CliConfig): Promise<DescribedWriter> {
  const secret = tryFromHex(config.tsig_secret_hex);
  if (secret === undefined || secret.length === 0) {
    throw userError(
      `tsig_secret_hex in ${ctx.paths.configPath} is not hex — run \`dnsmesh tsig register\` again`,
    );
  }
  const zone = config.tsig_zone.trim();
  if (zone === '') {
    throw userError(
      `tsig_zone in ${ctx.paths.configPath} is empty — run \`dnsmesh tsig register\` again`,
    );
  }
  let host = config.tsig_dns_server.trim();
  if (host === '') {
    const fromEndpoint = endpointHost(config.endpoint);
    host = isIpLiteral(fromEndpoint) || fromEndpoint === 'localhost' ? '' : fromEndpoint;
  }
  if (host === '') {
    throw userError(
      `no DNS server for TSIG updates — set tsig_dns_server in ${ctx.paths.configPath} or give the endpoint a host name`,
    );
  }
  const port = config.tsig_dns_port || 53;
  const address = await resolveHost(host);
  const server: DnsServer = { host: address ?? host, port };
  const writer =
    address === undefined
      ? unresolvedWriter(host)
      : new DnsUpdateWriter({
          server,
          zone,
          key: { name: config.tsig_key_name, algorithm: config.tsig_algorithm, secret },
        });
  return { writer, kind: 'dns-update', target: `${host}:${port}` };
}

/** The writer for `config` (cli spec §3.2). */
export async function buildWriter(ctx: CliContext, config: CliConfig): Promise<DescribedWriter> {
  if (config.tsig_key_name !== '' && config.tsig_secret_hex !== '') return tsigWriter(ctx, config);
  if (config.endpoint === '') throw noEndpointError(ctx.paths.configPath);
  const token =
    config.http_token !== null && config.http_token !== ''
      ? config.http_token
      : await bearerForEndpoint(ctx.paths.tokensHome, config.endpoint);
  return {
    writer: new HttpRecordWriter({ baseUrl: config.endpoint, token, fetch: nodeHttpFetchAsFetch }),
    kind: 'http',
    target: config.endpoint,
  };
}

/**
 * The own node's DNS listener, target of same-zone receiver claims (cli spec
 * §3.3): `local_node_dns_*`, else the TSIG target, else the endpoint host on
 * `dns_port`. Undefined when none is configured or the host does not resolve.
 */
export async function localNodeDns(config: CliConfig): Promise<DnsServer | undefined> {
  let host = '';
  let port = 0;
  if (config.local_node_dns_server !== '' && config.local_node_dns_port !== 0) {
    host = config.local_node_dns_server;
    port = config.local_node_dns_port;
  } else if (config.tsig_dns_server !== '' && config.tsig_dns_port !== 0) {
    host = config.tsig_dns_server;
    port = config.tsig_dns_port;
  } else if (config.endpoint !== '') {
    host = endpointHost(config.endpoint);
    port = config.dns_port || 5353;
  }
  if (host === '') return undefined;
  const address = await resolveHost(host);
  return address === undefined ? undefined : { host: address, port };
}

function unresolvedWriter(host: string): RecordWriter {
  const fail = (op: 'publish' | 'delete', name: string): never => {
    throw new RecordWriteError(
      'unreachable',
      op,
      name,
      host,
      `the TSIG DNS server ${host} does not resolve`,
      'set tsig_dns_server to a resolvable host or an IP address',
      { cause: new DnsRequestError(`cannot resolve ${host}`) },
    );
  };
  return {
    publish: async (name) => fail('publish', name),
    delete: async (name) => fail('delete', name),
  };
}
