/**
 * The claim-provider list `send` and `recv` share (core spec §8.12): a
 * sender and a recipient only meet at a first-contact provider if their
 * lists overlap, so this follows the reference exactly —
 *
 * 1. `claim_provider_override` → that one provider (zone:
 *    `claim_provider_zone` or the URL's host; IP literals and localhost
 *    names give no zone and so no provider);
 * 2. else verified heartbeats from `_dnsmesh-seen.<zone>` of the candidate
 *    zones (cluster base, `tsig_zone`, endpoint host) advertising the
 *    claim-provider capability, newest first, one per operator, top 3;
 * 3. plus the built-in seed `dmp.dnsmesh.io` unless its own verified
 *    heartbeat says it is no longer a provider;
 * 4. de-duplicated by endpoint.
 *
 * Unlike the reference, the DNS lookups run in parallel (one round trip).
 */

import type { ClaimProvider } from '../client/send.js';
import { isIpLiteral } from '../dns/client/server-address.js';
import type { TxtReader } from '../dns/client/txt-reader.js';
import {
  CAP_CLAIM_PROVIDER,
  type HeartbeatRecord,
  parseAndVerifyHeartbeat,
} from '../protocol/records/heartbeat-record.js';
import { heartbeatRrsetName, seenRrsetName } from '../protocol/records/operator-names.js';
import type { CliConfig } from './config/fields.js';
import { normalizeEndpoint } from './endpoint.js';

/**
 * A provider that is the user's own node (its endpoint is the config's
 * `endpoint`, as `init --claim-provider self` sets it) gets the node DNS
 * listener the user already knows — `local_node_dns_*` (probed by `init`)
 * or the TSIG UPDATE target — so claims reach a node whose DNS port is not
 * 53 without `DMP_PROVIDER_DNS_PORT`. Other providers are left alone.
 */
export function withOwnNodeTarget(
  providers: readonly ClaimProvider[],
  config: CliConfig,
): ClaimProvider[] {
  const own = ownNodeDns(config);
  const endpoint = normalizeEndpoint(config.endpoint).toLowerCase();
  return providers.map((p) =>
    own !== undefined &&
    endpoint !== '' &&
    normalizeEndpoint(p.endpoint ?? '').toLowerCase() === endpoint
      ? { ...p, target: own }
      : p,
  );
}

/** The own node's DNS listener when the config names it with an IP literal. */
function ownNodeDns(config: CliConfig): { host: string; port: number } | undefined {
  for (const [host, port] of [
    [config.local_node_dns_server, config.local_node_dns_port],
    [config.tsig_dns_server, config.tsig_dns_port],
  ] as const) {
    if (host !== '' && port > 0 && isIpLiteral(host)) return { host, port };
  }
  return undefined;
}

/** The built-in seed provider every default client includes. */
export const SEED_PROVIDER = { zone: 'dmp.dnsmesh.io', endpoint: 'https://dnsmesh.io' } as const;

/** Providers taken from the seen-graph. */
export const MAX_SEEN_PROVIDERS = 3;

const LOCAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

/** The DNS zone a provider URL implies: its host, unless that is an IP literal or localhost. */
export function zoneFromUrl(url: string): string {
  if (url === '') return '';
  let host: string;
  try {
    host = new URL(url.includes('://') ? url : `https://${url}`).hostname.toLowerCase();
  } catch {
    return '';
  }
  if (host.startsWith('[')) return '';
  if (host === '' || isIpLiteral(host) || /^[0-9.]+$/.test(host) || LOCAL_NAMES.has(host))
    return '';
  return host;
}

function candidateZones(config: CliConfig): string[] {
  const out: string[] = [];
  for (const raw of [config.cluster_base_domain, config.tsig_zone, zoneFromUrl(config.endpoint)]) {
    const zone = raw.trim().toLowerCase().replace(/\.+$/, '');
    if (zone !== '' && !out.includes(zone)) out.push(zone);
  }
  return out;
}

function verified(values: readonly string[], now: number): HeartbeatRecord[] {
  const out: HeartbeatRecord[] = [];
  for (const value of values) {
    const r = parseAndVerifyHeartbeat(value, { now });
    if (r.ok) out.push(r.value);
  }
  return out;
}

/** Values at `name`; `undefined` when there are none; `'unreachable'` when no resolver answered. */
async function readValues(
  reader: TxtReader,
  name: string,
): Promise<string[] | undefined | 'unreachable'> {
  try {
    const answer = await reader.readTxt(name);
    if (answer.status === 'error') return 'unreachable';
    return answer.status === 'found' ? answer.values : undefined;
  } catch {
    return 'unreachable';
  }
}

/** The providers, split by whether the seed's heartbeat could be read at all. */
export interface ClaimProviderList {
  /** Providers to use. */
  readonly providers: ClaimProvider[];
  /**
   * The seed, when no resolver answered for its heartbeat: its claims would
   * fail the same way (ten lookups per receive pass), so `recv` leaves it
   * out of the pass and says so once. `send` still tries it (and says when
   * a message's first-contact pointer did not go out).
   */
  readonly unreachable: ClaimProvider[];
}

/** {@link buildClaimProviders} with the providers and the unreachable seed apart. */
export async function buildClaimProviderList(
  config: CliConfig,
  reader: TxtReader,
  now: number = Math.floor(Date.now() / 1000),
): Promise<ClaimProviderList> {
  const unreachable: ClaimProvider[] = [];
  const providers = await collectProviders(config, reader, now, (p) => unreachable.push(p));
  return { providers, unreachable };
}

function providerOf(hb: HeartbeatRecord): ClaimProvider & { spk: string; ts: bigint } {
  const advertised = hb.claimProviderZone.trim().toLowerCase();
  return {
    zone: advertised !== '' ? advertised : zoneFromUrl(hb.endpoint),
    endpoint: hb.endpoint,
    spk: Buffer.from(hb.operatorSpk).toString('hex'),
    ts: hb.ts,
  };
}

/** Builds the provider list; never throws (a failed lookup just contributes nothing). */
export async function buildClaimProviders(
  config: CliConfig,
  reader: TxtReader,
  now: number = Math.floor(Date.now() / 1000),
): Promise<ClaimProvider[]> {
  const { providers, unreachable } = await buildClaimProviderList(config, reader, now);
  return [...providers, ...unreachable];
}

async function collectProviders(
  config: CliConfig,
  reader: TxtReader,
  now: number,
  onUnreachableSeed: (seed: ClaimProvider) => void,
): Promise<ClaimProvider[]> {
  if (config.claim_provider_override !== '') {
    const zone = config.claim_provider_zone || zoneFromUrl(config.claim_provider_override);
    return zone === '' ? [] : [{ zone, endpoint: config.claim_provider_override }];
  }
  const zones = candidateZones(config);
  const [seedValues, ...feeds] = await Promise.all([
    readValues(reader, heartbeatRrsetName(SEED_PROVIDER.zone)),
    ...zones.map((z) => readValues(reader, seenRrsetName(z))),
  ]);

  const out: ClaimProvider[] = [];
  const endpoints = new Set<string>();
  const add = (p: ClaimProvider): void => {
    const endpoint = p.endpoint ?? '';
    if (p.zone === '' || endpoint === '') return;
    const key = normalizeEndpoint(endpoint).toLowerCase();
    if (endpoints.has(key)) return;
    endpoints.add(key);
    out.push({ zone: p.zone, endpoint });
  };

  // Union of every feed that has at least one verifying wire, de-duplicated by value.
  const wires = new Set<string>();
  for (const values of feeds) {
    if (Array.isArray(values) && verified(values, now).length > 0)
      for (const v of values) wires.add(v);
  }
  const ranked = verified([...wires], now)
    .filter((hb) => (hb.capabilities & CAP_CLAIM_PROVIDER) !== 0)
    .map(providerOf)
    .sort((a, b) => (a.ts === b.ts ? 0 : a.ts > b.ts ? -1 : 1));
  const operators = new Set<string>();
  let taken = 0;
  for (const p of ranked) {
    if (operators.has(p.spk)) continue;
    operators.add(p.spk);
    if (taken++ >= MAX_SEEN_PROVIDERS) break;
    add(p);
  }

  if (seedValues === 'unreachable') {
    onUnreachableSeed({ ...SEED_PROVIDER });
    return out;
  }
  const seed = seedProvider(seedValues, now);
  if (seed !== undefined) add(seed);
  return out;
}

/** The seed as its heartbeat describes it; dropped only on a verified opt-out. */
function seedProvider(
  values: readonly string[] | undefined,
  now: number,
): ClaimProvider | undefined {
  if (values === undefined || values.length === 0) return { ...SEED_PROVIDER };
  let optedOut = false;
  for (const hb of verified(values, now)) {
    if ((hb.capabilities & CAP_CLAIM_PROVIDER) === 0) {
      optedOut = true;
      continue;
    }
    const zone = hb.claimProviderZone.trim().toLowerCase() || SEED_PROVIDER.zone;
    return { zone, endpoint: hb.endpoint || SEED_PROVIDER.endpoint };
  }
  return optedOut ? undefined : { ...SEED_PROVIDER };
}
