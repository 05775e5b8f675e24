/**
 * `dns_resolvers` entries (cli spec §5.1): `ip`, `ip:port` (IPv4, exactly
 * one colon), bare IPv6, `[ipv6]` or `[ipv6]:port`; IP literals only,
 * ports 1..65535. Stored canonically as `ip`, `ip:port` or `[ipv6]:port`.
 */
import { parseIPv4, parseIPv6 } from '../dns/wire/ip.js';

/** One parsed entry; `port` undefined means "53". */
export interface ResolverEntry {
  readonly host: string;
  readonly port: number | undefined;
}

function parsePort(raw: string, entry: string): number {
  if (!/^[0-9]+$/.test(raw)) {
    throw new RangeError(
      `resolver ${JSON.stringify(entry)}: port ${JSON.stringify(raw)} is not an integer`,
    );
  }
  const port = Number(raw);
  if (port < 1 || port > 65535) {
    throw new RangeError(`resolver ${JSON.stringify(entry)}: port ${port} is outside 1-65535`);
  }
  return port;
}

/** Parses one entry; throws RangeError with a user-facing message. */
export function parseResolverEntry(raw: string): ResolverEntry {
  const entry = raw.trim();
  if (entry === '') throw new RangeError('empty resolver entry');
  let host: string;
  let port: number | undefined;
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close < 0) throw new RangeError(`resolver ${JSON.stringify(entry)}: unmatched '['`);
    host = entry.slice(1, close);
    const rest = entry.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) {
        throw new RangeError(`resolver ${JSON.stringify(entry)}: expected ':port' after ']'`);
      }
      port = parsePort(rest.slice(1), entry);
    }
  } else if (entry.split(':').length === 2) {
    const colon = entry.indexOf(':');
    host = entry.slice(0, colon);
    port = parsePort(entry.slice(colon + 1), entry);
  } else {
    host = entry;
  }
  if (parseIPv4(host) === undefined && parseIPv6(host) === undefined) {
    throw new RangeError(
      `resolver ${JSON.stringify(entry)}: ${JSON.stringify(host)} is not an IPv4 or IPv6 address (hostnames are not accepted)`,
    );
  }
  return { host, port };
}

/** Parses a comma list; an empty list is an error (the flag was given for a reason). */
export function parseResolverList(raw: string): ResolverEntry[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new RangeError('the resolver list is empty');
  return entries.map(parseResolverEntry);
}

/** The canonical stored form. */
export function formatResolverEntry(entry: ResolverEntry): string {
  if (entry.port === undefined) return entry.host;
  return entry.host.includes(':') ? `[${entry.host}]:${entry.port}` : `${entry.host}:${entry.port}`;
}
