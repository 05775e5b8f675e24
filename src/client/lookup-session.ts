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
}
