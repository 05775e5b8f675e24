/**
 * Test doubles and real-socket clients for the DNS transport tests: a stub
 * responder whose behaviour is chosen by the query name, and UDP/TCP
 * clients with bounded waits.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { pino } from 'pino';
import {
  type DnsMessage,
  decodeMessage,
  encodeMessage,
  frameTcp,
  makeHeader,
  TcpDeframer,
} from '../../../../src/dns/index.js';
import type {
  DnsRequestContext,
  DnsResponder,
  DnsResponse,
  ResponseKind,
} from '../../../../src/node/dns/responder.js';
import type { Logger } from '../../../../src/node/log.js';

export const silentLogger: Logger = pino({ level: 'silent' });

/** Builds a query for `name` (type TXT). */
export function query(name: string, id = 1): Uint8Array {
  return encodeMessage({
    header: makeHeader({ id, rd: true }),
    questions: [{ name, type: 16, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
  });
}

export function decode(wire: Uint8Array): DnsMessage {
  const res = decodeMessage(wire);
  if (!res.ok) throw new Error(`undecodable reply: ${res.detail}`);
  return res.value;
}

function reply(q: DnsMessage, tc: boolean): Uint8Array {
  return encodeMessage({
    header: makeHeader({ id: q.header.id, qr: true, aa: !tc, tc, rd: q.header.rd }),
    questions: q.questions,
    answers: [],
    authorities: [],
    additionals: [],
  });
}

/**
 * Echo-ish responder. Name prefixes pick the behaviour: `nx.` NXDOMAIN kind,
 * `silent.` no reply, `throw.` throws, `view.` reply as a view into a larger
 * buffer, `big.` a 60000-octet reply (the real reply followed by padding,
 * so the ID still identifies it), `auth.` a reply marked TSIG-authenticated,
 * `upd.` a reply of kind `update`. Anything undecodable gets no reply.
 * Records every context it saw.
 */
export class StubResponder implements DnsResponder {
  readonly contexts: DnsRequestContext[] = [];

  respond(request: Uint8Array, context: DnsRequestContext): DnsResponse | undefined {
    this.contexts.push(context);
    const res = decodeMessage(request);
    if (!res.ok || res.value.header.qr) return undefined;
    const q = res.value;
    const qname = q.questions[0]?.name.toLowerCase();
    let kind: ResponseKind = 'answer';
    if (qname?.startsWith('silent.')) return undefined;
    if (qname?.startsWith('throw.')) throw new Error('stub responder failure');
    if (qname?.startsWith('nx.')) kind = 'nxdomain';
    if (qname?.startsWith('upd.')) kind = 'update';
    let wire = reply(q, false);
    if (qname?.startsWith('view.')) {
      const big = new Uint8Array(wire.length + 100).fill(0xee);
      big.set(wire, 50);
      wire = big.subarray(50, 50 + wire.length);
    } else if (qname?.startsWith('big.')) {
      const big = new Uint8Array(60_000);
      big.set(wire);
      wire = big;
    }
    return {
      wire,
      rcode: kind === 'nxdomain' ? 3 : 0,
      kind,
      qname,
      authenticated: qname?.startsWith('auth.') ?? false,
      truncated: () => reply(q, true),
    };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 5 ms for at most `timeoutMs` (generous: it only bounds a failing test). */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/**
 * Waits until `read()` is positive and has not changed for `quietMs`: the
 * other side has stopped making progress (for example, blocked on TCP
 * back-pressure). Bounded by `timeoutMs`.
 */
export async function waitForSteady(
  read: () => number,
  quietMs = 200,
  timeoutMs = 10_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = read();
  let since = Date.now();
  while (last === 0 || Date.now() - since < quietMs) {
    if (Date.now() > until) throw new Error('value did not settle in time');
    await sleep(10);
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

/** A UDP client socket bound to `localAddress`, collecting every datagram it receives. */
export class UdpClient {
  readonly received: Buffer[] = [];
  private constructor(readonly socket: UdpSocket) {
    socket.on('message', (msg) => this.received.push(msg));
  }

  static async open(localAddress: string): Promise<UdpClient> {
    const socket = createSocket(localAddress.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, localAddress, () => resolve());
    });
    return new UdpClient(socket);
  }

  send(wire: Uint8Array, port: number, address: string): void {
    this.socket.send(wire, port, address);
  }

  /** Sends one query and waits (bounded) for the next datagram. */
  async ask(wire: Uint8Array, port: number, address: string, timeoutMs = 10_000): Promise<Buffer> {
    const before = this.received.length;
    this.send(wire, port, address);
    await waitFor(() => this.received.length > before, timeoutMs);
    return this.received[before]!;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A TCP client collecting the DNS messages it receives and noticing the close. */
export class TcpClient {
  readonly messages: Uint8Array[] = [];
  closed = false;
  private readonly deframer = new TcpDeframer();

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      const res = this.deframer.push(chunk);
      if (!res.ok) throw new Error(res.detail);
      this.messages.push(...res.value);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static async open(port: number, host: string): Promise<TcpClient> {
    const socket = connect({ port, host, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => resolve());
    });
    return new TcpClient(socket);
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Sends one framed query and waits (bounded) for one more reply. */
  async ask(wire: Uint8Array, timeoutMs = 10_000): Promise<Uint8Array> {
    const before = this.messages.length;
    this.write(frameTcp(wire));
    await waitFor(() => this.messages.length > before, timeoutMs);
    return this.messages[before]!;
  }

  waitClosed(timeoutMs = 10_000): Promise<void> {
    return waitFor(() => this.closed, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
