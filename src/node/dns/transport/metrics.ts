/**
 * Per-socket event counting for the DNS listeners. The transports only call
 * a counter per event; whoever owns metrics (prom-client in the daemon)
 * decides how to store them. The counter is obtained once per socket so an
 * implementation can pre-bind its labels and keep the per-packet cost to one
 * call.
 */
import type { DnsTransport } from '../responder.js';

/** Things a listener counts. */
export type DnsSocketEvent =
  /** A datagram or a complete TCP message arrived. */
  | 'request'
  /** A reply was handed to the socket (including RRL slips). */
  | 'response'
  /** The responder chose not to answer (garbage, a response packet …). */
  | 'no-response'
  /** RRL replaced a UDP reply with a TC=1 stub. */
  | 'rrl-slip'
  /** RRL suppressed a UDP reply. */
  | 'rrl-drop'
  /** The client network's response byte budget replaced a UDP reply with a TC=1 stub. */
  | 'budget-slip'
  /** The client network's response byte budget suppressed a UDP reply. */
  | 'budget-drop'
  /** A socket, send or responder error (logged, never thrown). */
  | 'error'
  /** A TCP connection was accepted. */
  | 'tcp-accept'
  /** A TCP connection was closed at once because the connection cap was reached. */
  | 'tcp-reject'
  /** A TCP connection was closed for being idle. */
  | 'tcp-timeout'
  /** A TCP connection was closed for a bad frame or too many queued queries. */
  | 'tcp-protocol-error';

/** Identifies one bound socket. */
export interface DnsSocketInfo {
  readonly transport: DnsTransport;
  /** Local address the socket is bound to. */
  readonly address: string;
  readonly port: number;
}

/** Counts events of one socket. Must not throw. */
export interface DnsSocketCounter {
  count(event: DnsSocketEvent): void;
}

/** Hands out one counter per bound socket. */
export interface DnsTransportMetrics {
  socket(info: DnsSocketInfo): DnsSocketCounter;
}

const IGNORE: DnsSocketCounter = { count() {} };

/** Metrics that go nowhere (the default). */
export const NO_DNS_METRICS: DnsTransportMetrics = { socket: () => IGNORE };

/** In-memory totals per transport; for tests, diagnostics and simple exporters. */
export class CountingDnsMetrics implements DnsTransportMetrics {
  private readonly totals = {
    udp: new Map<DnsSocketEvent, number>(),
    tcp: new Map<DnsSocketEvent, number>(),
  };

  socket(info: DnsSocketInfo): DnsSocketCounter {
    const map = this.totals[info.transport];
    return { count: (event) => map.set(event, (map.get(event) ?? 0) + 1) };
  }

  /** Events of `event` counted over all sockets of `transport`. */
  get(transport: DnsTransport, event: DnsSocketEvent): number {
    return this.totals[transport].get(event) ?? 0;
  }
}
