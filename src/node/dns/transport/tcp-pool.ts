/**
 * The set of open DNS-over-TCP connections of a node, across all its TCP
 * listeners. RFC 7766 §6.2.2 asks servers to bound their TCP resources: past
 * the cap a new connection is closed at once (the reference does the same),
 * which costs far less than letting it queue for a slot.
 */
import type { Socket } from 'node:net';
import type { DnsSocketCounter } from './metrics.js';
import { TcpConnection, type TcpConnectionSettings } from './tcp-connection.js';

function ignore(): void {}

export class TcpConnectionPool {
  private readonly open = new Set<TcpConnection>();
  private readonly release = (connection: TcpConnection) => {
    this.open.delete(connection);
    if (this.open.size === 0) for (const resolve of this.waiters.splice(0)) resolve();
  };
  private readonly waiters: (() => void)[] = [];
  private closing = false;

  constructor(
    private readonly settings: TcpConnectionSettings,
    /** Most connections open at once, over all listeners. */
    private readonly maxConnections: number,
  ) {}

  /** Connections currently open. */
  get size(): number {
    return this.open.size;
  }

  /** Takes over a freshly accepted socket, or closes it when the pool is full or closing. */
  admit(socket: Socket, counter: DnsSocketCounter): void {
    if (this.closing || this.open.size >= this.maxConnections) {
      counter.count('tcp-reject');
      // The peer may reset before the destroy lands; that error is expected.
      socket.on('error', ignore);
      socket.destroy();
      return;
    }
    counter.count('tcp-accept');
    this.open.add(new TcpConnection(socket, counter, this.settings, this.release));
  }

  /** Starts a graceful close of every connection; later arrivals are refused. */
  shutdown(): void {
    this.closing = true;
    for (const connection of this.open) connection.shutdown();
  }

  /** Resolves once no connection is open (after each has emitted 'close'). */
  drained(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Closes whatever is still open, immediately. */
  destroyAll(): void {
    for (const connection of this.open) connection.destroy();
  }
}
