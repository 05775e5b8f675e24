/**
 * Hostname resolution through the operating system (core.md §8.3: used for
 * claim UPDATE targets when no resolver pool is configured). IPv4 is
 * preferred, as in the reference.
 */
import { lookup, resolveNs } from 'node:dns/promises';
import type { AddressResolver } from './claim-target.js';

export class SystemAddressResolver implements AddressResolver {
  async resolveAddress(host: string): Promise<string | undefined> {
    for (const family of [4, 6] as const) {
      try {
        return (await lookup(host, { family })).address;
      } catch {
        // Try the other family, then give up.
      }
    }
    return undefined;
  }

  async resolveNsHosts(zone: string): Promise<string[]> {
    try {
      return (await resolveNs(zone)).map((h) => h.replace(/\.$/, ''));
    } catch {
      return [];
    }
  }
}
