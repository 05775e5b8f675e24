/**
 * One line of `dnsmesh doctor` (cli spec §5.19): a status, what was checked
 * and the detail — for a WARN or FAIL, what is wrong and the exact fix.
 * `detail` may span several lines (one per resolver, say); the text output
 * indents each, `--json` keeps the newlines.
 */

export type Status = 'PASS' | 'WARN' | 'FAIL';

export interface Check {
  readonly status: Status;
  readonly check: string;
  readonly detail: string;
}

export function pass(check: string, detail: string): Check {
  return { status: 'PASS', check, detail };
}

export function warning(check: string, detail: string): Check {
  return { status: 'WARN', check, detail };
}

export function failure(check: string, detail: string): Check {
  return { status: 'FAIL', check, detail };
}

/** `promise`, or `fallback` once `ms` have passed (the timer never keeps the process alive). */
export function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Milliseconds as doctor prints them: `3 ms`, `2.5 s`. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
