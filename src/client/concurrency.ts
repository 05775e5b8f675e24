/**
 * Bounded parallelism for DNS work. A receive or send issues dozens of
 * independent queries or writes; running them all at once would flood a
 * resolver (and trip a node's rate limiter), running them one by one makes
 * latency add up. Every helper here waits for the work it started before it
 * returns, so no promise is left running after a failure.
 */

/** Runs async functions with at most `max` in flight at a time. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** A {@link Limiter} admitting `max` (≥ 1) tasks at once, first come first served. */
export function createLimiter(max: number): Limiter {
  const limit = Math.max(1, Math.floor(max));
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    active--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/**
 * Calls `fn` for every item with at most `limit` calls in flight. Stops
 * starting new calls after the first failure, waits for the calls already
 * running, then rejects with that first failure. Resolves with the results
 * in item order.
 */
export async function forEachLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit), items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}

/** A request-rate budget: `rate` per second on average, bursts of up to `burst`. */
export interface RateBudget {
  readonly rate: number;
  readonly burst: number;
}

/** Waits for a token of a shared budget before each request. */
export type Pacer = () => Promise<void>;

/**
 * A token-bucket {@link Pacer}, FIFO. Nodes drop DNS queries beyond their
 * per-client budget silently (50/s, burst 200 by default), and a silent drop
 * costs a full timeout, so a client reading a node directly should stay
 * under it rather than discover it.
 */
export function createPacer(
  budget: RateBudget,
  now: () => number = () => performance.now(),
): Pacer {
  const rate = budget.rate;
  const burst = Math.max(1, budget.burst);
  if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
  let tokens = burst;
  let last = now();
  let queue: Promise<void> = Promise.resolve();
  const take = async (): Promise<void> => {
    for (;;) {
      const t = now();
      tokens = Math.min(burst, tokens + ((t - last) / 1000) * rate);
      last = t;
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - tokens) / rate) * 1000)));
    }
  };
  return () => {
    const turn = queue.then(take);
    queue = turn;
    return turn;
  };
}
