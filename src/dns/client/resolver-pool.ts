/**
 * A pool of upstream recursive resolvers (RFC 1035 §7; DMP core spec
 * §11.1) with health-ordered failover and lying-resolver demotion.
 *
 * One lookup, sequential mode (`crossCheck` 1, the default):
 * upstreams are tried in health order (see `resolver-health.ts`) within one
 * overall deadline. Timeouts, socket errors, SERVFAIL/REFUSED/other RCODEs
 * and (with `dnssecRequired`) replies without AD are failures: recorded,
 * then the next upstream is tried. NXDOMAIN/NODATA are remembered and the
 * search goes on. The first found answer that passes the caller's
 * `validate` (if any) is returned; then
 * - upstreams that said "absent" are charged a failure (oracle rule of the
 *   reference: the found answer proves they were wrong or stale);
 * - upstreams whose values failed `validate` are convicted of lying.
 * If nothing valid is found: all-"absent" is a healthy negative answer
 * (every absent upstream is marked healthy; invalid answers next to an
 * "absent" are lies, invalid answers everywhere are the record's own fault
 * and convict nobody).
 *
 * Cross-check mode (`crossCheck` k ≥ 2): the k best upstreams are asked in
 * parallel and their answers tallied (`answer-votes.ts`); a strict majority
 * convicts the minority of lying. If none of the k gives a usable answer,
 * the lookup continues sequentially with the rest.
 */
import { Rcode, RRType } from '../wire/constants.js';
import { type Ballot, tallyBallots } from './answer-votes.js';
import {
  asClientError,
  DnsAbortedError,
  type DnsClientError,
  DnsNoResolverError,
  DnsRcodeError,
  DnsTimeoutError,
  DnsUntrustedAnswerError,
} from './errors.js';
import { queryMessage } from './request.js';
import {
  type DiscoveryOptions,
  discoverResolvers,
  type ProbeResult,
  usableResolvers,
} from './resolver-discovery.js';
import {
  DEFAULT_HEALTH_POLICY,
  type HealthPolicy,
  orderByHealth,
  ResolverHealth,
  type ResolverStatus,
} from './resolver-health.js';
import { type DnsServer, isIpLiteral, parseServerAddress, sameServer } from './server-address.js';
import type { DnsReply, DnsTransport } from './transport.js';
import { answerRecordsFor, type TxtAnswer, txtAnswerFromReply } from './txt-answer.js';
import { type ReadTxtOptions, runValidator, type TxtReader } from './txt-reader.js';
import { UdpTransport } from './udp-transport.js';

/**
 * A lookup whose deadline leaves less than this does not ask another
 * upstream: no exchange completes in it, and a timer can fire up to a
 * millisecond before \`Date.now\` says the time is up, which left a 1 ms
 * "remaining" after an upstream had used the whole deadline.
 */
const MIN_USEFUL_BUDGET_MS = 5;

export interface ResolverPoolOptions {
  /** Default: UDP (0x20, EDNS 1232) with TCP fallback. */
  readonly transport?: DnsTransport;
  /** Budget for one upstream (default 5000 ms, as the reference). */
  readonly timeoutMs?: number;
  /** Budget for a whole lookup across upstreams (default 15000 ms). */
  readonly deadlineMs?: number;
  /** Upstreams asked in parallel and compared (default 1: sequential failover). */
  readonly crossCheck?: number;
  /** Queries set DO; replies without AD count as failures (cli spec §3.1). */
  readonly dnssecRequired?: boolean;
  readonly policy?: Partial<HealthPolicy>;
  /** Milliseconds clock for health bookkeeping (default `Date.now`). */
  readonly clock?: () => number;
}

/** Upper bound on configured upstreams, so one lookup stays bounded in time and sockets. */
export const MAX_RESOLVERS = 32;

type Outcome =
  | { kind: 'found'; h: ResolverHealth; values: string[] }
  | { kind: 'absent'; h: ResolverHealth; status: 'nxdomain' | 'nodata' }
  | { kind: 'invalid'; h: ResolverHealth; values: string[] }
  | { kind: 'error'; h: ResolverHealth; error: DnsClientError }
  | { kind: 'aborted'; error: DnsClientError };

/** State of one lookup, shared by the parallel and sequential phases. */
interface Lookup {
  readonly name: string;
  readonly options: ReadTxtOptions;
  readonly deadline: number;
  readonly failures: DnsClientError[];
  readonly absent: Extract<Outcome, { kind: 'absent' }>[];
  readonly invalid: Extract<Outcome, { kind: 'invalid' }>[];
  /** Upstreams skipped because the deadline passed. */
  readonly untried: string[];
}

/** Result of one exchange with one upstream, health already recorded for failures. */
type Exchanged =
  | { kind: 'reply'; reply: DnsReply }
  | { kind: 'error'; error: DnsClientError }
  | { kind: 'aborted'; error: DnsClientError };

function toServer(entry: string | DnsServer): DnsServer {
  if (typeof entry !== 'string') return entry;
  const parsed = parseServerAddress(entry);
  if (!parsed.ok) throw new RangeError(`resolver ${parsed.detail}`);
  return parsed.value;
}

/** {@link TxtReader} over several recursive resolvers. */
export class ResolverPool implements TxtReader {
  private readonly healths: ResolverHealth[];
  private readonly transport: DnsTransport;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly crossCheck: number;
  private readonly dnssecRequired: boolean;
  private readonly policy: HealthPolicy;
  private readonly clock: () => number;

  /**
   * @param resolvers IP literals with optional port (`1.1.1.1`, `[::1]:5353`)
   *   or {@link DnsServer}s; duplicates are dropped, order is preference.
   * @throws RangeError for an empty list, a hostname or more than 32 entries.
   */
  constructor(resolvers: readonly (string | DnsServer)[], options: ResolverPoolOptions = {}) {
    const servers: DnsServer[] = [];
    for (const entry of resolvers) {
      const server = toServer(entry);
      if (!servers.some((s) => sameServer(s, server))) servers.push(server);
    }
    if (servers.length === 0) throw new RangeError('a resolver pool needs at least one resolver');
    if (servers.length > MAX_RESOLVERS) {
      throw new RangeError(`at most ${MAX_RESOLVERS} resolvers, got ${servers.length}`);
    }
    this.healths = servers.map((s, i) => new ResolverHealth(s, i));
    this.transport = options.transport ?? new UdpTransport();
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.deadlineMs = options.deadlineMs ?? 15_000;
    this.crossCheck = Math.max(1, Math.floor(options.crossCheck ?? 1));
    this.dnssecRequired = options.dnssecRequired ?? false;
    this.policy = { ...DEFAULT_HEALTH_POLICY, ...options.policy };
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Probes `candidates` (see `resolver-discovery.ts`) and builds a pool over
   * the usable ones, in candidate order. Rejects with `DnsDiscoveryError`
   * when none is usable.
   */
  static async discover(
    candidates: readonly (string | DnsServer)[],
    options: DiscoveryOptions & { pool?: ResolverPoolOptions } = {},
  ): Promise<{ pool: ResolverPool; probes: ProbeResult[] }> {
    const probes = await discoverResolvers(candidates, options);
    const pool = new ResolverPool(usableResolvers(probes), {
      transport: options.transport,
      ...options.pool,
    });
    return { pool, probes };
  }

  /** The configured upstreams, in configured order. */
  get servers(): DnsServer[] {
    return this.healths.map((h) => h.server);
  }

  /** Health of every upstream in the order the next lookup will try them. JSON-safe. */
  list(): ResolverStatus[] {
    const now = this.clock();
    return orderByHealth(this.healths, now, this.policy).map((h) => h.snapshot(now, this.policy));
  }

  async readTxt(name: string, options: ReadTxtOptions = {}): Promise<TxtAnswer> {
    const lookup: Lookup = {
      name,
      options,
      deadline: this.clock() + this.deadlineMs,
      failures: [],
      absent: [],
      invalid: [],
      untried: [],
    };
    let order = orderByHealth(this.healths, this.clock(), this.policy);
    if (this.crossCheck > 1 && order.length > 1) {
      const asked = order.slice(0, this.crossCheck);
      const decided = await this.crossChecked(asked, lookup);
      if (decided !== undefined) return decided;
      order = order.slice(asked.length);
    }
    return this.sequential(order, lookup);
  }

  private async sequential(order: ResolverHealth[], lookup: Lookup): Promise<TxtAnswer> {
    // Set when an upstream timed out on a budget the deadline cut short:
    // the deadline is then spent, whatever the clocks say. (A timer can fire
    // early by Date.now — libuv starts it from the loop's cached time — so
    // "remaining" alone may still show a few ms, or tens under load.)
    let spent = false;
    for (const h of order) {
      const remaining = lookup.deadline - this.clock();
      if (spent || remaining < MIN_USEFUL_BUDGET_MS) {
        lookup.untried.push(h.label);
        continue;
      }
      const budget = Math.min(this.timeoutMs, remaining);
      const outcome = await this.ask(h, lookup, budget);
      if (
        budget === remaining &&
        outcome.kind === 'error' &&
        outcome.error instanceof DnsTimeoutError
      ) {
        spent = true;
      }
      switch (outcome.kind) {
        case 'aborted':
          return { status: 'error', error: outcome.error };
        case 'error':
          lookup.failures.push(outcome.error);
          break;
        case 'absent':
          lookup.absent.push(outcome);
          break;
        case 'invalid':
          lookup.invalid.push(outcome);
          break;
        case 'found':
          return this.acceptFound(outcome, lookup);
      }
    }
    return this.noValidAnswer(lookup);
  }

  private async crossChecked(
    asked: ResolverHealth[],
    lookup: Lookup,
  ): Promise<TxtAnswer | undefined> {
    const remaining = lookup.deadline - this.clock();
    const budget = Math.max(1, Math.min(this.timeoutMs, remaining));
    const outcomes = await Promise.all(asked.map((h) => this.ask(h, lookup, budget)));
    const voters: Extract<Outcome, { kind: 'found' | 'absent' }>[] = [];
    for (const o of outcomes) {
      if (o.kind === 'aborted') return { status: 'error', error: o.error };
      if (o.kind === 'error') lookup.failures.push(o.error);
      else if (o.kind === 'invalid') lookup.invalid.push(o);
      else voters.push(o);
    }
    const ballots: Ballot[] = voters.map((o) =>
      o.kind === 'found' ? { kind: 'found', values: o.values } : { kind: 'absent' },
    );
    const tally = tallyBallots(ballots, lookup.options.validate !== undefined);
    if (tally === undefined) return undefined;
    const now = this.clock();
    for (const i of tally.winners) voters[i]!.h.recordSuccess(now);
    for (const i of tally.liars) {
      voters[i]!.h.recordLie(now, `disagreed with the majority for ${lookup.name}`, this.policy);
    }
    for (const i of tally.deniers) {
      voters[i]!.h.recordFailure(
        now,
        `denied ${lookup.name}, which another resolver proved exists`,
      );
    }
    // Any usable ballot contradicts the values that failed validation.
    this.convictInvalid(lookup);
    const winner = voters[tally.winners[0]!]!;
    return winner.kind === 'found'
      ? { status: 'found', values: winner.values, server: winner.h.label }
      : { status: winner.status, server: winner.h.label };
  }

  /**
   * One query to one upstream. Transport failures, unusable RCODEs (not
   * NOERROR/NXDOMAIN) and missing AD under `dnssecRequired` are recorded
   * as failures here; an abort is nobody's fault.
   */
  private async exchange(
    h: ResolverHealth,
    name: string,
    type: number,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Exchanged> {
    h.recordQuery();
    let error: DnsClientError;
    try {
      const reply = await this.transport.exchange(
        queryMessage(name, type, { dnssecOk: this.dnssecRequired }),
        { server: h.server, timeoutMs, signal },
      );
      h.recordLatency(reply.rttMs);
      const rcode = reply.header.rcode;
      if (rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN) {
        error = new DnsRcodeError(h.label, rcode, name);
      } else if (this.dnssecRequired && !reply.header.ad) {
        error = new DnsUntrustedAnswerError(h.label, name, 'not DNSSEC-validated (AD clear)');
      } else {
        return { kind: 'reply', reply };
      }
    } catch (err) {
      if (err instanceof DnsAbortedError) return { kind: 'aborted', error: err };
      error = asClientError(err);
    }
    h.recordFailure(this.clock(), error.message);
    return { kind: 'error', error };
  }

  /** Asks one upstream for TXT and classifies the answer. */
  private async ask(h: ResolverHealth, lookup: Lookup, timeoutMs: number): Promise<Outcome> {
    const { name, options } = lookup;
    const done = await this.exchange(h, name, RRType.TXT, timeoutMs, options.signal);
    if (done.kind === 'aborted') return done;
    if (done.kind === 'error') return { kind: 'error', h, error: done.error };
    const answer = txtAnswerFromReply(done.reply, name, h.label);
    switch (answer.status) {
      case 'error':
        // Unreachable: exchange() already turned unusable RCODEs into errors.
        return { kind: 'error', h, error: answer.error };
      case 'nxdomain':
      case 'nodata':
        return { kind: 'absent', h, status: answer.status };
      case 'found':
        if (options.validate !== undefined && !runValidator(options.validate, answer.values)) {
          return { kind: 'invalid', h, values: answer.values };
        }
        return { kind: 'found', h, values: answer.values };
    }
  }

  /**
   * An address for `host` (core spec §8.3: UPDATE targets): an IP literal
   * as is, else the first A — then AAAA — record any upstream returns, in
   * health order within the lookup deadline. "No such name" is not held
   * against an upstream here (no oracle rule); failures are. `undefined`
   * when no upstream knows an address.
   */
  async resolveAddress(host: string, signal?: AbortSignal): Promise<string | undefined> {
    if (isIpLiteral(host)) return host;
    const deadline = this.clock() + this.deadlineMs;
    for (const type of [RRType.A, RRType.AAAA]) {
      for (const h of orderByHealth(this.healths, this.clock(), this.policy)) {
        const remaining = deadline - this.clock();
        if (remaining < MIN_USEFUL_BUDGET_MS) return undefined;
        const done = await this.exchange(
          h,
          host,
          type,
          Math.min(this.timeoutMs, remaining),
          signal,
        );
        if (done.kind === 'aborted') return undefined;
        if (done.kind === 'error') continue;
        for (const rr of answerRecordsFor(done.reply, host, type)) {
          if (rr.data.kind === 'A' || rr.data.kind === 'AAAA') {
            h.recordSuccess(this.clock());
            return rr.data.address;
          }
        }
      }
    }
    return undefined;
  }

  private acceptFound(found: Extract<Outcome, { kind: 'found' }>, lookup: Lookup): TxtAnswer {
    const now = this.clock();
    for (const a of lookup.absent) {
      a.h.recordFailure(now, `denied ${lookup.name}, which ${found.h.label} answered`);
    }
    this.convictInvalid(lookup);
    found.h.recordSuccess(now);
    return { status: 'found', values: found.values, server: found.h.label };
  }

  /** Convicts upstreams whose values failed validation; call only once another upstream contradicted them. */
  private convictInvalid(lookup: Lookup): void {
    const now = this.clock();
    for (const i of lookup.invalid) {
      i.h.recordLie(now, `returned values for ${lookup.name} that fail verification`, this.policy);
    }
  }

  private noValidAnswer(lookup: Lookup): TxtAnswer {
    const now = this.clock();
    const first = lookup.absent[0];
    if (first !== undefined) {
      for (const a of lookup.absent) a.h.recordSuccess(now);
      this.convictInvalid(lookup);
      return { status: first.status, server: first.h.label };
    }
    const invalid = lookup.invalid[0];
    if (invalid !== undefined) {
      // Every upstream that answered returned the same kind of bad data: the
      // record itself is bad (or all are poisoned); nobody can be singled out.
      const reason = 'values fail verification at every resolver that answered';
      return {
        status: 'error',
        error: new DnsUntrustedAnswerError(invalid.h.label, lookup.name, reason, invalid.values),
      };
    }
    return {
      status: 'error',
      error: new DnsNoResolverError(lookup.name, lookup.failures, lookup.untried),
    };
  }
}
