/**
 * Observability hooks of the DNS responder: what it decided, counted per
 * event. The responder only calls the sink; whoever owns metrics (prom-client
 * in the daemon) stores them. Latency is measured by the transports, which
 * see the whole request. Implementations must be cheap and must not throw
 * (the responder survives a throwing sink, but answers SERVFAIL).
 */
import type { TsigFailureCode } from '../../dns/tsig.js';
import type { ResponseKind } from './responder.js';
import type { CookieOutcome } from './server-cookies.js';

/** Why a request got no reply at all. */
export type DropReason =
  /** Shorter than a DNS header: there is no ID to answer to. */
  | 'short'
  /** QR=1: replying to responses invites loops. */
  | 'response';

/** How an UPDATE ended (RFC 2136 §3 step that decided it). */
export type UpdateOutcome =
  | 'applied'
  | 'disabled'
  | 'malformed'
  | 'notauth'
  | 'notzone'
  | 'prerequisite'
  | 'unsupported-type'
  | 'caps'
  | 'scope'
  | 'claim-refused'
  | 'claim-rate-limited'
  | 'over-budget'
  | 'invalid-value'
  | 'writer-quota'
  | 'writer-rrset'
  | 'store-full'
  | 'store-error'
  /** A signed UPDATE already processed within its TSIG window: answered with its first reply, not applied again. */
  | 'replayed';

/** The responder's metrics sink. */
export interface ResponderMetrics {
  /** Every reply: its kind and full (12-bit) RCODE. */
  response(kind: ResponseKind, rcode: number): void;
  /** A request dropped without reply. */
  dropped(reason: DropReason): void;
  /** The outcome of an UPDATE (in addition to its `response`). */
  update(outcome: UpdateOutcome): void;
  /** A request whose TSIG did not verify (answered per RFC 8945 §5.2). */
  tsigFailure(code: TsigFailureCode): void;
  /** A request that carried a DNS COOKIE option (RFC 7873), by what it amounted to. */
  cookie(outcome: CookieOutcome): void;
  /** An unexpected exception inside the responder (the request got SERVFAIL). */
  internalError(error: unknown): void;
}

/** A sink that discards everything (the default). */
export const NO_RESPONDER_METRICS: ResponderMetrics = {
  response() {},
  dropped() {},
  update() {},
  tsigFailure() {},
  cookie() {},
  internalError() {},
};

/** In-memory counters keyed `event:label`, for tests and diagnostics. */
export class CountingResponderMetrics implements ResponderMetrics {
  readonly counts = new Map<string, number>();
  readonly errors: unknown[] = [];

  private bump(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  response(kind: ResponseKind, rcode: number): void {
    this.bump(`response:${kind}:${rcode}`);
  }

  dropped(reason: DropReason): void {
    this.bump(`dropped:${reason}`);
  }

  update(outcome: UpdateOutcome): void {
    this.bump(`update:${outcome}`);
  }

  tsigFailure(code: TsigFailureCode): void {
    this.bump(`tsig:${code}`);
  }

  cookie(outcome: CookieOutcome): void {
    this.bump(`cookie:${outcome}`);
  }

  internalError(error: unknown): void {
    this.errors.push(error);
    this.bump('internal-error');
  }

  /** Count of `key` (e.g. `update:applied`), 0 when never seen. */
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
