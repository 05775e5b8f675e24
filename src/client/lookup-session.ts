/**
 * The reads of one client operation (a send, a receive, a fetch): each name
 * is queried at most once, many names are queried in parallel under one
 * concurrency bound, and answers already in hand can be read synchronously
 * by the pure protocol functions (`openManifest`, `selectIdentityRecord`,
 * `verifySenderLabel`), which take a `TxtLookup`.
 *
 * Within a session the mesh is a snapshot: a slot RRset read for a phase-1
 * claim is reused by the phase-2 walk of the same zone. Sessions are short
 * (one call), so nothing goes stale.
 *
 * A read may carry a {@link ReadDeadline} (a stranger's zone during receive,
 * see stranger-deadlines.ts): it is abandoned when its own timeout or a
 * budget shared with other reads runs out, whatever the reader's own
 * timeout. An abandoned read is neither an answer nor a network failure;
 * a later caller without a deadline reads the name again.
 */
import { type DnsClientError, DnsUntrustedAnswerError } from '../dns/client/errors.js';
import type { TxtAnswer } from '../dns/client/txt-answer.js';
import type { TxtReader, TxtValidator } from '../dns/client/txt-reader.js';
import type { TxtLookup } from '../protocol/message/open.js';
import { createLimiter, type Limiter, type Pacer } from './concurrency.js';

/** A shorter deadline for some reads of a session. */
export interface ReadDeadline {
  /** Abandon one read after this many milliseconds (counted from when it is sent). */
  readonly timeoutMs: number;
  /** A budget shared by several reads: once spent, all of them are abandoned. */
  readonly budget?: ReadBudget;
}

/**
 * A time budget shared by many reads. The clock starts with the first read
 * that uses it (not when it is made), so reads queued behind others do not
 * spend it; {@link ReadBudget.stop} clears the timer at the end of the
 * operation.
 */
export class ReadBudget {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private done = false;
  /** Reads to give up when the budget runs out (a set, not an AbortSignal: many listen at once). */
  private readonly listeners = new Set<() => void>();

  constructor(readonly ms: number) {}

  /** Starts the clock on first use. */
  start(): void {
    if (this.timer !== undefined || this.done) return;
    this.timer = setTimeout(() => {
      this.done = true;
      for (const listener of this.listeners) listener();
      this.listeners.clear();
    }, this.ms);
  }

  /** True once the budget ran out. */
  get spent(): boolean {
    return this.done;
  }

  /** Calls `listener` when the budget runs out; returns the function that unsubscribes it. */
  onSpent(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the clock (the budget is not spent by what comes after). */
  stop(): void {
    clearTimeout(this.timer);
    this.listeners.clear();
  }
}

/** A read given up under its deadline, or one cut off because the session was aborted. */
type Unfinished = 'abandoned' | 'cancelled';

/** Values of an answer in the reference's view: none for every kind of "no answer". */
function valuesOf(answer: TxtAnswer): string[] | undefined {
  return answer.status === 'found' && answer.values.length > 0 ? answer.values : undefined;
}

export class LookupSession {
  private readonly pending = new Map<string, Promise<string[] | undefined>>();
  private readonly settled = new Map<string, string[] | undefined>();
  /** Names whose every source answered with values that failed validation. */
  private readonly rejectedValues = new Map<string, readonly string[]>();
  /** Names no source answered at all (network failures), with why. */
  private readonly failures = new Map<string, DnsClientError>();
  /** Names whose read was started under a deadline. */
  private readonly underDeadline = new Set<string>();
  /** Names whose read under a deadline was given up (and not read again since). */
  private readonly abandonedNames = new Set<string>();
  private abandonedReads = 0;
  private answered = 0;
  private readonly limit: Limiter;

  constructor(
    private readonly reader: TxtReader,
    concurrency: number,
    private readonly signal?: AbortSignal,
    /** Shared rate budget of the client, when it reads a rate-limited node directly. */
    private readonly pace?: Pacer,
  ) {
    this.limit = createLimiter(concurrency);
  }

  /**
   * The values at `name` (queried once per session). With `validate`, a
   * reader that can ask elsewhere does so when an answer fails it (a
   * resolver pool demotes the liar); validated reads are memoised under the
   * same name, so validate only where every caller agrees on the rule.
   * With `deadline`, the read is abandoned (no values) when the deadline
   * passes; a caller without one then reads the name again.
   */
  values(
    name: string,
    validate?: TxtValidator,
    deadline?: ReadDeadline,
  ): Promise<string[] | undefined> {
    const key = name.toLowerCase();
    const p = this.pending.get(key);
    if (p === undefined) return this.start(key, name, validate, deadline);
    if (deadline !== undefined || !this.underDeadline.has(key)) return p;
    // Joining a read that may be abandoned: a caller with the normal
    // deadlines does not take "gave up" for an answer.
    return p.then((values) => {
      if (this.pending.get(key) === p) {
        if (!this.abandonedNames.has(key)) return values;
        this.pending.delete(key);
        this.underDeadline.delete(key);
        this.abandonedNames.delete(key);
      }
      return this.values(name, validate);
    });
  }

  private start(
    key: string,
    name: string,
    validate: TxtValidator | undefined,
    deadline: ReadDeadline | undefined,
  ): Promise<string[] | undefined> {
    if (deadline !== undefined) this.underDeadline.add(key);
    const p = this.limit(async (): Promise<TxtAnswer | Unfinished> => {
      await this.pace?.();
      if (deadline !== undefined) return this.readWithin(name, validate, deadline);
      return this.reader.readTxt(name, { signal: this.signal, validate });
    }).then(
      (answer) => {
        if (answer === 'abandoned' || answer === 'cancelled') {
          if (answer === 'abandoned') {
            this.abandonedNames.add(key);
            this.abandonedReads++;
          }
          this.settled.set(key, undefined);
          return undefined;
        }
        this.classify(key, answer);
        const values = valuesOf(answer);
        this.settled.set(key, values);
        return values;
      },
      () => {
        // readTxt never rejects by contract; a reader that does is a failed lookup.
        this.settled.set(key, undefined);
        return undefined;
      },
    );
    this.pending.set(key, p);
    return p;
  }

  /**
   * One read under `deadline`. The reader is asked to stop (its signal) and
   * is not waited for, so a reader that ignores the signal cannot hold the
   * session past the deadline either.
   */
  private async readWithin(
    name: string,
    validate: TxtValidator | undefined,
    deadline: ReadDeadline,
  ): Promise<TxtAnswer | Unfinished> {
    const { budget } = deadline;
    budget?.start();
    if (this.signal?.aborted) return 'cancelled';
    if (budget?.spent) return 'abandoned';
    const stop = new AbortController();
    const giveUp = (): void => stop.abort();
    const timer = setTimeout(giveUp, deadline.timeoutMs);
    const unsubscribe = budget?.onSpent(giveUp);
    this.signal?.addEventListener('abort', giveUp, { once: true });
    const stopped = new Promise<'stopped'>((resolve) => {
      stop.signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    try {
      const answer = await Promise.race([
        this.reader.readTxt(name, { signal: stop.signal, validate }),
        stopped,
      ]);
      const cut =
        answer === 'stopped' || (answer.status === 'error' && answer.error.code === 'aborted');
      if (!cut) return answer;
      return this.signal?.aborted ? 'cancelled' : 'abandoned';
    } finally {
      clearTimeout(timer);
      unsubscribe?.();
      this.signal?.removeEventListener('abort', giveUp);
    }
  }

  /** Queries every name in parallel; resolves with the values in `names` order. */
  all(
    names: readonly string[],
    validate?: TxtValidator,
    deadline?: ReadDeadline,
  ): Promise<(string[] | undefined)[]> {
    return Promise.all(names.map((n) => this.values(n, validate, deadline)));
  }

  /** True when the read of `name` was given up under its deadline (so its absence means nothing). */
  abandoned(name: string): boolean {
    return this.abandonedNames.has(name.toLowerCase());
  }

  /** How many reads were given up under their deadlines in this session. */
  abandonedCount(): number {
    return this.abandonedReads;
  }

  /** Synchronous view of answers already settled (unread names look absent). */
  readonly lookup: TxtLookup = (name) => this.settled.get(name.toLowerCase());

  /**
   * The values found at `name` that failed validation everywhere they were
   * read (a record that is not what it should be), if that is what happened.
   */
  rejected(name: string): readonly string[] | undefined {
    return this.rejectedValues.get(name.toLowerCase());
  }

  /**
   * Every value read at `name`, believed or not: the found values, else the
   * values that failed validation everywhere. For callers that verify each
   * value themselves and want to count why junk was dropped.
   */
  everything(name: string): readonly string[] {
    return this.lookup(name) ?? this.rejected(name) ?? [];
  }

  /**
   * What the session's reads reached: how many names got an answer
   * (values, "no such name", or values that failed validation) and why
   * the others got none. A session with failures and nothing answered
   * never reached DNS — that is not an empty mailbox.
   */
  reach(): SessionReach {
    return { answered: this.answered, failures: [...this.failures.values()] };
  }

  private classify(key: string, answer: TxtAnswer): void {
    if (answer.status !== 'error') {
      this.answered++;
    } else if (answer.error instanceof DnsUntrustedAnswerError) {
      this.answered++;
      if (answer.error.values !== undefined) this.rejectedValues.set(key, answer.error.values);
    } else if (answer.error.code !== 'aborted') {
      this.failures.set(key, answer.error);
    }
  }
}

/** See {@link LookupSession.reach}. */
export interface SessionReach {
  readonly answered: number;
  readonly failures: readonly DnsClientError[];
}
