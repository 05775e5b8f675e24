/**
 * Delivering claims (core.md §8.3): one unsigned RFC 2136 UPDATE per claim
 * to the provider's node (first contact) or the recipient's home node
 * (M10). The claim value carries its own signature, which the node checks.
 * Injectable, so tests and the CLI can route claims wherever their nodes are.
 */
import { type ClaimUpdateOptions, sendUnsignedClaimUpdate } from '../dns/client/claim-update.js';
import { RecordWriteError } from '../dns/client/record-writer.js';
import type { DnsServer } from '../dns/client/server-address.js';
import {
  type AddressResolver,
  claimTargetHost,
  providerDnsPort,
  resolveTargetAddress,
} from './claim-target.js';
import { SystemAddressResolver } from './system-resolver.js';

/** One claim to deliver. */
export interface ClaimDelivery {
  /** UPDATE zone section: the provider zone, or the recipient's zone (M10). */
  readonly zone: string;
  /** `claim-<slot>.mb-<hash12>.<zone>`. */
  readonly name: string;
  readonly value: string;
  readonly ttl: number;
  /** Provider endpoint URL whose host receives the UPDATE; `''` = use the zone name. */
  readonly endpoint: string;
  /** Explicit target (M10 to the own node's DNS listener), bypassing resolution. */
  readonly target?: DnsServer | undefined;
}

/** Sends claims; rejects with a {@link RecordWriteError} when one is not accepted. */
export interface ClaimTransport {
  deliver(claim: ClaimDelivery, signal?: AbortSignal): Promise<void>;
}

export interface UnsignedClaimTransportOptions {
  /** Resolves target hostnames (pass the client's `ResolverPool`); default: the system resolver. */
  readonly resolver?: AddressResolver;
  /** Used for name-server lookups the resolver cannot do (core.md §8.3 fallback). */
  readonly fallbackResolver?: AddressResolver;
  /** UPDATE port; default `DMP_PROVIDER_DNS_PORT` or 53. */
  readonly port?: number;
  /** Transport and timeout of each UPDATE. */
  readonly update?: ClaimUpdateOptions;
}

/** The reference's claim routing over unsigned UDP UPDATEs (TCP on truncation). */
export class UnsignedClaimTransport implements ClaimTransport {
  private readonly resolver: AddressResolver;
  private readonly fallback: AddressResolver | undefined;
  private readonly port: number;

  constructor(private readonly options: UnsignedClaimTransportOptions = {}) {
    this.resolver = options.resolver ?? new SystemAddressResolver();
    this.fallback = options.fallbackResolver;
    this.port = options.port ?? providerDnsPort(process.env);
  }

  async deliver(claim: ClaimDelivery, signal?: AbortSignal): Promise<void> {
    let target = claim.target;
    if (target === undefined) {
      const host = claimTargetHost(claim.zone, claim.endpoint);
      const address = await resolveTargetAddress(host, this.resolver, this.fallback, signal);
      if (address === undefined) {
        throw new RecordWriteError(
          'unreachable',
          'publish',
          claim.name,
          `${host}:${this.port}`,
          `cannot resolve claim target ${host} (no A/AAAA, no resolvable NS)`,
          'check the provider endpoint or your resolvers',
        );
      }
      target = { host: address, port: this.port };
    }
    await sendUnsignedClaimUpdate(claim.zone, claim.name, claim.value, claim.ttl, target, {
      ...this.options.update,
      signal,
    });
  }
}
