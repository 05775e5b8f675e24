/**
 * The lifecycle every transport exchange shares: one promise settled at
 * most once, a hard deadline, caller cancellation through an AbortSignal,
 * and cleanup (sockets, timers, listeners) that always runs exactly once —
 * so no exchange can leak a socket or fire after it settled.
 */
import {
  DnsAbortedError,
  type DnsProtocol,
  DnsTimeoutError,
  type DnsTransportError,
} from './errors.js';

/** Handle given to the body of a pending exchange. */
export interface ExchangeControl<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  /** Registers a cleanup step; runs immediately if the exchange already settled. */
  onCleanup(step: () => void): void;
  /** True once resolved or rejected. */
  readonly settled: boolean;
  /** Sets what the timeout error reports as discarded replies. */
  noteDiscarded(detail: string): void;
}

export interface PendingOptions {
  readonly server: string;
  readonly protocol: DnsProtocol;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Runs `body` under a deadline: after `timeoutMs` the promise rejects with
 * a {@link DnsTimeoutError}, on abort with a {@link DnsAbortedError}; an
 * exception thrown by `body` rejects it too. Cleanup steps run on every path.
 */
export function pendingExchange<T>(
  options: PendingOptions,
  body: (control: ExchangeControl<T>) => void,
): Promise<T> {
  return new Promise<T>((resolvePromise, rejectPromise) => {
    const cleanups: (() => void)[] = [];
    let settled = false;
    let discarded: string | undefined;
    const finish = (): void => {
      settled = true;
      for (const step of cleanups.splice(0)) {
        try {
          step();
        } catch {
          // Cleanup of a socket that is already gone must not mask the outcome.
        }
      }
    };
    const control: ExchangeControl<T> = {
      resolve(value) {
        if (settled) return;
        finish();
        resolvePromise(value);
      },
      reject(error) {
        if (settled) return;
        finish();
        rejectPromise(error);
      },
      onCleanup(step) {
        if (settled) step();
        else cleanups.push(step);
      },
      get settled() {
        return settled;
      },
      noteDiscarded(detail) {
        discarded = detail;
      },
    };
    const { server, protocol, signal } = options;
    const fail = (error: DnsTransportError): void => control.reject(error);
    if (signal?.aborted) {
      fail(new DnsAbortedError(server, protocol, signal.reason));
      return;
    }
    const timeoutMs = Math.max(0, options.timeoutMs);
    const timer = setTimeout(
      () => fail(new DnsTimeoutError(server, protocol, timeoutMs, discarded)),
      timeoutMs,
    );
    control.onCleanup(() => clearTimeout(timer));
    if (signal !== undefined) {
      const onAbort = (): void => fail(new DnsAbortedError(server, protocol, signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      control.onCleanup(() => signal.removeEventListener('abort', onAbort));
    }
    try {
      body(control);
    } catch (err) {
      control.reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
