/**
 * The subset of `fetch` the CLI's HTTP calls need, on `node:http` /
 * `node:https`. Node's global `fetch` (undici) parses HTTP with a WebAssembly
 * module that V8 keeps optimising on background threads; a process that has
 * made one request then spends ~60 ms at exit waiting for that compiler, on
 * top of ~15 ms loading undici — a third of a `send`. This stays in plain
 * JavaScript.
 *
 * Supported: string or URL input; `method`, `headers` as a plain object,
 * string `body`, `signal`. Redirects are never followed (callers treat a 3xx
 * as a failure). The response offers `status`, `ok`, `headers.get`, `body`
 * (a web ReadableStream) and `text()`.
 */
import type { IncomingMessage, RequestOptions } from 'node:http';
import { Readable } from 'node:stream';

/** What a caller may read from a response. */
export interface HttpResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/** The request options accepted (a subset of `RequestInit`). */
export interface HttpRequestInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal | null;
}

function toResponse(res: IncomingMessage): HttpResponse {
  let body: ReadableStream<Uint8Array> | null = null;
  const stream = (): ReadableStream<Uint8Array> => {
    body ??= Readable.toWeb(res) as ReadableStream<Uint8Array>;
    return body;
  };
  const status = res.statusCode ?? 0;
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: {
      get: (name) => {
        const v = res.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    },
    get body() {
      return stream();
    },
    async text() {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/** Performs one HTTP request; rejects on network errors and on abort. */
export async function nodeHttpFetch(
  input: string | URL,
  init: HttpRequestInit = {},
): Promise<HttpResponse> {
  const url = typeof input === 'string' ? new URL(input) : input;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`unsupported URL scheme ${url.protocol} in ${url.href}`);
  }
  // TLS is loaded only for https endpoints.
  const lib = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(init.body));
  const options: RequestOptions = {
    method: init.method ?? 'GET',
    headers,
    signal: init.signal ?? undefined,
  };
  return new Promise<HttpResponse>((resolve, reject) => {
    const req = lib.request(url, options, (res) => resolve(toResponse(res)));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** {@link nodeHttpFetch} typed as `fetch`, for APIs that accept a `fetch` implementation. */
export const nodeHttpFetchAsFetch = nodeHttpFetch as unknown as typeof fetch;
