/**
 * The pure half of one anti-entropy page (node spec §5.4 steps 3–6):
 * which digest entries are well-formed, which (name, hash) pairs must be
 * pulled, which are already handled, and how far the per-peer watermark
 * may move. Nothing here does I/O, so every rule is unit-tested alone.
 *
 * Invariants:
 * - a malformed entry never influences the watermark (it is dropped);
 * - the watermark only moves forward, and only over the contiguous prefix
 *   of well-formed entries that were handled — an entry left unhandled
 *   (pull failed, value refused) stays visible to the next digest call;
 * - the peer's `next_cursor` is never trusted.
 */
import type { SyncCursor } from '../store/types.js';
import { compareCursors, isValueHash } from './cursor.js';

/** A digest entry that passed validation. */
export interface DigestEntry {
  readonly name: string;
  readonly hash: string;
  /** Peer's stored_ts, ms (a safe integer). */
  readonly ts: number;
  /** Peer's seconds left, 0..2^31. */
  readonly ttl: number;
}

/** Largest TTL a digest entry may carry. */
export const MAX_ENTRY_TTL = 2 ** 31;
/** How far in the future a peer's stored_ts may be (clock skew), ms. */
export const CLOCK_SKEW_MS = 60_000;
/** A peer's TTL must exceed ours by more than this to be pulled as a refresh. */
export const TTL_REFRESH_SLOP_SECONDS = 5;

const ENTRY_NAME = /^[a-zA-Z0-9._-]{1,253}$/;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** The entry if it is well-formed at `nowMs` (the reference's checks), else undefined. */
export function validDigestEntry(raw: unknown, nowMs: number): DigestEntry | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { name, hash, ts, ttl } = raw as Record<string, unknown>;
  if (typeof name !== 'string' || !ENTRY_NAME.test(name)) return undefined;
  if (typeof hash !== 'string' || !isValueHash(hash)) return undefined;
  if (!isInt(ts) || ts < 0 || ts > nowMs + CLOCK_SKEW_MS) return undefined;
  if (!isInt(ttl) || ttl < 0 || ttl > MAX_ENTRY_TTL) return undefined;
  return { name, hash, ts, ttl };
}

export const cursorOfEntry = (e: DigestEntry): SyncCursor => ({
  ts: BigInt(e.ts),
  name: e.name,
  hash: e.hash,
});

/**
 * The well-formed entries of a page, in page order, that lie strictly after
 * `cursor` and strictly after the entry before them (an honest peer's page
 * always does; anything else is dropped like a malformed entry). At most
 * `max` entries of the page are looked at.
 */
export function pageEntries(
  records: readonly unknown[],
  cursor: SyncCursor,
  nowMs: number,
  max: number,
): { entries: DigestEntry[]; dropped: number } {
  const entries: DigestEntry[] = [];
  let dropped = 0;
  let last = cursor;
  const n = Math.min(records.length, max);
  for (let i = 0; i < n; i++) {
    const e = validDigestEntry(records[i], nowMs);
    if (e === undefined || compareCursors(cursorOfEntry(e), last) <= 0) {
      dropped++;
      continue;
    }
    entries.push(e);
    last = cursorOfEntry(e);
  }
  return { entries, dropped: dropped + Math.max(0, records.length - n) };
}

/** `(name, hash)` as one map key. */
export const pairKey = (name: string, hash: string): string => `${name}\n${hash}`;

/** Local state of one name: value hash → seconds left. */
export type LocalHashes = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** What to do with a page: pairs to pull (page order, distinct) and pairs already handled. */
export interface PagePlan {
  readonly toPull: readonly { readonly name: string; readonly hash: string }[];
  readonly handled: Set<string>;
}

/**
 * Step 4: a pair we hold with the same hash is handled unless the peer's
 * TTL exceeds ours by more than the slop (a refresh we missed: pull it);
 * any other pair is pulled. `local` is keyed by the entry names as given.
 */
export function planPage(entries: readonly DigestEntry[], local: LocalHashes): PagePlan {
  const toPull: { name: string; hash: string }[] = [];
  const handled = new Set<string>();
  const seen = new Set<string>();
  for (const e of entries) {
    const key = pairKey(e.name, e.hash);
    if (seen.has(key)) continue;
    seen.add(key);
    const left = local.get(e.name)?.get(e.hash);
    if (left !== undefined && (e.ttl <= 0 || e.ttl <= left + TTL_REFRESH_SLOP_SECONDS)) {
      handled.add(key);
      continue;
    }
    toPull.push({ name: e.name, hash: e.hash });
  }
  return { toPull, handled };
}

/**
 * Step 6: the cursor of the last entry of the contiguous handled prefix, if
 * it lies after `watermark`; otherwise `watermark` unchanged.
 */
export function advanceWatermark(
  watermark: SyncCursor,
  entries: readonly DigestEntry[],
  handled: ReadonlySet<string>,
): SyncCursor {
  let next = watermark;
  for (const e of entries) {
    if (!handled.has(pairKey(e.name, e.hash))) break;
    const c = cursorOfEntry(e);
    if (compareCursors(c, next) > 0) next = c;
  }
  return next;
}
