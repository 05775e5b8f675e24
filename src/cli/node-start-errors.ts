/**
 * Why `dnsmesh-node` could not start, said so a person can act on it: a
 * port already taken or not allowed names the listener (DNS or HTTP) and
 * the flag and variable that move it, instead of Node's
 * `bind EADDRINUSE 127.0.0.1:5353`.
 */
import type { NodeConfig } from '../node/config/node-config.js';

interface SocketError {
  readonly code?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly message?: unknown;
}

interface Listener {
  readonly what: string;
  readonly flag: string;
  readonly hostFlag: string;
}

function listenerOf(port: number, config: NodeConfig): Listener | undefined {
  if (port === config.dns.port) {
    return {
      what: 'DNS',
      flag: '--dns-port (DMP_DNS_PORT)',
      hostFlag: '--dns-host (DMP_DNS_HOST)',
    };
  }
  if (config.http.enabled && port === config.http.port) {
    return {
      what: 'HTTP API',
      flag: '--http-port (DMP_HTTP_PORT)',
      hostFlag: '--http-host (DMP_HTTP_HOST)',
    };
  }
  return undefined;
}

/** The message `dnsmesh-node: could not start: …` ends with. */
export function explainStartError(err: unknown, config: NodeConfig): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SocketError;
  const raw = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.port !== 'number' || typeof e.address !== 'string') return raw;
  const listener = listenerOf(e.port, config);
  if (listener === undefined) return raw;
  const where = `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
  switch (e.code) {
    case 'EADDRINUSE': {
      const mdns =
        e.port === 5353
          ? ', or an mDNS responder (avahi-daemon, systemd-resolved with MulticastDNS) that owns 5353'
          : '';
      return (
        `the ${listener.what} port ${where} is already in use — another dnsmesh-node${mdns}; ` +
        `stop it, or choose another port with ${listener.flag}`
      );
    }
    case 'EACCES':
      return (
        `not allowed to bind the ${listener.what} port ${where}: ports below 1024 need root or ` +
        'CAP_NET_BIND_SERVICE (sudo setcap \'cap_net_bind_service=+ep\' "$(command -v node)"); ' +
        `or choose a port ≥ 1024 with ${listener.flag}`
      );
    case 'EADDRNOTAVAIL':
      return `${e.address} is not an address of this machine — fix ${listener.hostFlag}`;
    default:
      return raw;
  }
}
