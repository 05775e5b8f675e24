/**
 * Per-writer limits on stored records (hardening; docs/security.md,
 * "Per-writer limits"), the same on every write path — DNS UPDATE and HTTP.
 *
 * The write budgets bound how fast one writer writes; these bound how much
 * it may hold, so that neither one registrant nor the crowd of anonymous
 * claim senders can fill the disk or a shared RRset for everyone else:
 *
 * - rows and value bytes per writer (a registered subject, whichever of its
 *   credentials writes; an anonymous client network);
 * - values per writer in one shared-namespace RRset (`slot-*`, `claim-*`,
 *   `chunk-*`), so one writer cannot take a recipient's mailbox slot — the
 *   per-name cap (64) is shared by every sender to that recipient;
 * - rows all anonymous claim senders hold together, so claims from many
 *   networks (IPv6 makes networks cheap) cannot crowd out registrants before
 *   the node-wide row cap refuses everyone.
 *
 * The operator's own writes (operator token, keys added with `key add`)
 * carry no writer and are not limited here. Refreshing a value already live
 * counts nothing; deletes in the same write are not credited (a writer at
 * its quota deletes first, then writes).
 */
import { sharedNamespaceOf } from './shared-namespace-values.js';
import type { RecordStore, StoreOp } from './store/types.js';

/** The limits; a value ≤ 0 disables that limit. */
export interface WriterLimits {
  /** Rows one writer may hold. */
  readonly maxRecordsPerWriter: number;
  /** UTF-8 value bytes one writer may hold. */
  readonly maxBytesPerWriter: number;
  /** Values one writer may hold in one shared-namespace RRset. */
  readonly maxValuesPerNamePerWriter: number;
  /** Rows every anonymous claim sender together may hold. */
  readonly maxAnonymousClaimRecords: number;
}

/**
 * Defaults. 50,000 rows / 64 MiB is far more than a person publishes within
 * the longest TTL (a largest message is ~45 rows; a day of heavy use is a
 * few thousand), and 20 such writers are still only a tenth of the default
 * node-wide cap of 1,000,000 rows. 16 values per shared RRset is a quarter
 * of the per-name cap: a bulk sender can place 160 messages to one
 * recipient across the ten slots within a TTL, and four writers are needed
 * to fill a slot. Anonymous claims may hold a tenth of the node-wide cap.
 */
export const DEFAULT_WRITER_LIMITS: WriterLimits = {
  maxRecordsPerWriter: 50_000,
  maxBytesPerWriter: 64 * 1024 * 1024,
  maxValuesPerNamePerWriter: 16,
  maxAnonymousClaimRecords: 100_000,
};

/** The writer class of anonymous claim senders. */
export const ANONYMOUS_CLASS = 'n';

/** Writer identity of a registered subject (both of its credential kinds share it). */
export function subjectWriter(subject: string): string {
  return `s:${subject}`;
}

/** Writer identity of an anonymous client network (as `client-network.ts` keys it). */
export function networkWriter(network: string): string {
  return `${ANONYMOUS_CLASS}:${network}`;
}

/** Why a write is refused, or `ok`. */
export type WriterVerdict = 'ok' | 'writer-quota' | 'writer-rrset';

/**
 * Whether `writer` may apply `ops` (canonical owners) at Unix time `now`.
 * '' (the operator) always may. Reads only cached RRsets and in-memory
 * tallies, plus one indexed count per shared name the write adds to.
 */
export function checkWriterLimits(
  ops: readonly StoreOp[],
  writer: string,
  limits: WriterLimits,
  store: RecordStore,
  now: number,
): WriterVerdict {
  if (writer === '') return 'ok';
  let rows = 0;
  let bytes = 0;
  let perName: Map<string, number> | undefined;
  let seen: Set<string> | undefined;
  for (const op of ops) {
    if (op.kind !== 'add') continue;
    if (store.query(op.name, now).includes(op.value)) continue;
    seen ??= new Set();
    const key = `${op.name}\u0000${op.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows++;
    bytes += Buffer.byteLength(op.value, 'utf8');
    if (sharedNamespaceOf(op.name) !== undefined) {
      perName ??= new Map();
      perName.set(op.name, (perName.get(op.name) ?? 0) + 1);
    }
  }
  if (rows === 0) return 'ok';
  const held = store.writerUsage(writer);
  if (over(held.rows + rows, limits.maxRecordsPerWriter)) return 'writer-quota';
  if (over(held.bytes + bytes, limits.maxBytesPerWriter)) return 'writer-quota';
  if (
    writer.startsWith(`${ANONYMOUS_CLASS}:`) &&
    over(store.writerClassUsage(ANONYMOUS_CLASS).rows + rows, limits.maxAnonymousClaimRecords)
  ) {
    return 'writer-quota';
  }
  if (perName !== undefined && limits.maxValuesPerNamePerWriter > 0) {
    for (const [name, added] of perName) {
      const mine = store.countLiveByWriter(name, writer, now);
      if (mine + added > limits.maxValuesPerNamePerWriter) return 'writer-rrset';
    }
  }
  return 'ok';
}

/** `ops` with `writer` on every add (deletes carry no writer). */
export function attributed(ops: readonly StoreOp[], writer: string): StoreOp[] {
  if (writer === '') return [...ops];
  return ops.map((op) => (op.kind === 'add' ? { ...op, writer } : op));
}

function over(value: number, limit: number): boolean {
  return limit > 0 && value > limit;
}

/** The limits `input` sets, with {@link DEFAULT_WRITER_LIMITS} for the rest. */
export function writerLimitsFrom(input: Partial<WriterLimits>): WriterLimits {
  const d = DEFAULT_WRITER_LIMITS;
  return {
    maxRecordsPerWriter: input.maxRecordsPerWriter ?? d.maxRecordsPerWriter,
    maxBytesPerWriter: input.maxBytesPerWriter ?? d.maxBytesPerWriter,
    maxValuesPerNamePerWriter: input.maxValuesPerNamePerWriter ?? d.maxValuesPerNamePerWriter,
    maxAnonymousClaimRecords: input.maxAnonymousClaimRecords ?? d.maxAnonymousClaimRecords,
  };
}
