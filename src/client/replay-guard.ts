/**
 * The replay cache (core.md §8.9): a `(sender_spk, msg_id)` pair is
 * delivered at most once while its manifest lives.
 *
 * - `claimForDecode` reserves a pair before fetching and decrypting, so two
 *   paths (a claim and the slot walk, or two concurrent fetches) cannot both
 *   deliver it; reservations are memory-only and lapse after 300 s.
 * - `finalize` records the delivery (persisted until the manifest's `exp`).
 * - `release` frees a reservation after a failed decode, so the next poll
 *   retries.
 *
 * The reservation is taken synchronously before any storage is awaited, so
 * the guard is race-free within a process even over an async store.
 */
import { toHex } from '../protocol/bytes.js';
import type { Clock } from './clock.js';
import type { SeenMessageStore } from './state/types.js';

/** Reservations older than this are presumed abandoned (a crashed decode). */
export const IN_FLIGHT_TIMEOUT_SECONDS = 300;

const keyOf = (spk: Uint8Array, msgId: Uint8Array): string => `${toHex(spk)}:${toHex(msgId)}`;

export class ReplayGuard {
  private readonly inFlight = new Map<string, number>();
  private lastPurge = -1;

  constructor(
    private readonly seen: SeenMessageStore,
    private readonly clock: Clock,
  ) {}

  /** Reserves the pair for decoding; false when it was delivered or is being decoded. */
  async claimForDecode(senderSpk: Uint8Array, msgId: Uint8Array): Promise<boolean> {
    const now = this.clock();
    this.dropStale(now);
    const key = keyOf(senderSpk, msgId);
    if (this.inFlight.has(key)) return false;
    this.inFlight.set(key, now);
    await this.purge(now);
    if (await this.seen.has(senderSpk, msgId, now)) {
      this.inFlight.delete(key);
      return false;
    }
    return true;
  }

  /** Records the delivery until `exp` and ends the reservation. */
  async finalize(senderSpk: Uint8Array, msgId: Uint8Array, exp: number): Promise<void> {
    try {
      await this.seen.add(senderSpk, msgId, exp);
    } finally {
      this.inFlight.delete(keyOf(senderSpk, msgId));
    }
  }

  /** Ends a reservation without recording a delivery (no-op when none is held). */
  release(senderSpk: Uint8Array, msgId: Uint8Array): void {
    this.inFlight.delete(keyOf(senderSpk, msgId));
  }

  /** True when the pair was already delivered (and its manifest has not expired). */
  async hasSeen(senderSpk: Uint8Array, msgId: Uint8Array): Promise<boolean> {
    const now = this.clock();
    await this.purge(now);
    return this.seen.has(senderSpk, msgId, now);
  }

  private dropStale(now: number): void {
    for (const [key, since] of this.inFlight) {
      if (now - since > IN_FLIGHT_TIMEOUT_SECONDS) this.inFlight.delete(key);
    }
  }

  /** Once per second is enough: entries expire with one-second granularity. */
  private async purge(now: number): Promise<void> {
    if (now === this.lastPurge) return;
    this.lastPurge = now;
    await this.seen.purge(now);
  }
}
