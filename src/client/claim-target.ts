/**
 * Where an unsigned claim UPDATE goes (core.md §8.3): the host of the
 * provider's endpoint URL, else the claim zone itself, on port 53 or
 * `DMP_PROVIDER_DNS_PORT`; a hostname is resolved to an address first
 * (A/AAAA, then the zone's NS hosts).
 */
import { isIpLiteral } from '../dns/client/server-address.js';

/** Resolves hostnames for UPDATE targets. A `ResolverPool` satisfies the first method. */
export interface AddressResolver {
  /** An IPv4/IPv6 literal for `host`, or `undefined` when none is known. */
  resolveAddress(host: string, signal?: AbortSignal): Promise<string | undefined>;
  /** Names of the zone's name servers (no trailing dot); optional. */
  resolveNsHosts?(zone: string, signal?: AbortSignal): Promise<string[]>;
}

/** Trim, lower-case, strip trailing dots: the reference's zone comparison form. */
export function normalizeZone(zone: string): string {
  return zone.trim().toLowerCase().replace(/\.+$/, '');
}

/**
 * Lower-cased host of an endpoint URL (`https://` assumed when the scheme is
 * missing; IPv6 brackets removed), or `undefined` when it does not parse.
 */
export function endpointHost(endpoint: string): string | undefined {
  const text = endpoint.trim();
  if (text === '') return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
    const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
    return host === '' ? undefined : host;
  } catch {
    return undefined;
  }
}

/** The host a claim for `zone` via `endpoint` is sent to. */
export function claimTargetHost(zone: string, endpoint: string): string {
  return endpointHost(endpoint) ?? normalizeZone(zone);
}

/** `DMP_PROVIDER_DNS_PORT` when it holds a valid port, else 53. */
export function providerDnsPort(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.DMP_PROVIDER_DNS_PORT?.trim() ?? '';
  if (!/^[0-9]{1,5}$/.test(raw)) return 53;
  const port = Number(raw);
  return port >= 1 && port <= 65535 ? port : 53;
}

/**
 * An address for `host`: the literal itself, else A/AAAA via `resolver`,
 * else the first resolvable name server of `host` (NS names from
 * `resolver`, or from `fallback` when the resolver cannot list them).
 */
export async function resolveTargetAddress(
  host: string,
  resolver: AddressResolver,
  fallback?: AddressResolver,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (isIpLiteral(host)) return host;
  const direct = await resolver.resolveAddress(host, signal);
  if (direct !== undefined) return direct;
  const nsSource = resolver.resolveNsHosts ? resolver : fallback;
  const nsHosts = (await nsSource?.resolveNsHosts?.(host, signal)) ?? [];
  for (const ns of nsHosts.slice(0, 8)) {
    const address =
      (await resolver.resolveAddress(ns, signal)) ??
      (fallback ? await fallback.resolveAddress(ns, signal) : undefined);
    if (address !== undefined) return address;
  }
  return undefined;
}
