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
 * (a web ReadableStream, for callers that bound their own reads) and
 * `text()`, which reads at most {@link MAX_RESPONSE_BODY_BYTES} and fails
 * with {@link HttpBodyTooLargeError} beyond: a hostile or broken server
 * cannot make the CLI buffer an endless body. An `https://` URL whose port
 * answers in plain HTTP fails with {@link NotHttpsError}, not OpenSSL's
 * `wrong version number`.
 */
import type { IncomingMessage, RequestOptions } from 'node:http';
import { Readable } from 'node:stream';

/** Default cap of {@link HttpResponse.text}: 64 KiB (a node's JSON answers are under 2 KiB). */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

/** A response body longer than the reader's cap; the connection was closed at the cap. */
export class HttpBodyTooLargeError extends Error {
  override readonly name = 'HttpBodyTooLargeError';
  constructor(
    readonly url: string,
    /** The cap, in octets. */
    readonly limit: number,
    /** The length the server declared (Content-Length), when it declared one. */
    readonly declared?: number,
  ) {
    const what = declared === undefined ? 'more than' : `${declared} octets, more than`;
    super(`response body from ${url} is ${what} the ${limit}-octet limit`);
  }
}

/**
 * An `https://` request to a port that answers in plain HTTP: the TLS
 * handshake read an HTTP reply, which OpenSSL reports as a record error
 * (`wrong version number`, `packet length too long`). Says so in words,
 * with the `http://` URL that would work.
 */
export class NotHttpsError extends Error {
  override readonly name = 'NotHttpsError';
  /** `http://host:port`: where the request would have worked. */
  readonly httpOrigin: string;
  constructor(
    /** `host:port` of the request. */
    readonly host: string,
    options?: ErrorOptions,
  ) {
    const httpOrigin = `http://${host}`;
    super(
      `the node at ${host} does not speak HTTPS on that port — use an http:// URL (${httpOrigin})`,
      options,
    );
    this.httpOrigin = httpOrigin;
  }
}

/** A TLS record error of the kind a plain-HTTP peer causes. */
function isPlainHttpPeer(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  const text = `${e?.code ?? ''} ${e?.message ?? ''}`;
  return /wrong version number|WRONG_VERSION_NUMBER|packet length too long|PACKET_LENGTH_TOO_LONG/i.test(
    text,
  );
}

/** What a caller may read from a response. */
export interface HttpResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
  /**
   * The body as UTF-8, at most `maxBytes` octets (default
   * {@link MAX_RESPONSE_BODY_BYTES}). A longer body (declared or streamed)
   * rejects with {@link HttpBodyTooLargeError} as soon as it passes the cap,
   * and the connection is closed; nothing beyond the cap is buffered.
   */
  text(maxBytes?: number): Promise<string>;
}

/** The request options accepted (a subset of `RequestInit`). */
export interface HttpRequestInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal | null;
}

async function readCapped(res: IncomingMessage, url: string, maxBytes: number): Promise<string> {
  const length = res.headers['content-length'];
  const declared = length === undefined ? undefined : Number(length);
  if (declared !== undefined && declared > maxBytes) {
    res.destroy();
    throw new HttpBodyTooLargeError(url, maxBytes, declared);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > maxBytes) {
      res.destroy();
      throw new HttpBodyTooLargeError(url, maxBytes);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toResponse(res: IncomingMessage, url: string): HttpResponse {
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
    text(maxBytes = MAX_RESPONSE_BODY_BYTES) {
      return readCapped(res, url, maxBytes);
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
    const req = lib.request(url, options, (res) => resolve(toResponse(res, url.href)));
    req.on('error', (err) =>
      reject(
        url.protocol === 'https:' && isPlainHttpPeer(err)
          ? new NotHttpsError(url.host, { cause: err })
          : err,
      ),
    );
    req.end(init.body);
  });
}

/** {@link nodeHttpFetch} typed as `fetch`, for APIs that accept a `fetch` implementation. */
export const nodeHttpFetchAsFetch = nodeHttpFetch as unknown as typeof fetch;
