/**
 * Defences against requests a web browser sends on a page's behalf — the
 * first step of every HTTP request, before routing:
 *
 * 1. Host (DNS rebinding, RFC 9110 §7.2): a hostile name that resolves to
 *    127.0.0.1 makes the browser treat the node as that name's origin, so
 *    the page may read and write it. A rebinding request always carries the
 *    hostile name in `Host`. When the API is bound to loopback (or
 *    `DMP_HTTP_ALLOWED_HOSTS` is set), `Host` must be a loopback literal
 *    (`127.0.0.1`, `[::1]`, `localhost`, any port), the node's hostname
 *    (`DMP_NODE_HOSTNAME`) or a listed name; otherwise 421. A request
 *    without `Host` (HTTP/1.0) is not a browser's and passes.
 * 2. Origin: browsers send it on every cross-site POST and DELETE. A write
 *    whose `Origin` is not the node's own — the request's `Host`, or a
 *    configured name — is 403. GETs are not checked; no CORS headers are
 *    ever sent, so other origins still cannot read responses.
 * 3. Content type: a cross-site `fetch` with `Content-Type: text/plain` (or
 *    a form post) is a "simple request" sent without a CORS preflight.
 *    Every POST, and every DELETE with a body, must be `application/json`
 *    (parameters allowed), which a page can only send after a preflight
 *    this node never grants; otherwise 415. The reference clients send
 *    `application/json` on every POST and on a DELETE with a body (Python
 *    `requests` with `json=`), and a bodiless DELETE — ours and theirs —
 *    needs none, so no client of the node is refused.
 */
import { isIP } from 'node:net';
import { isLoopbackHost } from './config.js';

/** A refusal: status and the `{"error"}` text. */
export interface CrossSiteRefusal {
  readonly status: 403 | 415 | 421;
  readonly error: string;
}

/** The request fields the checks read. */
export interface CrossSiteRequest {
  readonly method: string;
  readonly headers: {
    readonly host?: string | undefined;
    readonly origin?: string | undefined;
    readonly 'content-type'?: string | undefined;
    readonly 'content-length'?: string | undefined;
    readonly 'transfer-encoding'?: string | undefined;
  };
}

/** Configuration of {@link CrossSiteGuard}. */
export interface CrossSiteOptions {
  /** The address the API listens on: loopback turns the Host check on. */
  readonly bindHost: string;
  /** The node's hostname (`DMP_NODE_HOSTNAME`), always an accepted Host. */
  readonly nodeHostname?: string | undefined;
  /**
   * `DMP_HTTP_ALLOWED_HOSTS`: further accepted Host names (a port is
   * ignored); when set, the Host check applies on any bind. `*` turns it off.
   */
  readonly allowedHosts?: readonly string[] | undefined;
}

export const HOST_REFUSED: CrossSiteRefusal = { status: 421, error: 'misdirected request' };
export const ORIGIN_REFUSED: CrossSiteRefusal = { status: 403, error: 'cross-origin request' };
export const CONTENT_TYPE_REFUSED: CrossSiteRefusal = {
  status: 415,
  error: 'content-type must be application/json',
};

const HOST_SYNTAX = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::([0-9]{1,5}))?$/;

/**
 * Splits a `Host` header value (or an allowlist entry) into its lower-case
 * name — IPv6 in brackets, trailing dots removed — and port; undefined when
 * it is not `name[:port]`.
 */
export function parseHost(value: string): { name: string; port?: string } | undefined {
  let v = value.trim().toLowerCase();
  if (isIP(v) === 6) v = `[${v}]`; // an unbracketed IPv6 allowlist entry
  const m = HOST_SYNTAX.exec(v);
  if (m === null) return undefined;
  const raw = m[1] as string;
  if (raw.startsWith('[') && isIP(raw.slice(1, -1)) !== 6) return undefined;
  const name = raw.replace(/\.+$/, '');
  if (name === '') return undefined;
  return m[2] === undefined ? { name } : { name, port: m[2] };
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/** True when the media type of `contentType` is `application/json`. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type === 'application/json';
}

/** The three checks, configured once per listening socket. */
export class CrossSiteGuard {
  /** Whether the Host check applies. */
  readonly checksHost: boolean;
  private readonly names: ReadonlySet<string>;

  /** @throws {RangeError} an allowlist entry that is not a host name or address */
  constructor(options: CrossSiteOptions) {
    const names = new Set<string>();
    let any = false;
    const add = (entry: string): void => {
      if (entry.trim() === '*') {
        any = true;
        return;
      }
      const host = parseHost(entry);
      if (host === undefined) throw new RangeError(`not a host name: ${JSON.stringify(entry)}`);
      names.add(host.name);
    };
    for (const entry of options.allowedHosts ?? []) add(entry);
    const listed = options.allowedHosts !== undefined && options.allowedHosts.length > 0;
    if (options.nodeHostname) add(options.nodeHostname);
    this.names = names;
    this.checksHost = !any && (listed || isLoopbackHost(options.bindHost));
  }

  /** The refusal for `req`, or undefined when it may proceed. */
  check(req: CrossSiteRequest): CrossSiteRefusal | undefined {
    const h = req.headers;
    if (this.checksHost && h.host !== undefined && !this.acceptsHost(h.host)) return HOST_REFUSED;
    if (req.method !== 'POST' && req.method !== 'DELETE') return undefined;
    if (h.origin !== undefined && !this.isOwnOrigin(h.origin, h.host)) return ORIGIN_REFUSED;
    const hasBody =
      req.method === 'POST' ||
      h['transfer-encoding'] !== undefined ||
      (h['content-length'] !== undefined && h['content-length'].trim() !== '0');
    if (hasBody && !isJsonContentType(h['content-type'])) return CONTENT_TYPE_REFUSED;
    return undefined;
  }

  private acceptsHost(value: string): boolean {
    const host = parseHost(value);
    return host !== undefined && (isLoopbackHost(host.name) || this.names.has(host.name));
  }

  /** Same scheme-less host and port as the request's `Host`, or a configured name. */
  private isOwnOrigin(origin: string, hostHeader: string | undefined): boolean {
    let url: URL;
    try {
      url = new URL(origin); // `null` (opaque origins) does not parse
    } catch {
      return false;
    }
    const defaultPort = DEFAULT_PORTS[url.protocol];
    if (defaultPort === undefined) return false;
    const name = url.hostname.replace(/\.+$/, '');
    if (this.names.has(name)) return true;
    const host = hostHeader === undefined ? undefined : parseHost(hostHeader);
    if (host === undefined) return false;
    return host.name === name && (host.port ?? defaultPort) === (url.port || defaultPort);
  }
}
