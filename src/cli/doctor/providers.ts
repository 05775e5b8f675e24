/**
 * Doctor check (d): the first-contact claim providers `send` and `recv`
 * use — the same list (`buildClaimProviderList`, read through the
 * resolvers that answered) — and for each, whether its zone exists through
 * those resolvers (recv reads claims there: a TXT query at the apex, which
 * a served zone answers with data or NODATA, never NXDOMAIN) and whether
 * its claim UPDATE target answers like a DMP node (send posts claims to
 * the provider's host on `DMP_PROVIDER_DNS_PORT` or 53; for the own zone,
 * to the own node's DNS listener, which the local DNS check judges).
 */
import { claimTargetHost, normalizeZone, providerDnsPort } from '../../client/claim-target.js';
import type { ClaimProvider } from '../../client/send.js';
import { ResolverPool } from '../../dns/client/resolver-pool.js';
import { type DnsServer, formatServer } from '../../dns/client/server-address.js';
import { buildClaimProviderList } from '../claim-providers.js';
import { type CliConfig, effectiveDomain } from '../config/fields.js';
import type { CliContext } from '../context.js';
import { looksLikeDmpNode } from '../local-dns-probe.js';
import { type Check, pass, warning, within } from './check.js';
import type { ResolverProbe } from './resolvers.js';

interface ProviderState {
  readonly provider: ClaimProvider;
  /** The apex answered (data or NODATA), said NXDOMAIN, or nothing answered. */
  readonly zone: 'answers' | 'no such zone' | 'silent';
  /**
   * Where send posts claims: `own` for the own zone (the node's DNS
   * listener, judged by the local DNS / TSIG checks), else `host:port` and
   * whether a DMP node answered there, or undefined when it has no address.
   */
  readonly target: 'own' | { readonly at: string; readonly dmp: boolean } | undefined;
}

async function inspect(
  ctx: CliContext,
  config: CliConfig,
  pool: ResolverPool,
  provider: ClaimProvider,
): Promise<ProviderState> {
  const own = normalizeZone(provider.zone) === normalizeZone(effectiveDomain(config));
  const host = claimTargetHost(provider.zone, provider.endpoint ?? '');
  const [apex, address] = await Promise.all([
    pool.readTxt(provider.zone).catch(() => undefined),
    own ? undefined : within(pool.resolveAddress(host), 2000, undefined),
  ]);
  const zone =
    apex === undefined || apex.status === 'error'
      ? 'silent'
      : apex.status === 'nxdomain'
        ? 'no such zone'
        : 'answers';
  if (own) return { provider, zone, target: 'own' };
  if (address === undefined) return { provider, zone, target: undefined };
  const server: DnsServer = { host: address, port: providerDnsPort(ctx.env) };
  const dmp = await looksLikeDmpNode(server.host, server.port, 1500);
  return { provider, zone, target: { at: formatServer(server), dmp } };
}

function line(s: ProviderState): string {
  const p = s.provider;
  const zone = {
    answers: 'zone answers',
    'no such zone': 'no such zone through your resolvers (NXDOMAIN at its apex)',
    silent: 'zone does not answer through your resolvers',
  }[s.zone];
  const target =
    s.target === 'own'
      ? "claims to your node's DNS listener (your zone)"
      : s.target === undefined
        ? `claim target ${claimTargetHost(p.zone, p.endpoint ?? '')} has no address`
        : `claims to ${s.target.at}${s.target.dmp ? '' : ', which does not answer like a DMP node'}`;
  return `${p.zone} via ${p.endpoint ?? '(no endpoint)'}: ${zone}; ${target}`;
}

const SET_PROVIDER = (configPath: string, config: CliConfig) =>
  'set claim_provider_override: <its URL> and claim_provider_zone: <its zone> in ' +
  `${configPath}${config.endpoint !== '' ? ` (your own node: ${config.endpoint} and ${effectiveDomain(config)})` : ''}; ` +
  'new setups get this with `dnsmesh init … --claim-provider self`';

/** The providers check; undefined when no resolver answers (the resolver check says so). */
export async function providersCheck(
  ctx: CliContext,
  config: CliConfig,
  probes: readonly ResolverProbe[],
): Promise<Check | undefined> {
  const servers = probes.filter((p) => p.verdict === 'ok').map((p) => p.server);
  if (servers.length === 0) return undefined;
  const pool = new ResolverPool(servers, {
    timeoutMs: 2000,
    deadlineMs: 3000,
    dnssecRequired: config.dnssec_required,
  });
  const { providers, unreachable } = await buildClaimProviderList(config, pool);
  const states = await Promise.all(providers.map((p) => inspect(ctx, config, pool, p)));
  const lines = states.map(line);
  const configPath = ctx.paths.configPath;
  for (const seed of unreachable) {
    lines.push(
      `${seed.zone} (the built-in seed provider): does not answer through your resolvers — recv skips it`,
    );
  }
  if (providers.length === 0 && unreachable.length === 0) {
    const why =
      config.claim_provider_override !== ''
        ? `claim_provider_override ${config.claim_provider_override} names no zone (an IP or localhost URL) and claim_provider_zone is empty`
        : 'no provider found';
    return warning(
      'no first-contact provider',
      `${why}: strangers cannot reach you, nor you them (contacts still work)\nfix: ${SET_PROVIDER(configPath, config)}`,
    );
  }
  const silent = states.filter((s) => s.zone !== 'answers');
  const deaf = states.filter(
    (s) => s.target === undefined || (s.target !== 'own' && !s.target.dmp),
  );
  if (unreachable.length > 0 || silent.length > 0 || deaf.length > 0) {
    const fixes: string[] = [];
    if (unreachable.length > 0 || silent.length > 0) {
      fixes.push(
        `recv reads claims through your resolvers, so use a provider they reach: ${SET_PROVIDER(configPath, config)}`,
      );
    }
    if (deaf.length > 0) {
      fixes.push(
        'send posts claims to the provider host on port 53: if its node listens on another DNS port, ' +
          'set DMP_PROVIDER_DNS_PORT=<port>; if it is down, use another provider (claim_provider_override)',
      );
    }
    return warning(
      'first-contact provider unreachable',
      [
        ...lines,
        "a stranger's first message reaches you only through a provider you both use (contacts still work)",
        ...fixes.map((f) => `fix: ${f}`),
      ].join('\n'),
    );
  }
  return pass('claim providers answer', lines.join('\n'));
}
