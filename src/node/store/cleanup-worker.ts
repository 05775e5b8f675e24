/**
 * The cleanup worker (node spec §3.6): every interval (default 60 s, first
 * run one interval after start) deletes expired rows from the record store
 * and reports how many went. The timer is unref'd so it never keeps the
 * process alive, and nothing thrown by the store or the callbacks escapes
 * the timer (an uncaught exception there would kill the node).
 */
import type { RecordStore } from './types.js';

/** Options of {@link CleanupWorker}. */
export interface CleanupWorkerOptions {
  /** Store to clean (only `cleanupExpired` is used). */
  readonly store: Pick<RecordStore, 'cleanupExpired'>;
  /** Interval between runs in ms (`DMP_CLEANUP_INTERVAL` × 1000). Default 60,000. */
  readonly intervalMs?: number;
  /** Current time in Unix seconds. Default: the wall clock. */
  readonly now?: () => number;
  /**
   * Called after every run with the number of rows removed (0 included, so
   * a metric can count runs); the node logs
   * `cleanup worker removed N expired records` when N > 0.
   */
  readonly onRun?: (removed: number) => void;
  /** Called when a run throws; the worker keeps its schedule. */
  readonly onError?: (err: unknown) => void;
  /**
   * Most rows one step deletes (default 10,000). A full step schedules the
   * next one on the following event-loop turn, so a large backlog is purged
   * in short steps between DNS packets instead of one long blocking DELETE.
   */
  readonly batchSize?: number;
}

/** Default rows per purge step. */
export const DEFAULT_CLEANUP_BATCH = 10_000;

/** Default interval: `DMP_CLEANUP_INTERVAL` default of 60 s. */
export const DEFAULT_CLEANUP_INTERVAL_MS = 60_000;

/** Periodic `cleanupExpired` on a record store. */
export class CleanupWorker {
  readonly intervalMs: number;
  private readonly options: CleanupWorkerOptions;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: CleanupWorkerOptions) {
    const intervalMs = options.intervalMs ?? DEFAULT_CLEANUP_INTERVAL_MS;
    // setInterval silently turns values above 2^31-1 ms into 1 ms.
    if (!Number.isFinite(intervalMs) || intervalMs < 1 || intervalMs > 0x7fffffff) {
      throw new RangeError(`intervalMs must be within 1..2147483647, got ${intervalMs}`);
    }
    this.intervalMs = intervalMs;
    this.options = options;
  }

  /** True between {@link start} and {@link stop}. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Schedules runs every interval, the first one interval from now. No-op if running. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** Cancels future runs. Idempotent. */
  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One cleanup now. Returns the number of rows removed, or undefined if
   * the run failed (reported to `onError`). Never throws.
   */
  runOnce(): number | undefined {
    let removed: number;
    const batch = this.options.batchSize ?? DEFAULT_CLEANUP_BATCH;
    try {
      const now = this.options.now?.() ?? Math.floor(Date.now() / 1000);
      removed = this.options.store.cleanupExpired(now, batch);
    } catch (err) {
      this.report(err);
      return undefined;
    }
    if (removed >= batch && this.timer !== undefined) {
      // More may be waiting: the next step after whatever is queued now.
      setImmediate(() => {
        if (this.timer !== undefined) this.runOnce();
      }).unref();
    }
    try {
      this.options.onRun?.(removed);
    } catch (err) {
      this.report(err);
    }
    return removed;
  }

  private report(err: unknown): void {
    try {
      this.options.onError?.(err);
    } catch {
      // A failing error reporter has nowhere left to report to.
    }
  }
}
