/**
 * DNS over UDP (RFC 1035 §4.2.1) hardened per RFC 5452: every datagram goes
 * out on its own connected socket (a fresh OS-chosen random source port and,
 * for message requests, a fresh random ID), replies are matched on ID and
 * question (case-exactly when DNS 0x20 is on), and everything else is
 * dropped as a possible spoof. EDNS(0) advertises 1232 octets (the DNS Flag
 * Day 2020 size); a reply with TC=1 is retried over TCP (RFC 7766 §5).
 *
 * Retransmission keeps earlier sockets open, so a late reply to attempt 1
 * still wins while attempt 2 is in flight. A connected socket also turns an
 * ICMP port-unreachable into an immediate "connection refused" instead of a
 * timeout, which lets pools skip a dead resolver in microseconds.
 */
import { createSocket, type Socket } from 'node:dgram';
import { connectionError, DnsRequestError, DnsTimeoutError, DnsTruncatedError } from './errors.js';
import { pendingExchange } from './pending-exchange.js';
import { matchReply } from './reply-match.js';
import { type PreparedRequest, prepareRequest } from './request.js';
import { formatServer, isIpLiteral } from './server-address.js';
import { TcpTransport } from './tcp-transport.js';
import {
  type DnsReply,
  type DnsRequest,
  type DnsTransport,
  type ExchangeOptions,
  makeReply,
} from './transport.js';

/** RFC 6891 payload size recommended by DNS Flag Day 2020. */
export const DEFAULT_EDNS_UDP_SIZE = 1232;

export interface UdpTransportOptions {
  /** Datagrams sent per exchange, spread evenly over the timeout (default 3). */
  readonly attempts?: number;
  /** OPT payload size added to message requests (default 1232; 0 sends no OPT). */
  readonly ednsUdpSize?: number;
  /** DNS 0x20 case randomisation of message requests (default true). */
  readonly randomizeCase?: boolean;
  /**
   * Where a TC=1 reply is retried: a {@link TcpTransport} by default,
   * `null` to reject with {@link DnsTruncatedError} instead.
   */
  readonly tcpFallback?: TcpTransport | null;
}

interface UdpOutcome {
  reply: DnsReply;
  prepared: PreparedRequest;
}

/** {@link DnsTransport} over UDP with TC fallback to TCP. */
export class UdpTransport implements DnsTransport {
  readonly name = 'udp';
  private readonly attempts: number;
  private readonly ednsUdpSize: number;
  private readonly randomizeCase: boolean;
  private readonly tcp: TcpTransport | null;

  constructor(options: UdpTransportOptions = {}) {
    this.attempts = Math.max(1, Math.min(10, Math.floor(options.attempts ?? 3)));
    this.ednsUdpSize = options.ednsUdpSize ?? DEFAULT_EDNS_UDP_SIZE;
    this.randomizeCase = options.randomizeCase ?? true;
    this.tcp = options.tcpFallback === undefined ? new TcpTransport() : options.tcpFallback;
  }

  async exchange(request: DnsRequest, options: ExchangeOptions): Promise<DnsReply> {
    if (!isIpLiteral(options.server.host)) {
      throw new DnsRequestError(`server ${options.server.host} is not an IP address`);
    }
    const started = performance.now();
    const { reply, prepared } = await this.exchangeUdp(request, options, started);
    if (!reply.header.tc) return reply;
    if (this.tcp === null) throw new DnsTruncatedError(reply.server);
    const remaining = options.timeoutMs - (performance.now() - started);
    if (remaining <= 0) {
      throw new DnsTimeoutError(reply.server, 'tcp', options.timeoutMs, 'UDP reply truncated');
    }
    // The TCP retry reuses the octets that drew the TC reply, so a signed
    // request keeps its MAC and a 0x20 name keeps its case.
    const full = await this.tcp.exchangeWire(prepared, { ...options, timeoutMs: remaining });
    return { ...full, rttMs: performance.now() - started };
  }

  private prepare(request: DnsRequest, randomize: boolean): PreparedRequest {
    return prepareRequest(request, {
      randomizeCase: randomize,
      ednsUdpSize: this.ednsUdpSize,
    });
  }

  private exchangeUdp(
    request: DnsRequest,
    options: ExchangeOptions,
    started: number,
  ): Promise<UdpOutcome> {
    const server = formatServer(options.server);
    const family = options.server.host.includes(':') ? 'udp6' : 'udp4';
    // Prepared eagerly so an unencodable request throws before any socket exists.
    const first = this.prepare(request, this.randomizeCase);
    return pendingExchange<UdpOutcome>(
      { server, protocol: 'udp', timeoutMs: options.timeoutMs, signal: options.signal },
      (control) => {
        let sent = 0;
        let useCase = this.randomizeCase;
        let retryTimer: ReturnType<typeof setTimeout> | undefined;
        control.onCleanup(() => clearTimeout(retryTimer));
        const interval = Math.max(1, options.timeoutMs / this.attempts);

        const send = (): void => {
          try {
            sendOne();
          } catch (err) {
            // Runs from timers too, where a throw would escape the promise.
            control.reject(connectionError(server, 'udp', err));
          }
        };

        const sendOne = (): void => {
          if (control.settled || sent >= this.attempts) return;
          const prepared = sent === 0 ? first : this.prepare(request, useCase);
          sent++;
          const socket: Socket = createSocket({ type: family });
          control.onCleanup(() => socket.close());
          socket.on('error', (err) => control.reject(connectionError(server, 'udp', err)));
          socket.on('message', (msg: Buffer) => {
            // A private copy: decoded TXT strings are views into it and outlive the event.
            const wire = new Uint8Array(msg);
            const verdict = matchReply(prepared.expected, wire);
            if (verdict.ok) {
              const rtt = performance.now() - started;
              const reply = makeReply(verdict.message, wire, server, 'udp', rtt);
              control.resolve({ reply, prepared });
              return;
            }
            control.noteDiscarded(verdict.detail);
            if (verdict.mismatch === 'case' && useCase) {
              // The server does not echo 0x20 case: fall back to plain case at once.
              useCase = false;
              schedule(0);
            }
          });
          socket.connect(options.server.port, options.server.host, () => {
            if (control.settled) return;
            socket.send(prepared.wire, (err) => {
              if (err && !control.settled) control.reject(connectionError(server, 'udp', err));
            });
          });
          schedule(interval);
        };

        const schedule = (delay: number): void => {
          clearTimeout(retryTimer);
          if (sent < this.attempts) retryTimer = setTimeout(send, delay);
        };

        send();
      },
    );
  }
}
