/**
 * Start credit of new buckets in a fixed-size limiter table (the RRL table
 * in `rrl.ts`, the per-network byte budget in `response-budget.ts`).
 *
 * Such a table replaces its least recently used bucket when a key's probe
 * window is full. If a new bucket always started with full credit, an
 * attacker could reset a limited network's bucket at will: fill the table
 * (spoofed sources cost nothing over UDP) until the bucket is evicted, and
 * the victim's network is owed a full burst again. So a new bucket starts
 * with full credit only while the table is calm, and with little (one
 * response's worth) while it is under pressure:
 *
 * - a *live* bucket was evicted within the last second, anywhere in the
 *   table (someone is churning it), or
 * - more than half of the new key's probe window holds live buckets (the
 *   table is more than half full where the key lives; the probe window is a
 *   sample of the table's load that costs nothing extra to read).
 *
 * A bucket is *live* while it has not earned its credit back to full since
 * it was last used. An idle bucket (back at full credit) is the same as a
 * new one, so replacing it resets nothing and is no sign of pressure; that
 * is also why a table that merely filled up over days is not "under
 * pressure". The cost to honest clients is small: a new bucket with one
 * response's credit earns more at the configured rate (for RRL's default,
 * another response every 5 ms), and a limited response is a TC=1 slip that
 * sends a real resolver to TCP.
 */

/**
 * Live buckets among the `probe` slots from `start` (wrapping by `mask`):
 * the pressure sample of a key's probe window. Slot tag 0 means empty.
 */
export function liveInWindow(
  start: number,
  probe: number,
  mask: number,
  tag: Uint8Array | Uint16Array,
  isLive: (slot: number) => boolean,
): number {
  let live = 0;
  for (let i = 0; i < probe; i++) {
    const s = (start + i) & mask;
    if (tag[s] !== 0 && isLive(s)) live++;
  }
  return live;
}

/** How long one eviction of a live bucket keeps the table under pressure. */
export const PRESSURE_MEMORY_MS = 1000;

/** Pressure bookkeeping of one table. */
export class TablePressure {
  private until = Number.NEGATIVE_INFINITY;
  private starts = 0;

  /** New buckets that started with little credit. */
  get pressuredStarts(): number {
    return this.starts;
  }

  /** Records that a bucket which was still live was evicted at `now` (ms). */
  liveEvicted(now: number): void {
    this.until = now + PRESSURE_MEMORY_MS;
  }

  /**
   * True when a bucket created at `now` should start with little credit,
   * given that `live` of the `window` slots around its key hold live buckets.
   */
  underPressure(now: number, live: number, window: number): boolean {
    const pressed = now < this.until || live * 2 > window;
    if (pressed) this.starts++;
    return pressed;
  }
}
