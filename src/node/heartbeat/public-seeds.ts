/**
 * Public seed lists (node spec §6.5 step 2): plain-text files of zones,
 * one per line, fetched over HTTPS and added to the harvest list after the
 * configured seeds. Fetching a URL from configuration is an SSRF surface, so
 * every fetch is held to the reference's guards:
 *
 * - `https:` only, no userinfo;
 * - every address the host resolves to must be public (no loopback,
 *   private, link-local, multicast, reserved or unspecified), and the
 *   connection goes to an address that was checked (no second lookup a
 *   rebinding name could answer differently);
 * - redirects are not followed (a 3xx is a failure), only 200 counts;
 * - 5 s for the whole fetch; the body is cut at 64 KiB;
 * - lines are UTF-8; blanks and `#` comments are skipped; an entry that is
 *   not a zone is dropped.
 *
 * The lists are refreshed at most every 6 hours (a failed attempt waits as
 * long); a URL that fails keeps the zones it gave last time. Refreshing runs
 * in the background, so a slow list never delays a heartbeat tick.
 */
import { lookup } from 'node:dns/promises';
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isNonPublicIp, parseIpLiteral } from '../../protocol/records/ip-literal.js';
import { seedZone } from './harvest-zones.js';

/** The reference's default list. */
export const DEFAULT_PUBLIC_SEED_URL =
  'https://raw.githubusercontent.com/oscarvalenzuelab/DNSMeshProtocol/main/directory/seeds.txt';
/** Seconds between refreshes of the lists. */
export const PUBLIC_SEED_REFRESH_SECONDS = 6 * 3600;
/** Bytes of a list read at most. */
export const MAX_SEED_LIST_BYTES = 64 * 1024;
/** Milliseconds for one whole fetch. */
export const SEED_FETCH_TIMEOUT_MS = 5000;

/** How a fetch reaches the network (injectable for tests). */
export interface SeedFetchDeps {
  /** Every address of `host`. Default: the system resolver. */
  readonly resolve?: (host: string) => Promise<string[]>;
  /** GET `url` connected to `address`; at most `maxBytes` of the body. Default: node:https. */
  readonly download?: (
    url: URL,
    address: string,
    maxBytes: number,
    signal: AbortSignal,
  ) => Promise<{ status: number; body: Uint8Array }>;
}

const systemResolve = async (host: string): Promise<string[]> =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** GET over HTTPS to a fixed address (SNI and certificate check against the URL's host). */
function httpsDownload(
  url: URL,
  address: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<{ status: number; body: Uint8Array }> {
  const family = address.includes(':') ? 6 : 4;
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address, family },
      ]);
    } else callback(null, address, family);
  };
  return new Promise((resolvePromise, reject) => {
    const req = request(
      url,
      { method: 'GET', lookup: pinned, signal, headers: { accept: 'text/plain' } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          const room = maxBytes - size;
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size += chunk.length;
          if (size >= maxBytes) {
            res.destroy();
            resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
          }
        });
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** `promise`, or a rejection when `signal` fires first. */
function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(new Error('timed out'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise
      .then(resolvePromise, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The zones of a seed list's text. */
export function parseSeedList(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const zone = seedZone(line);
    if (zone !== undefined && !out.includes(zone)) out.push(zone);
  }
  return out;
}

/**
 * Fetches one list under the guards above.
 *
 * @throws Error naming the guard or failure.
 */
export async function fetchSeedList(urlText: string, deps: SeedFetchDeps = {}): Promise<string[]> {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new Error('not a URL');
  }
  if (url.protocol !== 'https:') throw new Error('only https URLs are fetched');
  if (url.username !== '' || url.password !== '') throw new Error('userinfo is not allowed');
  const signal = AbortSignal.timeout(SEED_FETCH_TIMEOUT_MS);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = parseIpLiteral(host);
  const addresses = literal
    ? [host]
    : await withSignal((deps.resolve ?? systemResolve)(host), signal);
  if (addresses.length === 0) throw new Error(`${host} has no address`);
  for (const address of addresses) {
    const ip = parseIpLiteral(address);
    if (ip === undefined || isNonPublicIp(ip)) {
      throw new Error(`${host} resolves to a non-public address (${address})`);
    }
  }
  const { status, body } = await (deps.download ?? httpsDownload)(
    url,
    addresses[0]!,
    MAX_SEED_LIST_BYTES,
    signal,
  );
  if (status !== 200) {
    throw new Error(
      status >= 300 && status < 400 ? `redirect ${status} not followed` : `HTTP ${status}`,
    );
  }
  // A cut inside a multi-byte character only loses that character.
  return parseSeedList(new TextDecoder('utf-8').decode(body.subarray(0, MAX_SEED_LIST_BYTES)));
}

export interface PublicSeedsOptions {
  readonly urls: readonly string[];
  readonly deps?: SeedFetchDeps;
  readonly onError?: (url: string, err: unknown) => void;
}

/** The zones of the public seed lists, refreshed in the background. */
export class PublicSeeds {
  private readonly byUrl = new Map<string, string[]>();
  private nextRefresh = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly o: PublicSeedsOptions) {}

  /** Zones of every list, in URL order, de-duplicated. */
  zones(): string[] {
    const out: string[] = [];
    for (const url of this.o.urls) {
      for (const zone of this.byUrl.get(url) ?? []) if (!out.includes(zone)) out.push(zone);
    }
    return out;
  }

  /** Starts a refresh when one is due (at most every 6 h); returns it (tests await it). */
  maybeRefresh(now: number): Promise<void> {
    if (this.refreshing !== undefined || now < this.nextRefresh || this.o.urls.length === 0) {
      return this.refreshing ?? Promise.resolve();
    }
    this.nextRefresh = now + PUBLIC_SEED_REFRESH_SECONDS;
    this.refreshing = Promise.all(
      this.o.urls.map(async (url) => {
        try {
          this.byUrl.set(url, await fetchSeedList(url, this.o.deps));
        } catch (err) {
          this.o.onError?.(url, err);
        }
      }),
    )
      .then(() => undefined)
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  /** Waits for a refresh in progress (each fetch ends within 5 s). */
  async stop(): Promise<void> {
    await this.refreshing;
  }
}
