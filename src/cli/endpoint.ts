/**
 * Node HTTP endpoint handling shared by `init`, the writers, `doctor` and
 * the registration commands.
 */

/**
 * `init`'s normalisation (cli spec §5.1): trimmed, trailing `/` removed, and
 * `https://` prepended when there is no scheme, so `--endpoint dmp.example.com`
 * works. Hosts and ports are kept as typed.
 */
export function normalizeEndpoint(endpoint: string): string {
  if (endpoint === '') return '';
  let s = endpoint.trim().replace(/\/+$/, '');
  if (!s.includes('://')) s = `https://${s}`;
  return s;
}

/**
 * The host of an endpoint URL, lower-cased, IPv6 without brackets (what
 * Python's `urlsplit(...).hostname` gives); empty when there is none.
 */
export function endpointHost(endpoint: string): string {
  if (endpoint === '') return '';
  try {
    const host = new URL(normalizeEndpoint(endpoint)).hostname.toLowerCase();
    return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  } catch {
    return '';
  }
}

/**
 * A `--node` argument reduced to `host[:port]`: any `scheme://` prefix and
 * trailing `/` removed, as both registration commands do.
 */
export function nodeHostArg(node: string): string {
  let host = node.trim();
  const scheme = host.indexOf('://');
  if (scheme >= 0) host = host.slice(scheme + 3);
  return host.replace(/\/+$/, '');
}

/**
 * `host[:port]` / `[v6]:port` / `[v6]` reduced to the bare host (the TSIG
 * writer's UPDATE target must not carry the HTTP port or brackets).
 */
export function stripPortAndBrackets(hostPort: string): string {
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close > 0) return hostPort.slice(1, close);
  }
  const colons = hostPort.split(':').length - 1;
  return colons === 1 ? hostPort.slice(0, hostPort.indexOf(':')) : hostPort;
}
