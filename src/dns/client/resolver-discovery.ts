/**
 * Finding recursive resolvers that can carry DMP traffic (cli spec §5.14,
 * core spec §11.1 `discover`): each candidate gets one TXT query for a
 * probe name. A resolver that answers, or says NXDOMAIN (RFC 1035 §4.1.1),
 * is usable; one that answers NOERROR without TXT data filters TXT (some
 * captive or "family" resolvers do), and one that times out, refuses or
 * fails is not.
 */
import { RRType } from '../wire/constants.js';
import { asClientError, DnsClientError, DnsTimeoutError } from './errors.js';
import { queryMessage } from './request.js';
import { type DnsServer, formatServer, parseServerAddress, sameServer } from './server-address.js';
import type { DnsTransport } from './transport.js';
import { txtAnswerFromReply } from './txt-answer.js';
import { UdpTransport } from './udp-transport.js';

/** The eight public resolvers `resolvers discover` probes (cli spec §5.14). */
export const PUBLIC_RESOLVERS: readonly string[] = Object.freeze([
  '8.8.8.8',
  '8.8.4.4',
  '1.1.1.1',
  '1.0.0.1',
  '9.9.9.9',
  '149.112.112.112',
  '208.67.222.222',
  '208.67.220.220',
]);

/** Name the reference probes with: certain to exist and to carry TXT records. */
export const DEFAULT_PROBE_NAME = 'google.com';

/** Most candidates probed in one discovery (they are probed concurrently). */
export const MAX_PROBES = 64;

/** What the probe showed. */
export type ProbeVerdict =
  | 'answers'
  | 'nxdomain'
  | 'filters-txt'
  | 'timeout'
  | 'rcode'
  | 'unreachable'
  | 'invalid-address';

/** One candidate's probe result (JSON-safe). */
export interface ProbeResult {
  /** The candidate as given when it is not an IP address, else `host:port`. */
  readonly server: string;
  readonly usable: boolean;
  readonly verdict: ProbeVerdict;
  readonly detail: string;
  /** Round trip of the probe reply, or null without a reply. */
  readonly rttMs: number | null;
}

export interface DiscoveryOptions {
  /** Default `google.com`. */
  readonly probeName?: string;
  /** Per-probe budget (default 2000 ms). */
  readonly timeoutMs?: number;
  readonly transport?: DnsTransport;
  readonly signal?: AbortSignal;
}

/** No candidate passed its probe; `probes` says why each failed. */
export class DnsDiscoveryError extends DnsClientError {
  override readonly name = 'DnsDiscoveryError';
  readonly code = 'no-resolver';
  constructor(readonly probes: readonly ProbeResult[]) {
    const why = probes.map((p) => `${p.server}: ${p.verdict}`).join(', ');
    super(`no usable resolver among ${probes.length} candidates${why ? ` (${why})` : ''}`);
  }
}

/** Probes one resolver. Never rejects. */
export async function probeResolver(
  server: DnsServer,
  options: DiscoveryOptions = {},
): Promise<ProbeResult> {
  const label = formatServer(server);
  const probeName = options.probeName ?? DEFAULT_PROBE_NAME;
  const transport = options.transport ?? new UdpTransport();
  const result = (
    usable: boolean,
    verdict: ProbeVerdict,
    detail: string,
    rttMs: number | null,
  ) => ({
    server: label,
    usable,
    verdict,
    detail,
    rttMs: rttMs === null ? null : Math.round(rttMs * 1000) / 1000,
  });
  try {
    const reply = await transport.exchange(queryMessage(probeName, RRType.TXT), {
      server,
      timeoutMs: options.timeoutMs ?? 2000,
      signal: options.signal,
    });
    const answer = txtAnswerFromReply(reply, probeName, label);
    switch (answer.status) {
      case 'found':
        return result(true, 'answers', `${answer.values.length} TXT values`, reply.rttMs);
      case 'nxdomain':
        return result(true, 'nxdomain', 'NXDOMAIN', reply.rttMs);
      case 'nodata':
        return result(false, 'filters-txt', 'NOERROR without TXT data', reply.rttMs);
      case 'error':
        return result(false, 'rcode', answer.error.message, reply.rttMs);
    }
  } catch (err) {
    const error = asClientError(err);
    const verdict = error instanceof DnsTimeoutError ? 'timeout' : 'unreachable';
    return result(false, verdict, error.message, null);
  }
}

/**
 * Probes every candidate concurrently (duplicates dropped, at most
 * {@link MAX_PROBES}) and returns one result per distinct candidate in input
 * order. Entries that are not IP literals are reported, not probed.
 */
export async function discoverResolvers(
  candidates: readonly (string | DnsServer)[],
  options: DiscoveryOptions = {},
): Promise<ProbeResult[]> {
  const seen: DnsServer[] = [];
  const jobs: Promise<ProbeResult>[] = [];
  for (const candidate of candidates) {
    if (jobs.length >= MAX_PROBES) break;
    let server: DnsServer;
    if (typeof candidate === 'string') {
      const parsed = parseServerAddress(candidate);
      if (!parsed.ok) {
        const detail = parsed.detail;
        jobs.push(
          Promise.resolve({
            server: candidate,
            usable: false,
            verdict: 'invalid-address',
            detail,
            rttMs: null,
          }),
        );
        continue;
      }
      server = parsed.value;
    } else {
      server = candidate;
    }
    if (seen.some((s) => sameServer(s, server))) continue;
    seen.push(server);
    jobs.push(probeResolver(server, options));
  }
  return Promise.all(jobs);
}

/** The usable servers of a discovery, in probe order; throws {@link DnsDiscoveryError} when there are none. */
export function usableResolvers(probes: readonly ProbeResult[]): DnsServer[] {
  const usable: DnsServer[] = [];
  for (const p of probes) {
    if (!p.usable) continue;
    const parsed = parseServerAddress(p.server);
    if (parsed.ok) usable.push(parsed.value);
  }
  if (usable.length === 0) throw new DnsDiscoveryError(probes);
  return usable;
}
