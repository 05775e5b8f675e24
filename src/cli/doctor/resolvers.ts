/**
 * Doctor check (a): do the resolvers `send` and `recv` read through answer
 * for this user? The reader is chosen as `buildReader` chooses it
 * (`dns_resolvers`, else `dns_host:dns_port`, else the system's resolvers);
 * each resolver is asked, in parallel and directly, for the user's
 * identity name and for a name that cannot exist under the user's zone:
 *
 * - ok — it answered (a record, NXDOMAIN or NODATA) and told no lie;
 * - timeout / unreachable (connection refused) / refused (REFUSED: it will
 *   not answer for this zone) / failing (another RCODE) / not validating
 *   (`dnssec_required` and no AD bit);
 * - lying — TXT values for the name that cannot exist, or an identity
 *   record that does not verify while another resolver's does.
 *
 * The answers for the identity name are kept for the identity check, so it
 * costs no second round trip.
 */
import { randomBytes } from 'node:crypto';
import { getServers } from 'node:dns/promises';
import { DirectReader } from '../../dns/client/direct-reader.js';
import { DnsRcodeError } from '../../dns/client/errors.js';
import {
  type DnsServer,
  formatServer,
  parseServerAddress,
} from '../../dns/client/server-address.js';
import type { TxtAnswer } from '../../dns/client/txt-answer.js';
import { Rcode, rcodeName } from '../../dns/wire/constants.js';
import { parseAndVerifyIdentityRecord } from '../../protocol/records/identity-record.js';
import type { CliConfig } from '../config/fields.js';
import { parseResolverEntry } from '../resolver-entries.js';
import { resolveHost } from '../transports.js';
import { type Check, duration, failure, pass, warning, within } from './check.js';

/** Budget of each resolver's answer (UDP with retries, TCP on truncation). */
export const RESOLVER_TIMEOUT_MS = 2500;

/** Where the resolvers come from, as `buildReader` decides. */
export type ResolverSource = 'dns_resolvers' | 'dns_host' | 'system';

export interface ResolverSet {
  readonly source: ResolverSource;
  readonly servers: readonly DnsServer[];
  /** Why there is no usable resolver at all (a bad entry, a dns_host that does not resolve). */
  readonly problem?: string;
}

export type ResolverVerdict =
  | 'ok'
  | 'timeout'
  | 'unreachable'
  | 'refused'
  | 'failing'
  | 'not validating'
  | 'lying';

export interface ResolverProbe {
  readonly server: DnsServer;
  readonly verdict: ResolverVerdict;
  /** Human detail: `answered in 3 ms`, `no reply in 2.5 s`, … */
  readonly note: string;
  /** Its answer for the identity name, when it gave a usable one. */
  readonly identity?: Exclude<TxtAnswer, { status: 'error' }>;
}

/** The resolvers `buildReader` would use for `config`. Never throws. */
export async function configuredResolvers(config: CliConfig): Promise<ResolverSet> {
  if (config.dns_resolvers.length > 0) {
    const servers: DnsServer[] = [];
    for (const raw of config.dns_resolvers) {
      try {
        const entry = parseResolverEntry(raw);
        servers.push({ host: entry.host, port: entry.port ?? 53 });
      } catch (err) {
        return {
          source: 'dns_resolvers',
          servers: [],
          problem: `dns_resolvers has a bad entry: ${(err as Error).message}`,
        };
      }
    }
    return { source: 'dns_resolvers', servers };
  }
  if (config.dns_host !== null && config.dns_host !== '') {
    const address = await within(resolveHost(config.dns_host), 2000, undefined);
    if (address === undefined) {
      return {
        source: 'dns_host',
        servers: [],
        problem: `dns_host ${config.dns_host} does not resolve to an address`,
      };
    }
    return { source: 'dns_host', servers: [{ host: address, port: config.dns_port }] };
  }
  const servers: DnsServer[] = [];
  for (const raw of getServers()) {
    const parsed = parseServerAddress(raw);
    if (parsed.ok) servers.push(parsed.value);
  }
  if (servers.length === 0) {
    return {
      source: 'system',
      servers: [],
      problem: 'dns_resolvers is empty, dns_host is unset and the system has no resolver',
    };
  }
  return { source: 'system', servers };
}

/** A name under `zone` that no DMP node or honest resolver has a TXT record for. */
export function canaryName(zone: string): string {
  return `_dnsmesh-doctor-${randomBytes(6).toString('hex')}.${zone.replace(/\.+$/, '')}`;
}

function errorVerdict(answer: Extract<TxtAnswer, { status: 'error' }>): {
  verdict: ResolverVerdict;
  note: string;
} {
  const err = answer.error;
  switch (err.code) {
    case 'timeout':
      return { verdict: 'timeout', note: `no reply in ${duration(RESOLVER_TIMEOUT_MS)}` };
    case 'connection-refused':
      return { verdict: 'unreachable', note: 'nothing listens there (connection refused)' };
    case 'untrusted-answer':
      return {
        verdict: 'not validating',
        note: 'answers without DNSSEC validation (no AD bit) while dnssec_required is on',
      };
    case 'rcode':
      if (err instanceof DnsRcodeError && err.rcode === Rcode.REFUSED) {
        return { verdict: 'refused', note: 'REFUSED: it does not answer for your zone' };
      }
      return {
        verdict: 'failing',
        note: err instanceof DnsRcodeError ? rcodeName(err.rcode) : err.message,
      };
    case 'unreachable':
    case 'connection-reset':
    case 'connection-closed':
    case 'socket':
      return { verdict: 'unreachable', note: err.message };
    default:
      return { verdict: 'failing', note: err.message };
  }
}

async function probeOne(
  server: DnsServer,
  names: { identity: string | undefined; canary: string },
  dnssecRequired: boolean,
): Promise<ResolverProbe> {
  const reader = new DirectReader({ server, timeoutMs: RESOLVER_TIMEOUT_MS, dnssecRequired });
  const started = performance.now();
  const [identity, canary] = await Promise.all([
    names.identity === undefined ? undefined : reader.readTxt(names.identity),
    reader.readTxt(names.canary),
  ]);
  const ms = performance.now() - started;
  const primary = identity ?? canary;
  if (primary.status === 'error') return { server, ...errorVerdict(primary) };
  if (canary.status === 'found') {
    return {
      server,
      verdict: 'lying',
      note: `it answers TXT for ${names.canary}, a name that does not exist`,
    };
  }
  const usable = identity === undefined || identity.status === 'error' ? {} : { identity };
  return { server, verdict: 'ok', note: `answered in ${duration(ms)}`, ...usable };
}

function verifiesAsIdentity(answer: ResolverProbe['identity']): boolean {
  return (
    answer?.status === 'found' && answer.values.some((v) => parseAndVerifyIdentityRecord(v).ok)
  );
}

/**
 * Asks every resolver in parallel; an identity answer that does not verify
 * while another resolver's does marks its resolver as lying.
 */
export async function probeResolvers(
  servers: readonly DnsServer[],
  names: { identity: string | undefined; canary: string },
  dnssecRequired: boolean,
): Promise<ResolverProbe[]> {
  const probes = await Promise.all(servers.map((s) => probeOne(s, names, dnssecRequired)));
  if (!probes.some((p) => verifiesAsIdentity(p.identity))) return probes;
  return probes.map((p) =>
    p.identity?.status === 'found' && !verifiesAsIdentity(p.identity)
      ? {
          server: p.server,
          verdict: 'lying',
          note: `its identity record for ${names.identity} does not verify while another resolver's does`,
        }
      : p,
  );
}

const SOURCE_TEXT: Record<ResolverSource, string> = {
  dns_resolvers: 'dns_resolvers',
  dns_host: 'dns_host',
  system: "the system's resolvers (dns_resolvers and dns_host unset)",
};

function fixFor(source: ResolverSource, configPath: string, nodeDns: string | undefined): string {
  const node = nodeDns === undefined ? '' : ` (your node's DNS answers at ${nodeDns})`;
  switch (source) {
    case 'dns_resolvers':
      return (
        `fix: edit dns_resolvers in ${configPath}${node}, or run \`dnsmesh resolvers discover --save\` ` +
        'for working public resolvers (they see only zones delegated on the internet)'
      );
    case 'dns_host':
      return (
        `fix: point dns_host / dns_port in ${configPath} at a server that answers${node}, or set ` +
        'dns_resolvers (`dnsmesh resolvers discover --save`)'
      );
    case 'system':
      return `fix: set dns_resolvers in ${configPath}${node}, or run \`dnsmesh resolvers discover --save\``;
  }
}

/** The check line for the probes (or the configuration problem). */
export function resolversCheck(
  set: ResolverSet,
  probes: readonly ResolverProbe[],
  configPath: string,
  nodeDns: string | undefined,
): Check {
  if (set.problem !== undefined) {
    return failure(
      'no usable resolver',
      `${set.problem}: send and recv cannot read anything\n${fixFor(set.source, configPath, nodeDns)}`,
    );
  }
  const lines = probes.map((p) => `${formatServer(p.server)}  ${p.verdict}: ${p.note}`);
  const ok = probes.filter((p) => p.verdict === 'ok').length;
  const from = `from ${SOURCE_TEXT[set.source]}`;
  if (ok === probes.length) return pass('resolvers answer', [...lines, from].join('\n'));
  const fix = fixFor(set.source, configPath, nodeDns);
  if (ok === 0) {
    return failure(
      'no resolver answers',
      [
        ...lines,
        `${from}: send and recv read every record through these, so nothing can be fetched`,
        fix,
      ].join('\n'),
    );
  }
  const liars = probes.filter((p) => p.verdict === 'lying').length;
  const title =
    liars > 0
      ? `${liars} of ${probes.length} resolvers lie`
      : `${probes.length - ok} of ${probes.length} resolvers do not answer`;
  return warning(
    title,
    [
      ...lines,
      `${from}: lookups skip them, slower (and a liar costs a wrong answer first)`,
      fix,
    ].join('\n'),
  );
}
