/**
 * Budgets in front of UPDATE work (hardening; docs/security.md).
 *
 * The reference limits unsigned claims per recipient only and TSIG writers
 * not at all, so one source could write rows as fast as its packets arrive
 * (a 50 KB datagram carried 200 claims). Every UPDATE here first passes two
 * message budgets that cost no parsing beyond the header — the whole node,
 * and the client network it came from (IPv4 /24, IPv6 /56, as RRL groups
 * them) — before prerequisites, caps, scope or signature checks run. Then:
 *
 * - a TSIG-signed UPDATE spends from its key's own bucket (after verification,
 *   so nobody can drain another's key);
 * - an unsigned UPDATE may carry only a few claims, each spending from its
 *   network's claim bucket and from the bucket of (network, recipient), so
 *   one sender can neither fill the disk nor keep a recipient's bucket
 *   empty for everybody else (the reference keys claims by recipient only).
 *
 * Refusals are REFUSED (never silence, never SERVFAIL for a budget): the
 * writer learns at once that this node will not take the write now.
 */
import {
  monotonicSeconds,
  type RateLimit,
  TokenBucketLimiter,
} from '../rate-limit/token-bucket.js';
import { networkKey } from './client-network.js';

/** The UPDATE budgets; a rate or burst ≤ 0 disables that budget. */
export interface UpdateBudgets {
  /** UPDATE messages per second for the whole node. */
  readonly global: RateLimit;
  /** UPDATE messages per second per client network. */
  readonly perNetwork: RateLimit;
  /** Signed UPDATEs per second per TSIG key. */
  readonly perKey: RateLimit;
  /** Unsigned claims per second per client network. */
  readonly claimsPerNetwork: RateLimit;
  /** Claims one unsigned UPDATE may carry (≤ 0: no limit). */
  readonly maxClaimsPerUpdate: number;
}

/**
 * Defaults: far above what a person's client or a bulk publisher on one
 * network needs (the reference's TSIG writer publishes ~600 UPDATE/s), far
 * below what a flood of row writes would need to fill a disk quickly.
 */
export const DEFAULT_UPDATE_BUDGETS: UpdateBudgets = {
  global: { ratePerSecond: 10_000, burst: 20_000 },
  perNetwork: { ratePerSecond: 3_000, burst: 6_000 },
  perKey: { ratePerSecond: 2_000, burst: 4_000 },
  claimsPerNetwork: { ratePerSecond: 5, burst: 50 },
  maxClaimsPerUpdate: 4,
};

/** The budgets' state: one instance per node responder. */
export class UpdateAdmission {
  readonly budgets: UpdateBudgets;
  private readonly global: TokenBucketLimiter;
  private readonly networks: TokenBucketLimiter;
  private readonly keys: TokenBucketLimiter;
  private readonly claimNetworks: TokenBucketLimiter;

  constructor(budgets: Partial<UpdateBudgets> = {}, clock = monotonicSeconds) {
    this.budgets = { ...DEFAULT_UPDATE_BUDGETS, ...budgets };
    const b = this.budgets;
    this.global = new TokenBucketLimiter(b.global, { clock, maxKeys: 1 });
    this.networks = new TokenBucketLimiter(b.perNetwork, { clock });
    this.keys = new TokenBucketLimiter(b.perKey, { clock });
    this.claimNetworks = new TokenBucketLimiter(b.claimsPerNetwork, { clock });
  }

  /** The client network of `address` (IPv4 /24, IPv6 /56, as RRL groups clients) as a map key. */
  networkOf(address: string): string {
    return networkKey(address);
  }

  /** Spends one UPDATE from the node's and the network's budgets; false when either is empty. */
  admitMessage(network: string): boolean {
    // The network first: a flooding network must not drain the node's budget.
    return this.networks.allow(network) && this.global.allow('');
  }

  /** Spends one signed UPDATE from the key's budget. */
  admitKey(keyName: string): boolean {
    return this.keys.allow(keyName);
  }

  /** Spends `count` claims from the network's claim budget; false when over it or over the per-UPDATE cap. */
  admitClaims(network: string, count: number): boolean {
    const max = this.budgets.maxClaimsPerUpdate;
    if (max > 0 && count > max) return false;
    return this.claimNetworks.allow(network, count);
  }
}
