/**
 * The write side of DMP's DNS use (core spec §11.3): add a TXT value to an
 * RRset, delete one value or the whole RRset. Implemented by RFC 2136 DNS
 * UPDATE with RFC 8945 TSIG and by the node's legacy HTTP API; a cluster
 * fan-out writer implements it too.
 */

/** Stable reason a write failed; each maps to a different remedy. */
export type RecordWriteFailure =
  /** The request was never sent: bad name, TTL or value. */
  | 'invalid'
  /** The credentials (TSIG key, bearer token) are not accepted. */
  | 'unauthorized'
  /** The credentials are valid but do not cover this name, or a node cap refused it. */
  | 'out-of-scope'
  /** The zone is not served by the node, or the name is outside the zone. */
  | 'wrong-zone'
  /** The node refused the value or TTL itself. */
  | 'rejected'
  /** A delete matched nothing. */
  | 'not-found'
  | 'rate-limited'
  /** The node failed while applying the write. */
  | 'server-error'
  /** No reply: network failure or timeout. */
  | 'unreachable'
  /** A reply arrived but cannot be trusted (bad or missing TSIG, malformed). */
  | 'untrusted-reply';

export type WriteOperation = 'publish' | 'delete';

/** A failed write, saying what failed, why, and what to do about it. */
export class RecordWriteError extends Error {
  override readonly name = 'RecordWriteError';
  constructor(
    readonly code: RecordWriteFailure,
    readonly operation: WriteOperation,
    /** Owner name of the record. */
    readonly recordName: string,
    /** Where the write went: `host:port` or a URL. */
    readonly target: string,
    /** Why it failed. */
    readonly reason: string,
    /** What the user can do. */
    readonly hint: string,
    options?: ErrorOptions,
  ) {
    super(`${operation} ${recordName} via ${target} failed: ${reason}. ${hint}`, options);
  }
}

export interface WriteOptions {
  readonly signal?: AbortSignal;
}

/**
 * Publishes and deletes DMP TXT records. Both methods resolve on success and
 * reject with a {@link RecordWriteError} otherwise.
 */
export interface RecordWriter {
  /** Adds `value` to the TXT RRset at `name` (re-publishing a value refreshes its TTL). */
  publish(name: string, value: string, ttl: number, options?: WriteOptions): Promise<void>;
  /** Deletes `value` from the RRset at `name`, or the whole RRset when `value` is omitted. */
  delete(name: string, value?: string, options?: WriteOptions): Promise<void>;
}

/** Largest TTL DNS can carry (RFC 2181 §8). */
export const MAX_TTL = 0x7fffffff;

/** Validates a TTL, returning the reason it is unusable or `undefined`. */
export function ttlProblem(ttl: number): string | undefined {
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) {
    return `TTL ${ttl} is not an integer between 1 and ${MAX_TTL}`;
  }
  return undefined;
}
