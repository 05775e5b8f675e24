/**
 * Heartbeat endpoint rules (node.md §6.4): the advertised HTTP API base must
 * be `http(s)://host[:port]` with no userinfo, path, query or fragment, not a
 * localhost alias and not a non-public IP literal. The same rule runs on sign
 * and on parse.
 *
 * The URL is split the way Python's `urllib.parse.urlsplit` splits it, since
 * the reference's acceptance set is defined by that function (for example a
 * bare trailing `?` leaves an empty query and is accepted, and the port is
 * never looked at, so `:99999` passes).
 */
import { isNonPublicIp, parseIpLiteral } from './ip-literal.js';
import { hasSpaceOrControl, isAsciiString } from './operator-wire.js';

/** Longest endpoint, in characters (= bytes, since it must be ASCII). */
export const MAX_ENDPOINT_CHARS = 255;

const LOCALHOST_ALIASES: ReadonlySet<string> = new Set([
  'localhost',
  'localhost.localdomain',
  'ip6-localhost',
]);

interface SplitUrl {
  readonly scheme: string;
  readonly netloc: string;
  readonly path: string;
  readonly query: string;
  readonly fragment: string;
}

function isSchemeChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2b ||
    code === 0x2d ||
    code === 0x2e
  );
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

/** Python's `str.partition`: `[before, after]`, or `undefined` when `sep` is absent. */
function partition(text: string, sep: string): [string, string] | undefined {
  const at = text.indexOf(sep);
  return at < 0 ? undefined : [text.slice(0, at), text.slice(at + sep.length)];
}

/** Bracketed host syntax: IPvFuture (`v<hex>.<anything>`) or an IPv6 (never IPv4) literal. */
function isValidBracketedHost(host: string): boolean {
  if (host.startsWith('v')) return /^v[a-fA-F0-9]+\..+$/.test(host);
  const ip = parseIpLiteral(host);
  return ip !== undefined && ip.version === 6;
}

/**
 * Python's bracketed-netloc check: nothing before `[`, nothing but `:port`
 * after `]`, and a valid bracketed host.
 */
function isValidBracketedNetloc(netloc: string): boolean {
  const hostAndPort = netloc.slice(netloc.lastIndexOf('@') + 1);
  const open = partition(hostAndPort, '[');
  if (open === undefined)
    return isValidBracketedHost(partition(hostAndPort, ':')?.[0] ?? hostAndPort);
  if (open[0].length > 0) return false;
  const close = partition(open[1], ']');
  const host = close === undefined ? open[1] : close[0];
  const rest = close === undefined ? '' : close[1];
  if (rest.length > 0 && !rest.startsWith(':')) return false;
  return isValidBracketedHost(host);
}

/** `urlsplit` for an ASCII string without whitespace; `undefined` where Python raises. */
function splitUrl(url: string): SplitUrl | undefined {
  let rest = url;
  let scheme = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && isAsciiLetter(rest.charCodeAt(0))) {
    let allSchemeChars = true;
    for (let i = 0; i < colon; i++) {
      if (!isSchemeChar(rest.charCodeAt(i))) {
        allSchemeChars = false;
        break;
      }
    }
    if (allSchemeChars) {
      scheme = rest.slice(0, colon).toLowerCase();
      rest = rest.slice(colon + 1);
    }
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    let end = rest.length;
    for (const delimiter of ['/', '?', '#']) {
      const at = rest.indexOf(delimiter, 2);
      if (at >= 0) end = Math.min(end, at);
    }
    netloc = rest.slice(2, end);
    rest = rest.slice(end);
    const hasOpen = netloc.includes('[');
    const hasClose = netloc.includes(']');
    if (hasOpen !== hasClose) return undefined;
    if (hasOpen && !isValidBracketedNetloc(netloc)) return undefined;
  }
  let fragment = '';
  const hash = partition(rest, '#');
  if (hash !== undefined) [rest, fragment] = hash;
  let query = '';
  const question = partition(rest, '?');
  if (question !== undefined) [rest, query] = question;
  return { scheme, netloc, path: rest, query, fragment };
}

/** Host of a netloc as Python's `SplitResult.hostname` computes it (lower-cased, zone kept). */
function hostnameOf(netloc: string): string {
  const hostInfo = netloc.slice(netloc.lastIndexOf('@') + 1);
  const bracketed = partition(hostInfo, '[');
  const host =
    bracketed === undefined
      ? (partition(hostInfo, ':')?.[0] ?? hostInfo)
      : (partition(bracketed[1], ']')?.[0] ?? bracketed[1]);
  const zone = partition(host, '%');
  return zone === undefined ? host.toLowerCase() : `${zone[0].toLowerCase()}%${zone[1]}`;
}

/** Why `endpoint` is not an acceptable heartbeat endpoint, or `undefined` when it is. */
export function heartbeatEndpointError(endpoint: string): string | undefined {
  if (typeof endpoint !== 'string' || endpoint.length === 0) return 'endpoint must be non-empty';
  if (endpoint.length > MAX_ENDPOINT_CHARS)
    return `endpoint exceeds ${MAX_ENDPOINT_CHARS} characters`;
  if (!isAsciiString(endpoint)) return 'endpoint must be ASCII';
  if (hasSpaceOrControl(endpoint)) return 'endpoint contains whitespace or control characters';
  const url = splitUrl(endpoint);
  if (url === undefined) return 'endpoint has malformed brackets';
  if (url.scheme !== 'https' && url.scheme !== 'http') {
    return `endpoint scheme must be https or http, got '${url.scheme}'`;
  }
  if (url.netloc.includes('@')) return 'endpoint must not carry userinfo';
  const host = hostnameOf(url.netloc);
  if (host.length === 0) return 'endpoint must include a host';
  if (url.path.length > 0 || url.query.length > 0 || url.fragment.length > 0) {
    return 'endpoint must be <scheme>://<host>[:port] with no path, query or fragment';
  }
  if (LOCALHOST_ALIASES.has(host)) return `endpoint host '${host}' is a localhost alias`;
  const ip = parseIpLiteral(host);
  if (ip !== undefined && isNonPublicIp(ip)) {
    return `endpoint host '${host}' is not a public address`;
  }
  return undefined;
}

/** True when `endpoint` may appear in a heartbeat. */
export function isValidHeartbeatEndpoint(endpoint: string): boolean {
  return heartbeatEndpointError(endpoint) === undefined;
}
