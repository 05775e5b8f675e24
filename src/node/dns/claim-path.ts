/**
 * The unsigned UPDATE path (node spec §2.8): without TSIG the only thing
 * anyone may write is a claim — a sender's signed "you have mail" pointer —
 * at `claim-<digits>.mb-<hash12>.<zone>`. Gates, in order:
 *
 * 1. claim acceptance is on (open provider, or M10 receiver claims);
 * 2. the UPDATE has at least one op, and every op is an ADD;
 * 3. every owner has the claim shape (names.json `server_claim_owner`);
 * 4. receiver-only mode: the owner's recipient is registered here;
 * 5. every value verifies as a claim (signature, freshness) whose
 *    `exp − now` is within the claim lifetime cap;
 * 6. the bucket of (sender network, recipient) has room — exhausted is
 *    SERVFAIL, as in the reference: the client treats it as transient and
 *    retries later, whereas REFUSED would read as "this node is no claim
 *    provider". The reference keys it by recipient only, so one slow sender
 *    could keep a recipient's bucket empty for everyone.
 *
 * Before all of these, the UPDATE's claim count and its network's claim
 * budget are checked (`update-budgets.ts`): over them is REFUSED.
 *
 * Steps 1–5 fail with REFUSED. Accepted ops get their TTL clamped to the
 * lifetime cap. Nothing is written here; the caller applies all or nothing.
 */
import { Rcode } from '../../dns/wire/constants.js';
import { claimOwnerHash12 } from '../../protocol/names.js';
import { parseAndVerifyClaimRecord } from '../../protocol/records/claim-record.js';
import type { StoreOp } from '../store/types.js';
import type { UpdateOutcome } from './responder-metrics.js';

/**
 * Spends one claim token; false when the bucket is empty. The key is
 * `<client network>|<recipient hash12>`: a bucket per sender network and
 * recipient, so one sender cannot keep a recipient's bucket empty for all.
 */
export interface ClaimRateLimiter {
  allow(key: string): boolean;
}

/** Per-network claim budget (see `update-budgets.ts`). */
export interface ClaimAdmission {
  admitClaims(network: string, count: number): boolean;
}

/** What the claim gate needs. */
export interface ClaimPolicy {
  /** Canonical served zone. */
  readonly zone: string;
  /** Open claim provider (anyone may notify anyone). */
  readonly provider: boolean;
  /** M10: claims for registered recipients. */
  readonly receiver: boolean;
  /** Lifetime and TTL cap, seconds (≤ 0: none). */
  readonly maxTtl: number;
  readonly limiter: ClaimRateLimiter;
  /** Claims per UPDATE and per client network; absent: unlimited. */
  readonly admission?: ClaimAdmission | undefined;
  /** Registered recipients at `now` (asked only in receiver-only mode). */
  registered(now: number): ReadonlySet<string>;
}

/** Verdict of {@link admitClaims}. */
export interface ClaimVerdict {
  readonly rcode: number;
  readonly outcome: UpdateOutcome;
}

const ADMITTED: ClaimVerdict = { rcode: Rcode.NOERROR, outcome: 'applied' };
const REFUSED: ClaimVerdict = { rcode: Rcode.REFUSED, outcome: 'claim-refused' };
const RATE_LIMITED: ClaimVerdict = { rcode: Rcode.SERVFAIL, outcome: 'claim-rate-limited' };
const OVER_BUDGET: ClaimVerdict = { rcode: Rcode.REFUSED, outcome: 'over-budget' };

/**
 * Checks `ops` (canonical owners) against the claim gates at `now`; on
 * success replaces each op in place by one with the clamped TTL.
 */
export function admitClaims(
  ops: StoreOp[],
  policy: ClaimPolicy,
  now: number,
  network = '0',
): ClaimVerdict {
  if (!(policy.provider || policy.receiver) || ops.length === 0) return REFUSED;
  // Before any signature is verified: the count cap and the network's claim
  // budget are what keep a flood from costing CPU and disk.
  if (policy.admission !== undefined && !policy.admission.admitClaims(network, ops.length)) {
    return OVER_BUDGET;
  }
  const registered = policy.provider ? undefined : policy.registered(now);
  const maxTtl = policy.maxTtl;
  const recipients: string[] = [];
  for (const op of ops) {
    if (op.kind !== 'add') return REFUSED;
    const recipient = claimOwnerHash12(op.name, policy.zone);
    if (recipient === undefined) return REFUSED;
    if (registered !== undefined && !registered.has(recipient)) return REFUSED;
    const claim = parseAndVerifyClaimRecord(op.value, now);
    if (!claim.ok) return REFUSED;
    if (maxTtl > 0 && claim.value.exp - BigInt(now) > BigInt(maxTtl)) return REFUSED;
    recipients.push(recipient);
  }
  for (const recipient of recipients) {
    if (!policy.limiter.allow(`${network}|${recipient}`)) return RATE_LIMITED;
  }
  if (maxTtl > 0) {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.kind === 'add' && op.ttl > maxTtl) ops[i] = { ...op, ttl: maxTtl };
    }
  }
  return ADMITTED;
}
