/**
 * The worker's HTTP calls to one peer's sync routes, bounded so a slow or
 * hostile peer costs little: every request (headers and body) must finish
 * within a deadline, a response body larger than a byte cap is abandoned
 * mid-stream, redirects are refused, and only 200 with a JSON object body
 * counts as an answer. Failures are values, never exceptions.
 */

/** Outcome of one call. */
export type PeerAnswer =
  | { readonly ok: true; readonly body: Readonly<Record<string, unknown>> }
  | {
      readonly ok: false;
      readonly reason: PeerFailure;
      readonly detail: string;
      /** The HTTP status when the peer answered with one other than 200. */
      readonly status?: number;
    };

/** Why a call gave nothing usable. */
export type PeerFailure = 'network' | 'timeout' | 'status' | 'too-large' | 'not-json';

/** Limits of one call. */
export interface CallLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Aborts the call early (the worker stopping). */
  readonly signal?: AbortSignal | undefined;
}

/** Sends a sync request; `body` is sent as JSON with POST. */
export async function callPeer(
  url: string,
  token: string,
  body: unknown,
  limits: CallLimits,
): Promise<PeerAnswer> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal ? AbortSignal.any([timeout, limits.signal]) : timeout;
  const fail = (reason: PeerFailure, detail: string): PeerAnswer => ({ ok: false, reason, detail });
  // Every wait is raced against the deadline itself, so a body stream that
  // ignores the abort cannot hold the caller.
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error('aborted'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    return await exchange(url, token, body, limits.maxBytes, signal, aborted, fail);
  } catch (err) {
    return timeout.aborted
      ? fail('timeout', 'no complete answer in time')
      : fail('network', errorText(err));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function exchange(
  url: string,
  token: string,
  body: unknown,
  maxBytes: number,
  signal: AbortSignal,
  aborted: Promise<never>,
  fail: (reason: PeerFailure, detail: string) => PeerAnswer,
): Promise<PeerAnswer> {
  const res = await Promise.race([
    fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      redirect: 'error',
      signal,
    }),
    aborted,
  ]);
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => {});
    return { ok: false, reason: 'status', detail: `HTTP ${res.status}`, status: res.status };
  }
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    return fail('too-large', `${declared} bytes announced`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  if (reader !== undefined) {
    try {
      for (;;) {
        const { done, value } = await Promise.race([reader.read(), aborted]);
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) return fail('too-large', `more than ${maxBytes} bytes`);
        chunks.push(value);
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(concat(chunks, size)));
  } catch {
    return fail('not-json', 'body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('not-json', 'body is not a JSON object');
  }
  return { ok: true, body: parsed as Record<string, unknown> };
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
