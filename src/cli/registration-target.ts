/**
 * Which node the registration commands talk to, and where `tsig register`
 * points DNS UPDATE — from what the user already said: `--node` as typed
 * (its scheme included), else the `endpoint` that `init` stored; the
 * UPDATE target from `--dns-server`/`--dns-port`, else the node DNS
 * endpoint `init` probed, else a fresh probe of the node's host (5353, then
 * 53). The reference ignores a URL's scheme (defaulting to https), requires
 * `--node` and defaults the UPDATE port to 53, so a walk-through's
 * `http://127.0.0.1:8053` node on port 5353 failed at the next publish.
 */
import type { CliConfig } from './config/fields.js';
import { endpointHost, stripPortAndBrackets } from './endpoint.js';
import { userError } from './errors.js';
import { probeLocalNodeDns, resolverPortsOn } from './local-dns-probe.js';
import { type NodeTarget, nodeTarget } from './registration.js';

/** The node a registration command talks to, and how the user named it (for messages). */
export interface RegistrationNode extends NodeTarget {
  readonly label: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** `--node` (scheme honoured) or config's `endpoint`; `--scheme` only when the URL has none. */
export function registrationNode(
  config: CliConfig,
  node: string | undefined,
  scheme: string | undefined,
): RegistrationNode {
  const given = node?.trim() || config.endpoint.trim();
  if (given === '') {
    throw userError(
      'no node to register with: pass --node <url> (e.g. --node https://dmp.example.com) or set ' +
        'the endpoint once with `dnsmesh init <username> --endpoint <url> --force`',
    );
  }
  const urlScheme = SCHEME.exec(given)?.[1]?.toLowerCase();
  if (urlScheme !== undefined && urlScheme !== 'http' && urlScheme !== 'https') {
    throw userError(`--node ${given}: only http:// and https:// nodes are supported`);
  }
  if (scheme !== undefined && urlScheme !== undefined && scheme !== urlScheme) {
    throw userError(
      `--node ${given} says ${urlScheme}:// but --scheme says ${scheme} — drop one of them`,
    );
  }
  return { ...nodeTarget(given, scheme ?? urlScheme ?? 'https'), label: given };
}

/** Where the TSIG writer sends UPDATEs, and how that was decided. */
export interface UpdateTarget {
  readonly host: string;
  readonly port: number;
  readonly how: 'given' | 'init probe' | 'probed now' | 'default port';
}

/** The UPDATE target for `target` (see the module comment). */
export async function updateTarget(
  config: CliConfig,
  target: NodeTarget,
  dnsServer: string | undefined,
  dnsPort: number | undefined,
): Promise<UpdateTarget> {
  const nodeHost = stripPortAndBrackets(target.hostPort);
  const host = dnsServer?.trim() || nodeHost;
  if (dnsPort !== undefined) return { host, port: dnsPort, how: 'given' };
  const probed = config.local_node_dns_server;
  if (probed !== '' && probed === host && config.local_node_dns_port > 0) {
    return { host, port: config.local_node_dns_port, how: 'init probe' };
  }
  if (
    dnsServer === undefined &&
    probed !== '' &&
    config.local_node_dns_port > 0 &&
    endpointHost(config.endpoint) === nodeHost.toLowerCase()
  ) {
    return { host: probed, port: config.local_node_dns_port, how: 'init probe' };
  }
  const found = await probeLocalNodeDns(host, 1500, resolverPortsOn(host, config.dns_resolvers));
  if (found !== undefined) return { host, port: found.port, how: 'probed now' };
  return { host, port: 53, how: 'default port' };
}
