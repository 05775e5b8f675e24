/**
 * Detects a DMP node's DNS listener (cli spec §5.1, §7): an unsigned UPDATE
 * adding `_dmp-probe.<host>. 60 TXT "v=dmp1;t=probe"` with zone = host. A
 * DMP node always rejects it with REFUSED (zone served) or NOTAUTH (zone not
 * served) and never stores it; recursive resolvers and ordinary servers
 * answer NOTIMP/FORMERR or nothing. Used by `init` and `doctor`.
 */
import { lookup } from 'node:dns/promises';
import { randomId } from '../dns/client/request.js';
import { isIpLiteral } from '../dns/client/server-address.js';
import { UdpTransport } from '../dns/client/udp-transport.js';
import { Rcode } from '../dns/wire/constants.js';
import { encodeMessage } from '../dns/wire/message.js';
import { txtAdd, updateMessage } from '../dns/wire/update.js';
import { endpointHost } from './endpoint.js';
import { parseResolverEntry } from './resolver-entries.js';

/** Ports tried, in order: the dev port first, then the standard one. */
export const PROBE_PORTS: readonly number[] = [5353, 53];

async function addressOf(host: string): Promise<string | undefined> {
  if (isIpLiteral(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch {
    return undefined;
  }
}

/** True when `host:port` answers the probe like a DMP node. Never throws. */
export async function looksLikeDmpNode(
  host: string,
  port: number,
  timeoutMs = 1500,
): Promise<boolean> {
  const address = await addressOf(host);
  if (address === undefined) return false;
  const zone = host.replace(/\.+$/, '');
  try {
    const wire = encodeMessage(
      updateMessage({
        id: randomId(),
        zone,
        updates: [txtAdd(`_dmp-probe.${zone}`, 60, 'v=dmp1;t=probe')],
      }),
    );
    const reply = await new UdpTransport({ attempts: 1, tcpFallback: null }).exchange(wire, {
      server: { host: address, port },
      timeoutMs,
    });
    return reply.header.rcode === Rcode.REFUSED || reply.header.rcode === Rcode.NOTAUTH;
  } catch {
    return false;
  }
}

/**
 * The first port on `host` that answers like a DMP node: `firstPorts` (the
 * ports the user already named for that host), then {@link PROBE_PORTS}.
 */
export async function probeLocalNodeDns(
  host: string,
  timeoutMs = 1500,
  firstPorts: readonly number[] = [],
): Promise<{ host: string; port: number } | undefined> {
  if (host === '') return undefined;
  for (const port of new Set([...firstPorts, ...PROBE_PORTS])) {
    if (await looksLikeDmpNode(host, port, timeoutMs)) return { host, port };
  }
  return undefined;
}

/**
 * Ports of the `dns_resolvers` entries on `host`: a user whose resolver is
 * `127.0.0.1:5354` and whose node is `http://127.0.0.1:8054` has said where
 * the node's DNS listens, and that beats guessing 5353 (where another node,
 * or an mDNS responder, may answer).
 */
export function resolverPortsOn(host: string, resolvers: readonly string[]): number[] {
  const out: number[] = [];
  for (const raw of resolvers) {
    try {
      const entry = parseResolverEntry(raw);
      if (entry.host.toLowerCase() === host.toLowerCase() && entry.port !== undefined) {
        out.push(entry.port);
      }
    } catch {
      // A bad entry is reported where the resolvers are used.
    }
  }
  return out;
}

/** {@link probeLocalNodeDns} on the endpoint host, ports named in `dns_resolvers` first. */
export function probeConfiguredNodeDns(config: {
  endpoint: string;
  dns_resolvers: readonly string[];
}): Promise<{ host: string; port: number } | undefined> {
  const host = endpointHost(config.endpoint);
  return probeLocalNodeDns(host, 1500, resolverPortsOn(host, config.dns_resolvers));
}
