/**
 * Starts the node's DNS listeners: UDP and TCP on the same port (RFC 1035
 * §4.2, RFC 7766 §5: a server answering over UDP must answer over TCP too,
 * and on the same port), on every configured address, IPv4 and IPv6.
 *
 * Port 0 (tests, ephemeral deployments) asks the kernel for a UDP port first
 * and then takes the same port for TCP and for the other addresses; when
 * something else already holds one of those, everything is released and
 * the whole bind is retried on a new port.
 */
import { isIP } from 'node:net';
import type { Logger } from '../../log.js';
import type { DnsResponder, DnsTransport } from '../responder.js';
import { type ResponseBudgetOptions, ResponseByteBudget } from '../response-budget.js';
import { ResponseRateLimiter, type RrlOptions } from '../rrl.js';
import { type DnsTransportMetrics, NO_DNS_METRICS } from './metrics.js';
import { TcpListener } from './tcp-listener.js';
import { TcpConnectionPool } from './tcp-pool.js';
import { ThrottledLog } from './throttled-log.js';
import { UdpListener } from './udp-listener.js';

export interface DnsListenerOptions {
  /** IP literals to bind, e.g. `['::1', '127.0.0.1']`; `'::'` alone is dual-stack. */
  readonly hosts: readonly string[] | string;
  /** Port for UDP and TCP on every host; 0 = pick a free one (the same for all). */
  readonly port: number;
  readonly logger: Logger;
  readonly metrics?: DnsTransportMetrics;
  /** UDP response-rate limiting; omit (or set rates ≤ 0) to disable. */
  readonly rrl?: ResponseRateLimiter | RrlOptions;
  /** UDP reply octets per client network, before RRL; omit (or set a rate ≤ 0) to disable. */
  readonly responseBudget?: ResponseByteBudget | ResponseBudgetOptions;
  /** Requested UDP SO_RCVBUF/SO_SNDBUF in bytes (default 4 MiB; the kernel may cap it). */
  readonly udpBufferBytes?: number;
  /** Open TCP connections over all hosts (default 1024); when full, the oldest idle one makes room. */
  readonly maxTcpConnections?: number;
  /** Open TCP connections per client network, IPv4 /24 or IPv6 /56 (default 64; ≤ 0: no cap). */
  readonly maxTcpConnectionsPerNetwork?: number;
  /** TCP idle timeout between messages (default 10 s). */
  readonly tcpIdleTimeoutMs?: number;
  /** Deadline for a TCP connection's first complete message, idle or not (default 5 s). */
  readonly tcpInitialTimeoutMs?: number;
  /** Per-connection queries held while the client is not reading its replies (default 256). */
  readonly tcpMaxPendingQueries?: number;
  /** Largest TCP query accepted (default and maximum 65535); longer closes the connection. */
  readonly tcpMaxMessageBytes?: number;
  /** How long `close()` lets TCP connections finish before cutting them (default 5 s). */
  readonly closeTimeoutMs?: number;
  /** Attempts to find a port free for every listener when `port` is 0 (default 8). */
  readonly portAttempts?: number;
}

/** One bound socket. */
export interface DnsBoundAddress {
  readonly transport: DnsTransport;
  readonly address: string;
  readonly family: 4 | 6;
  readonly port: number;
}

/** Running DNS listeners. */
export interface DnsListeners {
  /** The port every listener is bound to. */
  readonly port: number;
  readonly addresses: readonly DnsBoundAddress[];
  /** The limiter in use (for its counters), if any. */
  readonly rrl: ResponseRateLimiter | undefined;
  /** The response byte budget in use (for its counters), if any. */
  readonly responseBudget: ResponseByteBudget | undefined;
  /** Currently open TCP connections. */
  readonly tcpConnections: number;
  /** Open TCP connections with nothing in progress (the ones a full pool may close). */
  readonly tcpIdleConnections: number;
  /**
   * Graceful stop: no new datagrams or connections; queries already
   * received over TCP are answered and their connections closed, cut after
   * `closeTimeoutMs`. Idempotent.
   */
  close(): Promise<void>;
}

interface Bound {
  readonly udp: UdpListener[];
  readonly tcp: TcpListener[];
}

function familyOf(host: string): 4 | 6 {
  const family = isIP(host);
  if (family === 0) throw new TypeError(`DNS listen address is not an IP address: ${host}`);
  return family as 4 | 6;
}

function isAddressInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

async function release(bound: Bound): Promise<void> {
  await Promise.all([...bound.udp.map((l) => l.close()), ...bound.tcp.map((l) => l.close())]);
}

/** Starts UDP and TCP DNS listeners on every host; rejects if UDP cannot be bound. */
export async function startDnsListeners(
  responder: DnsResponder,
  options: DnsListenerOptions,
): Promise<DnsListeners> {
  const hosts = typeof options.hosts === 'string' ? [options.hosts] : [...options.hosts];
  if (hosts.length === 0) throw new TypeError('no DNS listen addresses');
  const families = hosts.map(familyOf);
  // An IPv6 wildcard would also claim IPv4 and collide with an IPv4 bind.
  const ipv6Only = families.includes(4);
  const logger = options.logger;
  const metrics = options.metrics ?? NO_DNS_METRICS;
  const rrl =
    options.rrl === undefined || options.rrl instanceof ResponseRateLimiter
      ? options.rrl
      : new ResponseRateLimiter(options.rrl);
  const budget =
    options.responseBudget === undefined || options.responseBudget instanceof ResponseByteBudget
      ? options.responseBudget
      : new ResponseByteBudget(options.responseBudget);
  const pool = new TcpConnectionPool(
    {
      responder,
      log: new ThrottledLog(logger),
      idleTimeoutMs: options.tcpIdleTimeoutMs ?? 10_000,
      initialTimeoutMs: options.tcpInitialTimeoutMs ?? 5_000,
      maxPendingQueries: options.tcpMaxPendingQueries ?? 256,
      maxMessageBytes: options.tcpMaxMessageBytes ?? 65_535,
    },
    options.maxTcpConnections ?? 1024,
    options.maxTcpConnectionsPerNetwork ?? 64,
  );
  const udpOptions = {
    responder,
    logger,
    metrics,
    rrl: rrl?.enabled ? rrl : undefined,
    budget: budget?.enabled ? budget : undefined,
    bufferBytes: options.udpBufferBytes ?? 4 * 1024 * 1024,
    ipv6Only,
  };

  const wanted = options.port;
  const attempts = wanted === 0 ? Math.max(1, options.portAttempts ?? 8) : 1;
  let bound: Bound | undefined;
  for (let attempt = 1; bound === undefined; attempt++) {
    const current: Bound = { udp: [], tcp: [] };
    let port = wanted;
    try {
      for (let i = 0; i < hosts.length; i++) {
        const udp = await UdpListener.bind(hosts[i]!, port, families[i]!, udpOptions);
        current.udp.push(udp);
        port = udp.port;
      }
      for (let i = 0; i < hosts.length; i++) {
        const host = hosts[i]!;
        const v6only = ipv6Only && families[i] === 6;
        try {
          current.tcp.push(await TcpListener.listen(host, port, v6only, pool, metrics, logger));
        } catch (err) {
          // A fixed port: run UDP-only rather than not at all (as the
          // reference does). A kernel-chosen port: try another one.
          if (wanted === 0) throw err;
          logger.warn({ err, host, port }, 'DNS over TCP unavailable; serving UDP only');
        }
      }
      bound = current;
    } catch (err) {
      await release(current);
      if (!(isAddressInUse(err) && attempt < attempts)) throw err;
    }
  }
  const handle = listenersHandle(bound, pool, rrl, budget, options.closeTimeoutMs ?? 5_000);
  logger.info(
    {
      port: handle.port,
      hosts,
      tcp: bound.tcp.length > 0,
      rrl: rrl?.enabled ?? false,
      responseBytesPerNetwork: budget?.enabled ? budget.bytesPerSecond : 0,
    },
    'DNS listeners started',
  );
  return handle;
}

function listenersHandle(
  bound: Bound,
  pool: TcpConnectionPool,
  rrl: ResponseRateLimiter | undefined,
  responseBudget: ResponseByteBudget | undefined,
  closeTimeoutMs: number,
): DnsListeners {
  const addresses: DnsBoundAddress[] = [
    ...bound.udp.map((l) => ({ transport: 'udp' as const, address: l.address, port: l.port })),
    ...bound.tcp.map((l) => ({ transport: 'tcp' as const, address: l.address, port: l.port })),
  ].map((a) => ({ ...a, family: familyOf(a.address) }));
  let closing: Promise<void> | undefined;
  return {
    port: bound.udp[0]!.port,
    addresses,
    rrl,
    responseBudget,
    get tcpConnections() {
      return pool.size;
    },
    get tcpIdleConnections() {
      return pool.idleCount;
    },
    close() {
      closing ??= (async () => {
        const udpClosed = Promise.all(bound.udp.map((l) => l.close()));
        // A server reports closed before its sockets emit 'close'; the pool
        // tells when they really have.
        const tcpClosed = Promise.all([...bound.tcp.map((l) => l.close()), pool.drained()]);
        pool.shutdown();
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, closeTimeoutMs);
        });
        await Promise.race([tcpClosed, deadline]);
        clearTimeout(timer);
        pool.destroyAll();
        await Promise.all([udpClosed, tcpClosed]);
      })();
      return closing;
    },
  };
}
