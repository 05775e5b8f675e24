/**
 * The UPDATE audit log: one line per UPDATE the node answered (applied,
 * refused, or answered from a kept reply), as NSD and Knot log theirs —
 * who (the TSIG key, or `unsigned`), from where, which names, the outcome
 * and the RCODE. Never values, never secrets.
 *
 * | Field | |
 * |---|---|
 * | `outcome` | the `UpdateOutcome` counted in `dmp_dns_updates_total`, or `bad-tsig` (a signature that did not verify; `tsig` holds BADKEY, BADSIG, BADTIME or FORMERR, `claimedKey` the name it claimed) |
 * | `rcode` | the reply's RCODE name |
 * | `key` | the verified key; `unsigned` (no TSIG); `unverified` (a TSIG not checked or not valid) |
 * | `client` | a verified key's client address; for everyone else their network (IPv4 /24, IPv6 /56) |
 * | `transport` | `udp` or `tcp` |
 * | `names` | the first 8 distinct owner names of the update section (lower case), `nameCount` all of them |
 * | `replayOf` | for `replayed`: the outcome of the first copy |
 *
 * Why the two address forms: a key's owner is known, and its address is
 * what shows a stolen key at work; an unsigned sender is anonymous by
 * design (its claims are stored under a pseudonym of its network), and its
 * network is what every budget, RRL and a firewall act on.
 *
 * Levels: `info` when the UPDATE got its ordinary answer — applied,
 * replayed, or refused by the protocol's own rules (a prerequisite, a name
 * outside the zone, a malformed or unsupported record, a cap, UPDATE off, an
 * unverifiable claim); `warn` when the node refused in its own defence or
 * could not store: a signature, a key's scope, a budget or rate, a writer's
 * quota, a full or failing store.
 *
 * Floods: anyone can make refused-UPDATE lines, so only UPDATEs applied
 * under a verified key are always logged (their rate is the key's UPDATE
 * budget). Every other line spends from one of two line budgets — verified
 * keys' (refusals and replays; a replayer needs no key) and everyone
 * else's — of {@link DEFAULT_AUDIT_LIMITS}. A line over budget is counted
 * instead, and at most every `summaryIntervalMs` one `warn` line sums up
 * what was left out: how many, by outcome, and the keys or networks with
 * the most.
 */
import type { TsigFailureCode } from '../../dns/tsig.js';
import { rcodeName } from '../../dns/wire/constants.js';
import type { DnsMessage } from '../../dns/wire/message.js';
import type { Logger } from '../log.js';
import { type MonotonicClock, monotonicSeconds } from '../rate-limit/token-bucket.js';
import { clientNetwork, newClientNetwork } from './client-network.js';
import type { DnsTransport } from './responder.js';
import type { UpdateOutcome } from './responder-metrics.js';

/** How an UPDATE ended, as the audit log names it. */
export type UpdateAuditOutcome = UpdateOutcome | 'bad-tsig';

/** One UPDATE, as the responder reports it. */
export interface UpdateAuditEvent {
  readonly outcome: UpdateAuditOutcome;
  readonly rcode: number;
  /** The verified key (canonical name); `undefined` when none was verified. */
  readonly key: string | undefined;
  /** The request carried a TSIG RR (verified or not). */
  readonly signed: boolean;
  /** For `bad-tsig`: why, and the key name the request claimed. */
  readonly tsig?: TsigFailureCode | undefined;
  readonly claimedKey?: string | undefined;
  /** For `replayed`: the outcome of the first copy. */
  readonly replayOf?: UpdateOutcome | undefined;
  readonly remoteAddress: string;
  readonly transport: DnsTransport;
  /** The request, for its update section's owner names (read only when the line is written). */
  readonly message: DnsMessage;
}

/** Where the responder reports UPDATEs. Must be cheap and must not throw. */
export interface UpdateAudit {
  update(event: UpdateAuditEvent): void;
}

/** Line budgets of the audit log. */
export interface UpdateAuditLimits {
  /** Lines per second each budget refills. */
  readonly linesPerSecond: number;
  /** Lines each budget holds (and starts with). */
  readonly burst: number;
  /** At most one summary of left-out lines per budget this often. */
  readonly summaryIntervalMs: number;
}

/** 5 lines a second, bursts of 50, per budget; a summary at most every 5 s. */
export const DEFAULT_AUDIT_LIMITS: UpdateAuditLimits = {
  linesPerSecond: 5,
  burst: 50,
  summaryIntervalMs: 5_000,
};

/** Owner names listed per line; `nameCount` counts them all. */
export const AUDIT_MAX_NAMES = 8;
/** Keys or networks a summary tracks (the rest are counted as `other`). */
const SUMMARY_MAX_SOURCES = 64;
/** Keys or networks a summary names. */
const SUMMARY_TOP = 8;

const WARN_OUTCOMES: ReadonlySet<UpdateAuditOutcome> = new Set<UpdateAuditOutcome>([
  'bad-tsig',
  'scope',
  'over-budget',
  'claim-rate-limited',
  'writer-quota',
  'writer-rrset',
  'store-full',
  'store-error',
]);

/** `info` or `warn` for an outcome (see the module comment). */
export function auditLevel(outcome: UpdateAuditOutcome): 'info' | 'warn' {
  return WARN_OUTCOMES.has(outcome) ? 'warn' : 'info';
}

/** The first {@link AUDIT_MAX_NAMES} distinct owner names of the update section, and how many there are. */
export function touchedNames(message: DnsMessage): { names: string[]; count: number } {
  const seen = new Set<string>();
  for (const rr of message.authorities) seen.add(rr.name.toLowerCase());
  const names: string[] = [];
  for (const name of seen) {
    if (names.length === AUDIT_MAX_NAMES) break;
    names.push(name);
  }
  return { names, count: seen.size };
}

const scratch = newClientNetwork();

/** The client network of `address` as CIDR text (`192.0.2.0/24`, `2001:db8:0:ab00::/56`), `unknown` if not an address. */
export function networkText(address: string): string {
  clientNetwork(address, 24, 56, scratch);
  if (scratch.family === 4) {
    const v = scratch.hi;
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}/24`;
  }
  if (scratch.family === 6) {
    const groups = [scratch.hi >>> 16, scratch.hi & 0xffff, scratch.lo >>> 16, scratch.lo & 0xffff];
    // RFC 5952: the trailing zero groups (at least the last four) become `::`.
    while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
    return `${groups.map((g) => g.toString(16)).join(':')}::/56`;
  }
  return 'unknown';
}

/** A line budget (token bucket) with the tally of what it left out. */
class LineBudget {
  private tokens: number;
  private last: number;
  private suppressed = 0;
  private readonly outcomes = new Map<string, number>();
  private readonly sources = new Map<string, number>();
  private otherSources = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly what: 'signed' | 'unsigned',
    private readonly limits: UpdateAuditLimits,
    private readonly clock: MonotonicClock,
    private readonly logger: Logger,
  ) {
    this.tokens = limits.burst;
    this.last = clock();
  }

  /** Spends one line; false (and the line tallied under `source`) when the budget is empty. */
  take(outcome: string, source: string): boolean {
    const now = this.clock();
    const l = this.limits;
    this.tokens = Math.min(l.burst, this.tokens + (now - this.last) * l.linesPerSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.suppressed++;
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    const n = this.sources.get(source);
    if (n !== undefined) this.sources.set(source, n + 1);
    else if (this.sources.size < SUMMARY_MAX_SOURCES) this.sources.set(source, 1);
    else this.otherSources++;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), l.summaryIntervalMs);
      this.timer.unref?.();
    }
    return false;
  }

  /** Writes the summary of left-out lines, if any. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.suppressed === 0) return;
    const top = [...this.sources].sort((a, b) => b[1] - a[1]).slice(0, SUMMARY_TOP);
    const fields = {
      audit: 'update',
      suppressed: this.suppressed,
      budget: this.what,
      outcomes: Object.fromEntries(this.outcomes),
      [this.what === 'signed' ? 'keys' : 'clients']: Object.fromEntries(top),
      ...(this.sources.size > SUMMARY_TOP || this.otherSources > 0
        ? { otherSources: this.sources.size - top.length + this.otherSources }
        : {}),
    };
    this.suppressed = 0;
    this.outcomes.clear();
    this.sources.clear();
    this.otherSources = 0;
    this.logger.warn(
      fields,
      `DNS UPDATE audit: ${fields.suppressed} ${this.what} UPDATE lines left out (over the log budget)`,
    );
  }
}

export interface UpdateAuditLogOptions {
  readonly limits?: Partial<UpdateAuditLimits>;
  /** Monotonic seconds (tests). */
  readonly clock?: MonotonicClock;
}

/** The audit log over the node's logger. */
export class UpdateAuditLog implements UpdateAudit {
  private readonly signedBudget: LineBudget;
  private readonly unsignedBudget: LineBudget;

  constructor(
    private readonly logger: Logger,
    options: UpdateAuditLogOptions = {},
  ) {
    const limits = { ...DEFAULT_AUDIT_LIMITS, ...options.limits };
    const clock = options.clock ?? monotonicSeconds;
    this.signedBudget = new LineBudget('signed', limits, clock, logger);
    this.unsignedBudget = new LineBudget('unsigned', limits, clock, logger);
  }

  update(e: UpdateAuditEvent): void {
    const level = auditLevel(e.outcome);
    if (!this.logger.isLevelEnabled(level)) return;
    const verified = e.key !== undefined;
    const client = verified ? e.remoteAddress : networkText(e.remoteAddress);
    if (!verified || e.outcome !== 'applied') {
      const budget = verified ? this.signedBudget : this.unsignedBudget;
      if (!budget.take(e.outcome, verified ? e.key! : client)) return;
    }
    const { names, count } = touchedNames(e.message);
    this.logger[level](
      {
        audit: 'update',
        outcome: e.outcome,
        rcode: rcodeName(e.rcode),
        key: e.key ?? (e.signed ? 'unverified' : 'unsigned'),
        ...(e.tsig === undefined ? {} : { tsig: e.tsig }),
        ...(e.claimedKey === undefined ? {} : { claimedKey: e.claimedKey }),
        ...(e.replayOf === undefined ? {} : { replayOf: e.replayOf }),
        client,
        transport: e.transport,
        names,
        nameCount: count,
      },
      `DNS UPDATE ${e.outcome}`,
    );
  }

  /** Writes the pending summaries (at shutdown). */
  close(): void {
    this.signedBudget.flush();
    this.unsignedBudget.flush();
  }
}
