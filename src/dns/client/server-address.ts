/**
 * DNS server addresses as configured (`1.2.3.4`, `1.2.3.4:5353`, `::1`,
 * `[::1]:5353`). Only IP literals: the client never resolves a resolver's
 * own name (core spec §11.1), and a UPDATE target is resolved once by the
 * caller before a writer is built (cli spec §3.2).
 */
import { accept, type ParseResult, reject } from '../../protocol/result.js';
import { formatIPv6, parseIPv4, parseIPv6 } from '../wire/ip.js';

/** Default DNS port (RFC 1035 §4.2). */
export const DNS_PORT = 53;

/** One DNS server: an IP literal and a port. */
export interface DnsServer {
  /** IPv4 dotted quad or IPv6 text (no brackets, no zone id). */
  readonly host: string;
  readonly port: number;
}

/** True when `host` is an IPv4 or IPv6 literal. */
export function isIpLiteral(host: string): boolean {
  return parseIPv4(host) !== undefined || parseIPv6(host) !== undefined;
}

function validPort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * Parses `host`, `host:port`, bare IPv6 or `[IPv6]:port`. IPv6 text is
 * normalised (RFC 5952) so equal servers compare equal. Never throws.
 */
export function parseServerAddress(
  text: string,
  defaultPort: number = DNS_PORT,
): ParseResult<DnsServer> {
  const trimmed = text.trim();
  let host = trimmed;
  let port = defaultPort;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(trimmed);
  if (bracket !== null) {
    host = bracket[1]!;
    if (bracket[2] !== undefined) {
      const p = validPort(bracket[2]);
      if (p === undefined) return reject('structure', `invalid port in ${JSON.stringify(text)}`);
      port = p;
    }
    const v6 = parseIPv6(host);
    if (v6 === undefined)
      return reject('structure', `not an IPv6 literal: ${JSON.stringify(text)}`);
    return accept({ host: formatIPv6(v6), port });
  }
  const v6 = parseIPv6(trimmed);
  if (v6 !== undefined) return accept({ host: formatIPv6(v6), port });
  const colon = trimmed.lastIndexOf(':');
  if (colon >= 0) {
    host = trimmed.slice(0, colon);
    const p = validPort(trimmed.slice(colon + 1));
    if (p === undefined) return reject('structure', `invalid port in ${JSON.stringify(text)}`);
    port = p;
  }
  if (parseIPv4(host) === undefined) {
    return reject(
      'structure',
      `not an IP address: ${JSON.stringify(text)} (hostnames are not accepted)`,
    );
  }
  return accept({ host, port });
}

/** `host:port`, with brackets around IPv6 (`[::1]:53`). */
export function formatServer(server: DnsServer): string {
  return server.host.includes(':')
    ? `[${server.host}]:${server.port}`
    : `${server.host}:${server.port}`;
}

/** Same host literal and port. */
export function sameServer(a: DnsServer, b: DnsServer): boolean {
  return a.host === b.host && a.port === b.port;
}
