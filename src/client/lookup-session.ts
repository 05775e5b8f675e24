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
 */
import { type DnsClientError, DnsUntrustedAnswerError } from '../dns/client/errors.js';
import type { TxtAnswer } from '../dns/client/txt-answer.js';
import type { TxtReader, TxtValidator } from '../dns/client/txt-reader.js';
import type { TxtLookup } from '../protocol/message/open.js';
import { createLimiter, type Limiter, type Pacer } from './concurrency.js';

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
   */
  values(name: string, validate?: TxtValidator): Promise<string[] | undefined> {
    const key = name.toLowerCase();
    let p = this.pending.get(key);
    if (p === undefined) {
      p = this.limit(async () => {
        await this.pace?.();
        return this.reader.readTxt(name, { signal: this.signal, validate });
      }).then(
        (answer) => {
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
    }
    return p;
  }

  /** Queries every name in parallel; resolves with the values in `names` order. */
  all(names: readonly string[], validate?: TxtValidator): Promise<(string[] | undefined)[]> {
    return Promise.all(names.map((n) => this.values(n, validate)));
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
