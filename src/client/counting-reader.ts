/**
 * A {@link TxtReader} wrapper that counts what goes over the network, so
 * the cost of a receive (DNS queries per pinned contact, with and without
 * claims) is measurable rather than guessed.
 */
import type { TxtAnswer } from '../dns/client/txt-answer.js';
import type { ReadTxtOptions, TxtReader } from '../dns/client/txt-reader.js';

/** Running totals of TXT lookups. */
export interface QueryCounts {
  /** Lookups issued. */
  readonly queries: number;
  readonly found: number;
  /** NXDOMAIN or NODATA. */
  readonly absent: number;
  /** No usable answer (timeout, SERVFAIL, untrusted …). */
  readonly errors: number;
}

/** Counts every `readTxt` passed through to `inner`. */
export class CountingReader implements TxtReader {
  private counts = { queries: 0, found: 0, absent: 0, errors: 0 };

  constructor(readonly inner: TxtReader) {}

  async readTxt(name: string, options?: ReadTxtOptions): Promise<TxtAnswer> {
    this.counts.queries++;
    const answer = await this.inner.readTxt(name, options);
    if (answer.status === 'found') this.counts.found++;
    else if (answer.status === 'error') this.counts.errors++;
    else this.counts.absent++;
    return answer;
  }

  /** A snapshot of the totals since construction. */
  snapshot(): QueryCounts {
    return { ...this.counts };
  }
}

/** `after − before`, field by field. */
export function countsSince(before: QueryCounts, after: QueryCounts): QueryCounts {
  return {
    queries: after.queries - before.queries,
    found: after.found - before.found,
    absent: after.absent - before.absent,
    errors: after.errors - before.errors,
  };
}
