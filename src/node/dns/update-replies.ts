/**
 * Replies to TSIG-signed UPDATEs, kept for the request's time window
 * (RFC 8945 §5.2.3: a request verifies while |now − time signed| ≤ fudge,
 * the fudge capped at `SERVER_MAX_FUDGE`, 300 s). Inside that window a
 * copy verifies as well as the original; the reference applies a captured
 * UPDATE again for as long as it verifies.
 *
 * Refusing a repeated MAC would also refuse an honest retransmission:
 * nsupdate resends the very same bytes over UDP when a reply is lost. So a
 * repeat is answered, not applied: the node processes a signed UPDATE once
 * and answers every later copy of it — same key, same request MAC — with the
 * reply it sent the first time, byte for byte (its TSIG chains that request
 * MAC, so the retransmitting client verifies it). What is kept is what
 * decided that reply — RCODE, signing time, COOKIE option — not its octets:
 * the reply is a function of the request and these, so the responder
 * rebuilds the same octets (~150 octets of memory an entry instead of ~500
 * for a kept copy, and nothing copied on the common path). RFC 8945 §4.3
 * leaves the header ID outside the MAC (the original ID is in the TSIG RR):
 * a copy under another ID is the same request, and its reply carries its
 * ID. Every verdict is kept, refusals too: a replayed UPDATE whose
 * prerequisite failed must not succeed later, when the zone has changed
 * under it.
 *
 * Bounds (memory, and fairness between keys):
 * - an entry lives until its request's window has passed (then TSIG
 *   verification answers BADTIME before the cache is asked);
 * - each key holds at most `perKey` entries; its oldest goes first;
 * - all keys together hold at most `total`; over it, expired entries are
 *   swept first (at most once a second), then the oldest entry of the key
 *   holding the most entries is dropped (ties: the key that reached that
 *   size first). A key therefore loses entries to others only while it is
 *   among the largest holders: taking one from a key that holds v entries
 *   needs every key at v or fewer, so about `total` / v keys.
 *
 * An entry dropped early (a key past `perKey` entries within one window, or
 * the largest keys under the global cap) can be replayed and re-applied
 * until its window ends; a restart forgets the cache (docs/security.md).
 */

import type { UpdateOutcome } from './responder-metrics.js';

/** Entry limits of an {@link UpdateReplyCache}. */
export interface UpdateReplyCacheLimits {
  /** Entries one TSIG key may hold; its oldest is dropped first. */
  readonly perKey: number;
  /** Entries all keys together may hold. */
  readonly total: number;
}

/**
 * 4,096 per key: every UPDATE of a key sending up to ~13 a second stays
 * covered for its whole 300 s window; 100,000 in all (~15 MB).
 */
export const DEFAULT_UPDATE_REPLY_LIMITS: UpdateReplyCacheLimits = {
  perKey: 4_096,
  total: 100_000,
};

/** What decided the reply to a signed UPDATE, enough to send it again. */
export interface KeptReply {
  readonly rcode: number;
  /** The outcome of the first processing (for the audit log). */
  readonly outcome: UpdateOutcome;
  /** Unix second the reply was signed at (its TSIG time signed). */
  readonly signedAt: number;
  /** The reply's COOKIE option data (RFC 7873), when it had one. */
  readonly cookie: Uint8Array | undefined;
  /** Last Unix second at which the request still verifies. */
  readonly expires: number;
}

/** One key's entries, oldest first (a Map keeps insertion order). */
class KeyEntries {
  readonly entries = new Map<string, KeptReply>();
  constructor(readonly name: string) {}
}

/** The request MAC as a map key, one char per octet. */
function macKey(mac: Uint8Array): string {
  return String.fromCharCode.apply(null, mac as unknown as number[]);
}

export class UpdateReplyCache {
  readonly limits: UpdateReplyCacheLimits;
  private readonly keys = new Map<string, KeyEntries>();
  /** `bySize[n]`: keys holding exactly n entries, in the order they reached n. */
  private readonly bySize: Set<KeyEntries>[] = [];
  private maxSize = 0;
  private count = 0;
  private nextSweep = Number.NEGATIVE_INFINITY;

  constructor(limits: Partial<UpdateReplyCacheLimits> = {}) {
    const l = { ...DEFAULT_UPDATE_REPLY_LIMITS, ...limits };
    for (const [what, v] of Object.entries(l)) {
      if (!Number.isInteger(v) || v < 1) {
        throw new RangeError(`update reply cache: ${what} must be a positive integer, got ${v}`);
      }
    }
    this.limits = l;
  }

  /** Entries held, over all keys. */
  get size(): number {
    return this.count;
  }

  /** Entries held for `keyName`. */
  sizeOf(keyName: string): number {
    return this.keys.get(keyName)?.entries.size ?? 0;
  }

  /**
   * The reply kept for (`keyName`, `mac`) while its window is open at
   * `now` (Unix seconds), else `undefined`. `keyName` canonical.
   */
  lookup(keyName: string, mac: Uint8Array, now: number): KeptReply | undefined {
    const k = this.keys.get(keyName);
    if (k === undefined) return undefined;
    const id = macKey(mac);
    const kept = k.entries.get(id);
    if (kept === undefined || kept.expires >= now) return kept;
    this.drop(k, id);
    return undefined;
  }

  /**
   * Keeps `reply` for (`keyName`, `mac`) until Unix second `reply.expires`
   * (the request's time signed + its capped fudge), within the limits.
   */
  remember(keyName: string, mac: Uint8Array, reply: KeptReply, now: number): void {
    if (reply.expires < now) return;
    let k = this.keys.get(keyName);
    if (k === undefined) {
      k = new KeyEntries(keyName);
      this.keys.set(keyName, k);
    } else {
      this.pruneExpired(k, now);
    }
    const id = macKey(mac);
    if (k.entries.has(id)) this.drop(k, id);
    if (k.entries.size >= this.limits.perKey) this.dropOldest(k);
    // The key may have been emptied and removed by the drops above.
    if (!this.keys.has(keyName)) this.keys.set(keyName, k);
    const before = k.entries.size;
    k.entries.set(id, reply);
    this.count++;
    this.resized(k, before);
    if (this.count <= this.limits.total) return;
    if (now >= this.nextSweep) {
      this.nextSweep = now + 1;
      for (const other of this.keys.values()) this.pruneExpired(other, now);
    }
    while (this.count > this.limits.total) {
      const largest = this.bySize[this.maxSize]!.values().next().value!;
      this.dropOldest(largest);
    }
  }

  /** Drops `k`'s expired entries from its oldest end, up to the first live one. */
  private pruneExpired(k: KeyEntries, now: number): void {
    for (const [id, kept] of k.entries) {
      if (kept.expires >= now) return;
      this.drop(k, id);
    }
  }

  private dropOldest(k: KeyEntries): void {
    const id = k.entries.keys().next().value;
    if (id !== undefined) this.drop(k, id);
  }

  private drop(k: KeyEntries, id: string): void {
    const before = k.entries.size;
    if (!k.entries.delete(id)) return;
    this.count--;
    this.resized(k, before);
    if (k.entries.size === 0) this.keys.delete(k.name);
  }

  /** Moves `k` from the set of keys of size `before` to that of its size now. */
  private resized(k: KeyEntries, before: number): void {
    const after = k.entries.size;
    if (before > 0) this.bySize[before]!.delete(k);
    if (after > 0) {
      let set = this.bySize[after];
      if (set === undefined) {
        set = new Set();
        this.bySize[after] = set;
      }
      set.add(k);
      if (after > this.maxSize) this.maxSize = after;
    }
    while (this.maxSize > 0 && (this.bySize[this.maxSize]?.size ?? 0) === 0) this.maxSize--;
  }
}
