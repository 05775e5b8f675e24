/**
 * One HTTP request as the route handlers see it: the parsed request line,
 * the client address, a bounded body reader and the only ways to answer —
 * every response leaves through {@link RequestContext.send}, which is where
 * it is counted in `dmp_http_requests_total`.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { type BodyRead, type JsonBody, parseJsonBody, readBody } from './body.js';
import { type ClientAddressResolver, limiterKey, normalizeAddress } from './client-address.js';
import { type JsonValue, toJsonText } from './json-text.js';

/** Methods the API serves; anything else is answered 501. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'DELETE';

/** Body of {@link RequestContext.readJson}: parsed, or why not. */
export type JsonRead = JsonBody | { readonly ok: false; readonly reason: 'too-large' | 'aborted' };

/** Called once per answered request, with the method and status sent. */
export type ResponseObserver = (method: string, status: number) => void;

/** One in-flight request and its single response. */
export class RequestContext {
  /** Request method as received (upper case). */
  readonly method: string;
  /** Request target exactly as received, query string included. */
  readonly rawPath: string;
  /** The path part of {@link rawPath} (before any `?`). */
  readonly path: string;
  /**
   * The client's address: the TCP peer (`::ffff:` mapped IPv4 unwrapped), or
   * the `X-Forwarded-For` client when the peer is a trusted proxy.
   */
  readonly ip: string;
  /** The key per-client limiters use: `ip`, IPv6 reduced to its /64. */
  readonly limitKey: string;
  private bodyState: 'unread' | 'read' | 'abandoned' = 'unread';
  private answered = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly log: Logger,
    private readonly maxBodyBytes: number,
    private readonly observe: ResponseObserver,
    clientAddress?: ClientAddressResolver,
  ) {
    this.method = req.method ?? '';
    this.rawPath = req.url ?? '';
    const q = this.rawPath.indexOf('?');
    this.path = q < 0 ? this.rawPath : this.rawPath.slice(0, q);
    const peer = req.socket.remoteAddress ?? '';
    this.ip = clientAddress
      ? clientAddress.resolve(peer, req.headers['x-forwarded-for'])
      : normalizeAddress(peer);
    this.limitKey = limiterKey(this.ip);
  }

  /** The `Authorization` header, if any. Never log it. */
  get authorization(): string | undefined {
    return this.req.headers.authorization;
  }

  /** True once a response has been sent. */
  get done(): boolean {
    return this.answered;
  }

  /** Reads the body (at most once) within the configured bound. */
  async readBody(): Promise<BodyRead> {
    if (this.bodyState !== 'unread') throw new Error('request body already read');
    const read = await readBody(this.req, this.maxBodyBytes);
    this.bodyState = read.kind === 'ok' ? 'read' : 'abandoned';
    return read;
  }

  /** Reads and parses the body as JSON (`{}` when empty). */
  async readJson(): Promise<JsonRead> {
    const read = await this.readBody();
    if (read.kind !== 'ok') return { ok: false, reason: read.kind };
    return parseJsonBody(read.bytes);
  }

  /** Sends a JSON response in the reference's layout. */
  json(status: number, body: JsonValue): void {
    this.send(status, { 'Content-Type': 'application/json' }, toJsonText(body));
  }

  /** Sends `{"error": message}`. */
  error(status: number, message: string): void {
    this.json(status, { error: message });
  }

  /** Sends a response without a body (`Content-Length: 0`, or none for 204). */
  empty(status: number): void {
    this.send(status, {}, '');
  }

  /**
   * Sends the response. Connections whose request body was not (fully) read
   * are closed afterwards, so unread bytes can never be parsed as a next
   * request. A second call is ignored.
   */
  send(status: number, headers: Readonly<Record<string, string>>, body: string | Buffer): void {
    if (this.answered) return;
    this.answered = true;
    this.observe(this.method, status);
    const res = this.res;
    if (res.headersSent || res.destroyed) return;
    const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.statusCode = status;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (status !== 204 && status !== 304) res.setHeader('Content-Length', payload.length);
    if (this.bodyState !== 'read' && this.hasRequestBody()) res.setHeader('Connection', 'close');
    res.end(status === 204 ? undefined : payload);
  }

  private hasRequestBody(): boolean {
    if (this.req.complete && this.bodyState !== 'abandoned') return false;
    const length = this.req.headers['content-length'];
    return (
      this.req.headers['transfer-encoding'] !== undefined ||
      (length !== undefined && length !== '0')
    );
  }
}
