/**
 * DNS over UDP (RFC 1035 §4.2.1): one datagram in, at most one datagram out,
 * with the per-network response byte budget (`../response-budget.ts`) and
 * then response-rate limiting (`../rrl.ts`) applied to what goes out.
 *
 * Concurrency: the responder is synchronous, so each datagram is answered to
 * completion inside its 'message' event and a socket handles exactly one
 * query at a time. Nothing queues inside the node; excess load stays in the
 * kernel's receive buffer (made large below) and overflows there, which is
 * the cheapest place to shed it.
 *
 * Hot path: one small context object per datagram and whatever the
 * responder allocates; no promises, closures or log lines per packet.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Logger } from '../../log.js';
import type { DnsResponder } from '../responder.js';
import type { ResponseByteBudget } from '../response-budget.js';
import { type ResponseRateLimiter, RrlAction } from '../rrl.js';
import type { DnsSocketCounter, DnsTransportMetrics } from './metrics.js';
import { ThrottledLog } from './throttled-log.js';

/** Largest UDP payload over IPv4 (65535 − 20 IP − 8 UDP) and IPv6 (65535 − 8). */
const MAX_DATAGRAM_V4 = 65_507;
const MAX_DATAGRAM_V6 = 65_527;

export interface UdpListenerOptions {
  readonly responder: DnsResponder;
  readonly logger: Logger;
  readonly metrics: DnsTransportMetrics;
  /** Shared across sockets so a client's budget does not depend on which one it hits. */
  readonly rrl?: ResponseRateLimiter | undefined;
  /** Reply octets per client network, checked before RRL; shared across sockets like `rrl`. */
  readonly budget?: ResponseByteBudget | undefined;
  /** SO_RCVBUF / SO_SNDBUF request; the kernel may cap it (Linux: net.core.rmem_max). */
  readonly bufferBytes: number;
  /** For an IPv6 socket: refuse IPv4-mapped traffic (needed when an IPv4 wildcard is bound too). */
  readonly ipv6Only: boolean;
}

/** One bound UDP socket answering DNS queries. */
export class UdpListener {
  readonly address: string;
  readonly port: number;
  private readonly counter: DnsSocketCounter;
  private readonly log: ThrottledLog;
  private readonly maxDatagram: number;
  private closed: Promise<void> | undefined;
  private readonly onMessage = (msg: Buffer, peer: RemoteInfo) => this.answer(msg, peer);

  /** Binds `host:port` (port 0 = any free port); rejects with the bind error. */
  static bind(host: string, port: number, family: 4 | 6, options: UdpListenerOptions) {
    const socket = createSocket({
      type: family === 6 ? 'udp6' : 'udp4',
      ipv6Only: family === 6 && options.ipv6Only,
    });
    return new Promise<UdpListener>((resolve, reject) => {
      const fail = (err: Error) => {
        try {
          socket.close();
        } catch {
          // never bound, nothing to release
        }
        reject(err);
      };
      socket.once('error', fail);
      // exclusive: never share the port with a cluster sibling by accident.
      socket.bind({ address: host, port, exclusive: true }, () => {
        socket.removeListener('error', fail);
        resolve(new UdpListener(socket, family, options));
      });
    });
  }

  private constructor(
    private readonly socket: Socket,
    family: 4 | 6,
    private readonly options: UdpListenerOptions,
  ) {
    const local = socket.address();
    this.address = local.address;
    this.port = local.port;
    this.maxDatagram = family === 6 ? MAX_DATAGRAM_V6 : MAX_DATAGRAM_V4;
    this.counter = options.metrics.socket({
      transport: 'udp',
      address: this.address,
      port: this.port,
    });
    this.log = new ThrottledLog(options.logger);
    // Without a send callback, dgram reports send failures here; a listener
    // also keeps such an error from becoming an uncaught exception.
    socket.on('error', (err) => {
      this.counter.count('error');
      this.log.log('warn', 'socket', 'DNS UDP socket error', err, { local: this.address });
    });
    this.setBuffers(options.bufferBytes);
    socket.on('message', this.onMessage);
  }

  private setBuffers(bytes: number): void {
    if (bytes <= 0) return;
    try {
      this.socket.setRecvBufferSize(bytes);
      this.socket.setSendBufferSize(bytes);
    } catch (err) {
      this.options.logger.warn({ err, bytes }, 'could not enlarge DNS UDP socket buffers');
    }
  }

  private answer(msg: Buffer, peer: RemoteInfo): void {
    const counter = this.counter;
    counter.count('request');
    try {
      const response = this.options.responder.respond(msg, {
        transport: 'udp',
        remoteAddress: peer.address,
      });
      if (response === undefined) {
        counter.count('no-response');
        return;
      }
      let wire = response.wire;
      const { rrl, budget } = this.options;
      // The byte budget and RRL exist against reflection from spoofed
      // sources. Three kinds of reply are exempt: one to a TSIG-verified
      // request (its source cannot be spoofed without the key, and a lost
      // reply makes the writer time out after its write was applied), one to
      // a request with a valid server cookie (RFC 7873: minted for that very
      // address, so the source is proven), and any UPDATE reply (it echoes
      // only header and zone section, so it is never larger than the request:
      // no amplification; the UPDATE work itself is budgeted before it runs).
      if (!response.authenticated && !response.addressVerified && response.kind !== 'update') {
        let action: RrlAction = RrlAction.Send;
        if (budget !== undefined) {
          action = budget.account(peer.address, wire.length);
          if (action === RrlAction.Drop) {
            counter.count('budget-drop');
            return;
          }
          if (action === RrlAction.Slip) {
            counter.count('budget-slip');
            wire = response.truncated();
          }
        }
        if (action === RrlAction.Send && rrl !== undefined) {
          action = rrl.account(peer.address, response.kind, response.qname);
          if (action === RrlAction.Drop) {
            counter.count('rrl-drop');
            return;
          }
          if (action === RrlAction.Slip) {
            counter.count('rrl-slip');
            wire = response.truncated();
          }
        }
      }
      // The responder fits replies to the client's EDNS size; this only
      // guards against one no datagram can carry.
      if (wire.length > this.maxDatagram) wire = response.truncated();
      if (wire.length === 0 || wire.length > this.maxDatagram) {
        counter.count('error');
        this.log.log('error', 'size', 'DNS responder produced an unsendable UDP reply', undefined, {
          bytes: wire.length,
        });
        return;
      }
      // `wire` may be a view into a larger buffer; dgram sends exactly the view.
      this.socket.send(wire, peer.port, peer.address);
      counter.count('response');
    } catch (err) {
      counter.count('error');
      this.log.log('error', 'answer', 'DNS UDP query failed', err);
    }
  }

  /** Stops answering and closes the socket. Idempotent. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.socket.removeListener('message', this.onMessage);
      // Replies already handed to dgram resolve their (literal) address on
      // the next tick; closing after an immediate lets them reach the kernel.
      setImmediate(() => {
        try {
          this.socket.close(() => resolve());
        } catch {
          resolve(); // already closed
        }
      });
    });
    return this.closed;
  }
}
