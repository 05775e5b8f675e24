/**
 * Legacy record writer over the node's HTTP API (node spec §4.4, cli spec
 * §3.2): `POST <base>/v1/records/<name>` with `{value, ttl}` (201 on
 * success) and `DELETE` with an optional `{value}` (204), authenticated by
 * an RFC 6750 bearer token. Used when no TSIG key is configured.
 */
import {
  RecordWriteError,
  type RecordWriteFailure,
  type RecordWriter,
  ttlProblem,
  type WriteOperation,
  type WriteOptions,
} from './record-writer.js';

export interface HttpRecordWriterOptions {
  /** Node endpoint, e.g. `https://node.example`; a missing scheme means https. */
  readonly baseUrl: string;
  /** Bearer token; omitted for open-mode nodes. */
  readonly token?: string;
  /** Budget per request (default 10000 ms, as the reference). */
  readonly timeoutMs?: number;
  /** Injected `fetch` (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** Most response-body octets read for an error message (a hostile server cannot make us buffer more). */
const MAX_ERROR_BODY = 4096;

/** Up to `max` octets of the body, decoded leniently; the rest is cancelled. */
async function readBounded(response: Response, max: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Each read yields at least one octet or ends the stream, so this loop is bounded by `max`.
  while (total < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
  }
  await reader.cancel().catch(() => undefined);
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return new TextDecoder().decode(all.subarray(0, max));
}

function normaliseBase(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`;
  return withScheme.replace(/\/+$/, '');
}

/** The `error` field of a JSON error body, or a short excerpt of a non-JSON one. Never throws. */
function errorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object' && 'error' in parsed) {
      const error = (parsed as { error: unknown }).error;
      if (typeof error === 'string') return error;
    }
  } catch {
    // Not JSON: fall through to the excerpt.
  }
  return body.slice(0, 200).trim();
}

/** {@link RecordWriter} over the node HTTP API. */
export class HttpRecordWriter implements RecordWriter {
  private readonly base: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HttpRecordWriterOptions) {
    this.base = normaliseBase(options.baseUrl);
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** The URL of `name`'s record set. */
  recordUrl(name: string): string {
    return `${this.base}/v1/records/${encodeURIComponent(name)}`;
  }

  async publish(name: string, value: string, ttl: number, options?: WriteOptions): Promise<void> {
    const problem = ttlProblem(ttl);
    if (problem !== undefined) {
      throw new RecordWriteError(
        'invalid',
        'publish',
        name,
        this.recordUrl(name),
        problem,
        'pass a positive TTL',
      );
    }
    await this.request('publish', name, 'POST', { value, ttl }, 201, options);
  }

  async delete(name: string, value?: string, options?: WriteOptions): Promise<void> {
    const body = value === undefined ? undefined : { value };
    await this.request('delete', name, 'DELETE', body, 204, options);
  }

  private async request(
    op: WriteOperation,
    name: string,
    method: 'POST' | 'DELETE',
    body: object | undefined,
    success: number,
    options?: WriteOptions,
  ): Promise<void> {
    const url = this.recordUrl(name);
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.token !== undefined) headers.Authorization = `Bearer ${this.token}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal =
      options?.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        redirect: 'error',
      });
    } catch (err) {
      const reason = timeout.aborted
        ? `no response within ${this.timeoutMs} ms`
        : `request failed: ${(err as Error).message}`;
      throw new RecordWriteError(
        'unreachable',
        op,
        name,
        url,
        reason,
        'check the endpoint URL and that the node is up',
        { cause: err },
      );
    }
    if (response.status === success) {
      await response.body?.cancel().catch(() => undefined);
      return;
    }
    let text = '';
    try {
      text = await readBounded(response, MAX_ERROR_BODY);
    } catch {
      // The status alone still says what failed.
    }
    const [code, hint] = this.classify(op, response.status);
    const detail = errorText(text);
    const reason = `HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
    throw new RecordWriteError(code, op, name, url, reason, hint);
  }

  private classify(op: WriteOperation, status: number): [RecordWriteFailure, string] {
    switch (status) {
      case 400:
        return [
          'rejected',
          'check the name, the value (no quotes or control characters) and the TTL cap',
        ];
      case 401:
        return [
          'unauthorized',
          this.token === undefined
            ? 'this node needs a token: run `dnsmesh register --node <node>` or set http_token'
            : 'the token is unknown, expired or does not cover this name: run `dnsmesh register --node <node>` again',
        ];
      case 404:
        return op === 'delete'
          ? ['not-found', 'nothing to delete: the record is already gone']
          : ['server-error', 'the endpoint has no /v1/records route: check the endpoint URL'];
      case 413:
        return ['rejected', 'the RRset is full: delete old values first'];
      case 429:
        return ['rate-limited', 'retry later'];
      case 502:
        return ['server-error', 'the node failed to store the record: retry later'];
      default:
        return ['server-error', 'retry later'];
    }
  }
}
