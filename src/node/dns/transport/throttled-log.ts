/**
 * Log throttling for per-packet error paths. A flood of bad packets or
 * resetting peers must not turn into a flood of log lines (disk, CPU, and a
 * way to hide other events), so each kind of error is logged at most once
 * per interval, with a count of what was suppressed in between.
 */
import type { Logger } from '../../log.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

interface Slot {
  last: number;
  suppressed: number;
}

export class ThrottledLog {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Logs `msg` under `key` unless the same key was logged less than the
   * interval ago. `err` is attached as pino's `err` field.
   */
  log(level: Level, key: string, msg: string, err?: unknown, fields?: object): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const now = this.now();
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { last: -Infinity, suppressed: 0 };
      this.slots.set(key, slot);
    }
    if (now - slot.last < this.intervalMs) {
      slot.suppressed++;
      return;
    }
    const suppressed = slot.suppressed;
    slot.last = now;
    slot.suppressed = 0;
    this.logger[level]({ ...fields, err, suppressed: suppressed || undefined }, msg);
  }
}
