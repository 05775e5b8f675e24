/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766): one connection per exchange,
 * 2-octet length framing. Frames carrying another ID are skipped rather
 * than fatal, because RFC 7766 §7 lets a server answer pipelined queries
 * out of order; anything else that is not our reply ends the exchange
 * with a typed error.
 */
import { connect, type Socket } from 'node:net';
import { frameTcp, TcpDeframer } from '../wire/tcp.js';
import {
  connectionError,
  DnsConnectionError,
  DnsMalformedReplyError,
  DnsRequestError,
} from './errors.js';
import { pendingExchange } from './pending-exchange.js';
import { matchReply } from './reply-match.js';
import { type PreparedRequest, prepareRequest } from './request.js';
import { formatServer, isIpLiteral } from './server-address.js';
import {
  type DnsReply,
  type DnsRequest,
  type DnsTransport,
  type ExchangeOptions,
  makeReply,
} from './transport.js';

export interface TcpTransportOptions {
  /** OPT payload size added to message requests (default 1232; 0 sends no OPT). */
  readonly ednsUdpSize?: number;
  /** Frames with foreign IDs tolerated before giving up (default 16). */
  readonly maxForeignFrames?: number;
}

/** {@link DnsTransport} over TCP. */
export class TcpTransport implements DnsTransport {
  readonly name = 'tcp';
  private readonly ednsUdpSize: number;
  private readonly maxForeignFrames: number;

  constructor(options: TcpTransportOptions = {}) {
    this.ednsUdpSize = options.ednsUdpSize ?? 1232;
    this.maxForeignFrames = options.maxForeignFrames ?? 16;
  }

  async exchange(request: DnsRequest, options: ExchangeOptions): Promise<DnsReply> {
    if (!isIpLiteral(options.server.host)) {
      throw new DnsRequestError(`server ${options.server.host} is not an IP address`);
    }
    const prepared = prepareRequest(request, { ednsUdpSize: this.ednsUdpSize });
    return this.exchangeWire(prepared, options);
  }

  /** Sends already prepared octets (used by the UDP transport's TC fallback). */
  exchangeWire(prepared: PreparedRequest, options: ExchangeOptions): Promise<DnsReply> {
    const server = formatServer(options.server);
    const started = performance.now();
    return pendingExchange<DnsReply>(
      { server, protocol: 'tcp', timeoutMs: options.timeoutMs, signal: options.signal },
      (control) => {
        const socket: Socket = connect({
          host: options.server.host,
          port: options.server.port,
          noDelay: true,
        });
        control.onCleanup(() => socket.destroy());
        const deframer = new TcpDeframer();
        let foreign = 0;
        socket.on('connect', () => socket.write(frameTcp(prepared.wire)));
        socket.on('error', (err) => control.reject(connectionError(server, 'tcp', err)));
        socket.on('close', () => {
          const partial = deframer.buffered > 0 ? ` after ${deframer.buffered} octets` : '';
          control.reject(
            new DnsConnectionError(
              server,
              'tcp',
              'connection-closed',
              `connection closed before a complete reply${partial}`,
            ),
          );
        });
        socket.on('data', (chunk: Buffer) => {
          const pushed = deframer.push(chunk);
          if (!pushed.ok) {
            control.reject(new DnsMalformedReplyError(server, 'tcp', pushed.detail));
            return;
          }
          for (const frame of pushed.value) {
            const verdict = matchReply(prepared.expected, frame);
            if (verdict.ok) {
              const rtt = performance.now() - started;
              control.resolve(makeReply(verdict.message, frame, server, 'tcp', rtt));
              return;
            }
            if (verdict.mismatch !== 'id') {
              control.reject(new DnsMalformedReplyError(server, 'tcp', verdict.detail));
              return;
            }
            if (++foreign > this.maxForeignFrames) {
              control.reject(
                new DnsMalformedReplyError(server, 'tcp', `${foreign} frames with foreign ids`),
              );
              return;
            }
          }
        });
      },
    );
  }
}
