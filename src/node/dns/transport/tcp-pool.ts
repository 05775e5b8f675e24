/**
 * The set of open DNS-over-TCP connections of a node, across all its TCP
 * listeners. RFC 7766 §6.2.2 asks servers to bound their TCP resources:
 *
 * - one client network (IPv4 /24, IPv6 /56) may hold at most
 *   `maxPerNetwork` connections; past that its new ones are closed at once;
 * - when the node-wide cap is reached, the oldest idle connection is closed
 *   to make room (§6.2.3), so a pile of silent connections cannot lock
 *   everybody out; only when none is idle is the newcomer refused.
 */
import type { Socket } from 'node:net';
import { networkKey } from '../client-network.js';
import type { DnsSocketCounter } from './metrics.js';
import { TcpConnection, type TcpConnectionSettings } from './tcp-connection.js';

function ignore(): void {}

export class TcpConnectionPool {
  private readonly open = new Set<TcpConnection>();
  private readonly release = (connection: TcpConnection) => {
    this.forget(connection);
    if (this.open.size === 0) for (const resolve of this.waiters.splice(0)) resolve();
  };
  private readonly waiters: (() => void)[] = [];
  private closing = false;

  private readonly perNetwork = new Map<string, number>();

  constructor(
    private readonly settings: TcpConnectionSettings,
    /** Most connections open at once, over all listeners. */
    private readonly maxConnections: number,
    /** Most connections one client network may hold (≤ 0: no per-network cap). */
    private readonly maxPerNetwork = 0,
  ) {}

  /** Connections currently open. */
  get size(): number {
    return this.open.size;
  }

  /** Open connections with nothing in progress. O(connections). */
  get idleCount(): number {
    let n = 0;
    for (const connection of this.open) if (connection.idle) n++;
    return n;
  }

  /** Takes over a freshly accepted socket, or closes it when the pool is full or closing. */
  admit(socket: Socket, counter: DnsSocketCounter): void {
    const network = networkKey(socket.remoteAddress ?? '');
    const held = this.perNetwork.get(network) ?? 0;
    const networkFull = this.maxPerNetwork > 0 && held >= this.maxPerNetwork;
    if (
      this.closing ||
      networkFull ||
      (this.open.size >= this.maxConnections && !this.evictIdle())
    ) {
      counter.count('tcp-reject');
      // The peer may reset before the destroy lands; that error is expected.
      socket.on('error', ignore);
      socket.destroy();
      return;
    }
    counter.count('tcp-accept');
    this.perNetwork.set(network, held + 1);
    this.open.add(new TcpConnection(socket, counter, this.settings, this.release, network));
  }

  /** Closes the oldest idle connection (the Set iterates oldest first); false if none is idle. */
  private evictIdle(): boolean {
    for (const connection of this.open) {
      if (connection.idle) {
        // Out of the count now; its 'close' arrives later and finds it gone.
        this.forget(connection);
        connection.destroy();
        return true;
      }
    }
    return false;
  }

  private forget(connection: TcpConnection): boolean {
    if (!this.open.delete(connection)) return false;
    const left = (this.perNetwork.get(connection.network) ?? 1) - 1;
    if (left > 0) this.perNetwork.set(connection.network, left);
    else this.perNetwork.delete(connection.network);
    return true;
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
