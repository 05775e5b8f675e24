/**
 * Which zones a heartbeat tick harvests (node spec §6.5 step 2): the seeds
 * first (a URL or `host:port` reduced to its host, lower-cased; IP
 * literals and localhost dropped), then the
 * zones of heartbeats already seen, newest first — the zone field of the
 * wire, else its endpoint's host unless that is an IP literal. Duplicates
 * and the node's own zone are dropped; at most `maxPeers` come out.
 */
import { isIpLiteral } from '../../dns/client/server-address.js';
import type { SeenHeartbeat } from '../store/sqlite/heartbeat-seen-store.js';

/** A seed entry as a zone: `https://a.example:8443/x` → `a.example`, `b.example:53` → `b.example`. */
export function seedZone(entry: string): string | undefined {
  let host = entry.trim();
  if (host.includes('://')) {
    try {
      host = new URL(host).hostname;
    } catch {
      return undefined;
    }
  } else if (/^[^:]+:\d+$/.test(host)) {
    host = host.slice(0, host.indexOf(':'));
  }
  host = host.toLowerCase().replace(/\.+$/, '');
  if (host === '' || host.length > 253 || host.startsWith('[') || isIpLiteral(host)) {
    return undefined;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return undefined;
  if (host.split('.').some((label) => label.length > 63)) return undefined;
  return /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(host)
    ? host
    : undefined;
}

/** The zone a seen heartbeat points at, if any. */
export function seenZone(row: SeenHeartbeat): string | undefined {
  if (row.claimProviderZone !== '') return seedZone(row.claimProviderZone);
  return seedZone(row.endpoint);
}

/** The harvest list of one tick. */
export function harvestZones(
  ownZone: string,
  seeds: readonly string[],
  seen: readonly SeenHeartbeat[],
  maxPeers: number,
): string[] {
  const out: string[] = [];
  const add = (zone: string | undefined) => {
    if (zone === undefined || zone === ownZone || out.includes(zone)) return;
    if (out.length < maxPeers) out.push(zone);
  };
  for (const s of seeds) add(seedZone(s));
  for (const row of seen) add(seenZone(row));
  return out;
}
