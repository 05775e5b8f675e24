/**
 * Receiving (core.md §8.4): three phases, results concatenated in order.
 *
 * | Phase | Runs when | Reads |
 * |---|---|---|
 * | 1 own-zone claims (M10) | not `skipPrimary`, and something is pinned or `primaryOnly` | 10 claim names in the own zone |
 * | 2 slot walk | not `primaryOnly` | 10 slot names per polled zone |
 * | 3 provider claims | claim providers given | 10 claim names per provider zone |
 *
 * The names of all three phases are requested at once, up front; each
 * phase then takes its answers, reads every message's chunks in parallel,
 * and finishes (and records its deliveries in the replay
 * cache) before the next starts, so phase 1 dedupes phase 2 as in the
 * reference. Per message: the manifest's slot RRset (shared per zone), k
 * chunk reads and, for DMPv2 senders, two identity reads for the label.
 *
 * Reads in zones the user did not choose (named by strangers' claims) run
 * under short deadlines: `strangerLookupTimeoutMs` each, `strangerBudgetMs`
 * for all of them in one pass (stranger-deadlines.ts).
 */
import { claimNames, receiveClaims } from './claim-receive.js';
import { type ClientContext, newSession } from './context.js';
import { countsSince, type QueryCounts } from './counting-reader.js';
import { DmpClientError } from './errors.js';
import type { DeliveryPath, InboxMessage } from './inbox-message.js';
import { IntroQuota, introLimits } from './intro-limits.js';
import { assertReached, failureReasons } from './reach.js';
import { type Decoded, ReceiveRun } from './receive-run.js';
import type { ClaimProvider } from './send.js';
import { slotWalkCandidates, slotWalkNames } from './slot-walk.js';
import type { IntroEntry } from './state/types.js';
import { StrangerDeadlines } from './stranger-deadlines.js';

export interface ReceiveOptions {
  /** Only phase 1 (own-zone claims). Exclusive with `skipPrimary`. */
  readonly primaryOnly?: boolean;
  /** Skip phase 1. */
  readonly skipPrimary?: boolean;
  /** Zones polled in phase 3 (same list `send` uses). */
  readonly claimProviders?: readonly ClaimProvider[];
  readonly onProgress?: (progress: ReceiveProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * A read in a zone that is neither the own zone, a contact's zone nor a
   * claim provider's (a zone a stranger's claim points at) is given up
   * after this many milliseconds. Default 1500
   * (`STRANGER_LOOKUP_TIMEOUT_MS`).
   */
  readonly strangerLookupTimeoutMs?: number;
  /**
   * All reads in such zones together get this many milliseconds per pass,
   * counted from the first of them; the rest are given up. Default 5000
   * (`STRANGER_BUDGET_MS`).
   */
  readonly strangerBudgetMs?: number;
  /**
   * Intros the queue may hold; beyond it new intros are refused (counted
   * as `intro-queue-full`) and stay on the provider. Default 200 (`MAX_INTROS`).
   */
  readonly maxIntros?: number;
  /**
   * Intros the queue may hold from one sender key (beyond: `intro-sender-full`).
   * Default 10 (`MAX_INTROS_PER_SENDER`).
   */
  readonly maxIntrosPerSender?: number;
}

export type ReceivePhase = 'own-zone-claims' | 'slot-walk' | 'provider-claims';

/** Emitted when a phase ends. */
export interface ReceiveProgress {
  readonly phase: ReceivePhase;
  readonly delivered: number;
  readonly queued: number;
  /** DNS queries so far in this pass. */
  readonly queries: number;
}

export interface ReceiveStats {
  readonly queries: QueryCounts;
  readonly durationMs: number;
  readonly phases: readonly ReceivePhase[];
  /**
   * Values and messages refused, by reason (`replay`, `unpinned-signer`,
   * `undecodable:decrypt`, `claim-deferred`, `stranger-timeout`,
   * `intro-queue-full`, `intro-sender-full` …).
   */
  readonly dropped: Readonly<Record<string, number>>;
  /**
   * Names no resolver answered (network failures) and why, one line per
   * distinct failure naming the server. Mail behind them was not seen this
   * pass. (When no name at all was answered, `receive` throws instead.)
   */
  readonly unanswered: { readonly names: number; readonly reasons: readonly string[] };
  /**
   * Reads in strangers' zones given up under their short deadlines, and
   * whether the pass's stranger budget ran out. The claims behind them are
   * counted in `dropped['stranger-timeout']` and stay for the next pass.
   */
  readonly strangerTimeouts: { readonly lookups: number; readonly budgetSpent: boolean };
}

export interface ReceiveResult {
  /** Delivered messages, phase order. */
  readonly messages: InboxMessage[];
  /** Messages from unpinned senders newly put in the intro queue. */
  readonly intros: IntroEntry[];
  readonly stats: ReceiveStats;
}

function toInbox(ctx: ClientContext, d: Decoded): InboxMessage {
  const { opened, candidate } = d;
  return {
    senderSpk: opened.senderSpk,
    plaintext: opened.body,
    timestamp: opened.timestamp,
    msgId: opened.msgId,
    senderLabel: d.senderLabel,
    contactLabel: ctx.contacts.findByKey(opened.senderSpk)?.label,
    zone: candidate.zone,
    via: candidate.via,
  };
}

/** One receive pass. */
export async function receiveMessages(
  ctx: ClientContext,
  options: ReceiveOptions = {},
): Promise<ReceiveResult> {
  if (options.primaryOnly && options.skipPrimary) {
    throw new DmpClientError(
      'invalid-options',
      'primaryOnly and skipPrimary cannot be combined',
      'Pass at most one of them',
    );
  }
  const limits = introLimits(options);
  const providers = options.claimProviders ?? [];
  // The zones the user chose: its own, its contacts', its claim providers'.
  const strangers = new StrangerDeadlines(
    [...ctx.contacts.zonesToPoll(), ctx.domain, ...providers.map((p) => p.zone)],
    { lookupTimeoutMs: options.strangerLookupTimeoutMs, budgetMs: options.strangerBudgetMs },
  );
  const started = performance.now();
  const before = ctx.reader.snapshot();
  const session = newSession(ctx, options.signal);
  const run = new ReceiveRun(ctx, session, strangers, new IntroQuota(ctx.state.intros, limits));
  const messages: InboxMessage[] = [];
  const intros: IntroEntry[] = [];
  const phases: ReceivePhase[] = [];
  const known = ctx.contacts.pinnedKeys();

  const report = (phase: ReceivePhase): void => {
    phases.push(phase);
    options.onProgress?.({
      phase,
      delivered: messages.length,
      queued: intros.length,
      queries: ctx.reader.snapshot().queries - before.queries,
    });
  };
  const claimPhase = async (zones: string[], via: DeliveryPath): Promise<void> => {
    const result = await receiveClaims(run, zones, via);
    for (const d of result.pinned) messages.push(toInbox(ctx, d));
    intros.push(...result.intros);
  };

  const ownClaims =
    !options.skipPrimary && (known.size > 0 || options.primaryOnly) && ctx.domain !== '';
  // Every name of every phase is known now, so ask for them all at once:
  // the later phases' round trips overlap phase 1's instead of following
  // it. Queued in phase order, so phase 1 (the fast path) is never stuck
  // behind a long slot walk. The phases still run — and dedupe — in order,
  // reading these answers from the session (same names, same validators).
  const { userId } = ctx.identity;
  if (ownClaims) void session.all(claimNames(userId, ctx.domain), run.claimValidator);
  if (!options.primaryOnly) void session.all(slotWalkNames(run), run.slotValidator);
  const providerNames = providers.flatMap((p) => claimNames(userId, p.zone));
  if (providerNames.length > 0) void session.all(providerNames, run.claimValidator);

  try {
    if (ownClaims) {
      await claimPhase([ctx.domain], 'own-zone-claim');
      report('own-zone-claims');
    }
    if (!options.primaryOnly) {
      const decoded = await run.decode(await slotWalkCandidates(run));
      for (const d of decoded) messages.push(toInbox(ctx, d));
      report('slot-walk');
    }
    if (providers.length > 0) {
      await claimPhase(
        providers.map((p) => p.zone),
        'provider-claim',
      );
      report('provider-claims');
    }
    assertReached(session, 'receive');
  } finally {
    strangers.stop();
    await run.settle();
  }
  await ctx.state.prekeys.purgeExpired(ctx.clock());
  const { failures } = session.reach();

  return {
    messages,
    intros,
    stats: {
      queries: countsSince(before, ctx.reader.snapshot()),
      durationMs: performance.now() - started,
      phases,
      dropped: run.dropped,
      unanswered: { names: failures.length, reasons: failureReasons(failures) },
      strangerTimeouts: { lookups: session.abandonedCount(), budgetSpent: strangers.budgetSpent },
    },
  };
}
