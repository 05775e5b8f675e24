/**
 * One listening DNS-over-TCP socket (RFC 7766). Accepted connections go to
 * the node-wide {@link TcpConnectionPool}, which enforces the connection cap
 * and owns their lifecycle.
 */
import { createServer, type Server } from 'node:net';
import type { Logger } from '../../log.js';
import type { DnsSocketCounter, DnsTransportMetrics } from './metrics.js';
import type { TcpConnectionPool } from './tcp-pool.js';
import { ThrottledLog } from './throttled-log.js';

/** Listen backlog, as the reference uses. */
const BACKLOG = 128;

export class TcpListener {
  readonly address: string;
  readonly port: number;
  private closed: Promise<void> | undefined;

  /** Listens on `host:port`; rejects with the listen error (e.g. EADDRINUSE). */
  static listen(
    host: string,
    port: number,
    ipv6Only: boolean,
    pool: TcpConnectionPool,
    metrics: DnsTransportMetrics,
    logger: Logger,
  ): Promise<TcpListener> {
    const server = createServer({ noDelay: true });
    return new Promise<TcpListener>((resolve, reject) => {
      const fail = (err: Error) => {
        server.close();
        reject(err);
      };
      server.once('error', fail);
      server.listen({ host, port, ipv6Only, backlog: BACKLOG, exclusive: true }, () => {
        server.removeListener('error', fail);
        resolve(new TcpListener(server, pool, metrics, logger));
      });
    });
  }

  private constructor(
    private readonly server: Server,
    pool: TcpConnectionPool,
    metrics: DnsTransportMetrics,
    logger: Logger,
  ) {
    const local = server.address();
    if (local === null || typeof local === 'string') throw new Error('TCP listener has no address');
    this.address = local.address;
    this.port = local.port;
    const counter: DnsSocketCounter = metrics.socket({
      transport: 'tcp',
      address: this.address,
      port: this.port,
    });
    const log = new ThrottledLog(logger);
    server.on('connection', (socket) => pool.admit(socket, counter));
    // Accept failures (EMFILE …) after startup: the server keeps listening.
    server.on('error', (err) => {
      counter.count('error');
      log.log('warn', 'accept', 'DNS TCP listener error', err, { local: this.address });
    });
  }

  /**
   * Stops accepting. Resolves once every connection this listener accepted
   * has closed (the pool decides how fast that happens). Idempotent.
   */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
    });
    return this.closed;
  }
}
