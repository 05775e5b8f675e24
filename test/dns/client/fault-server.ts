/**
 * In-test DNS server on 127.0.0.1 (UDP and TCP on one port) whose every
 * reply is chosen by a handler, for fault injection: dead, slow, lying,
 * truncating, spoofing and garbage-sending servers. Every timer and socket
 * it creates is released by `close()`.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { DnsServer } from '../../../src/dns/client/server-address.js';
import { RRClass, RRType } from '../../../src/dns/wire/constants.js';
import { makeHeader } from '../../../src/dns/wire/header.js';
import {
  type DnsMessage,
  type DnsRecord,
  decodeMessage,
  encodeMessage,
} from '../../../src/dns/wire/message.js';
import { TcpDeframer } from '../../../src/dns/wire/tcp.js';
import { utf8 } from '../../../src/protocol/bytes.js';

/** What the server does with one request. */
export type FaultAction =
  /** Encode and send a message. */
  | { kind: 'reply'; message: DnsMessage }
  /** Send octets as one datagram / one length-prefixed TCP frame (empty allowed on TCP). */
  | { kind: 'raw'; wire: Uint8Array }
  /** Send octets as they are: a datagram on UDP, unframed stream bytes on TCP. */
  | { kind: 'bytes'; data: Uint8Array }
  /** UDP only: send from another socket (a different source port), as an off-path spoofer would. */
  | { kind: 'spoof'; wire: Uint8Array }
  | { kind: 'delay'; ms: number; action: FaultAction }
  /** TCP only: close the connection. */
  | { kind: 'close' }
  | { kind: 'drop' };

export interface FaultRequest {
  readonly protocol: 'udp' | 'tcp';
  readonly wire: Uint8Array;
  /** Undefined when the request did not decode. */
  readonly message: DnsMessage | undefined;
  /** Client source port. */
  readonly port: number;
}

export type FaultHandler = (request: FaultRequest) => FaultAction | FaultAction[];

/** A reply to `query` with the question echoed and the given fields. */
export function answerTo(
  query: DnsMessage,
  init: {
    answers?: DnsRecord[];
    authorities?: DnsRecord[];
    additionals?: DnsRecord[];
    rcode?: number;
    tc?: boolean;
    ad?: boolean;
    id?: number;
  } = {},
): DnsMessage {
  return {
    header: makeHeader({
      id: init.id ?? query.header.id,
      qr: true,
      opcode: query.header.opcode,
      aa: true,
      rd: query.header.rd,
      ra: true,
      tc: init.tc ?? false,
      ad: init.ad ?? false,
      rcode: init.rcode ?? 0,
    }),
    questions: query.questions,
    answers: init.answers ?? [],
    authorities: init.authorities ?? [],
    additionals: init.additionals ?? [],
  };
}

/** A TXT record carrying `strings` as separate character-strings. */
export function txtRecord(name: string, ...strings: (string | Uint8Array)[]): DnsRecord {
  return {
    name,
    type: RRType.TXT,
    class: RRClass.IN,
    ttl: 60,
    data: { kind: 'TXT', strings: strings.map((s) => (typeof s === 'string' ? utf8(s) : s)) },
  };
}

function decoded(wire: Uint8Array): DnsMessage | undefined {
  const res = decodeMessage(wire);
  return res.ok ? res.value : undefined;
}

function frame(wire: Uint8Array): Uint8Array {
  const out = new Uint8Array(wire.length + 2);
  out[0] = wire.length >>> 8;
  out[1] = wire.length & 0xff;
  out.set(wire, 2);
  return out;
}

export class FaultServer {
  readonly requests: FaultRequest[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly connections = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly udp: UdpSocket,
    private readonly spoofer: UdpSocket,
    private readonly tcp: Server,
    public handler: FaultHandler,
  ) {
    udp.on('message', (msg, rinfo) => this.onDatagram(new Uint8Array(msg), rinfo));
    tcp.on('connection', (socket) => this.onConnection(socket));
  }

  get server(): DnsServer {
    return { host: '127.0.0.1', port: this.port };
  }

  /** Binds TCP to an ephemeral port, then UDP to the same one (bounded retries). */
  static async start(handler: FaultHandler): Promise<FaultServer> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const tcp = createServer();
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(0, '127.0.0.1', () => resolve());
      });
      const port = (tcp.address() as { port: number }).port;
      const udp = createSocket('udp4');
      const bound = await new Promise<boolean>((resolve) => {
        udp.once('error', () => resolve(false));
        udp.bind(port, '127.0.0.1', () => resolve(true));
      });
      if (!bound) {
        udp.close();
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
        continue;
      }
      const spoofer = createSocket('udp4');
      await new Promise<void>((resolve) => spoofer.bind(0, '127.0.0.1', () => resolve()));
      return new FaultServer(port, udp, spoofer, tcp, handler);
    }
    throw new Error('could not bind a UDP+TCP port pair on 127.0.0.1');
  }

  /** Requests received over `protocol`. */
  seen(protocol: 'udp' | 'tcp'): FaultRequest[] {
    return this.requests.filter((r) => r.protocol === protocol);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private actions(request: FaultRequest): FaultAction[] {
    this.requests.push(request);
    const out = this.handler(request);
    return Array.isArray(out) ? out : [out];
  }

  private onDatagram(wire: Uint8Array, rinfo: RemoteInfo): void {
    const request = { protocol: 'udp' as const, wire, message: decoded(wire), port: rinfo.port };
    const perform = (action: FaultAction): void => {
      switch (action.kind) {
        case 'reply':
          this.udp.send(encodeMessage(action.message), rinfo.port, rinfo.address);
          return;
        case 'raw':
          this.udp.send(action.wire, rinfo.port, rinfo.address);
          return;
        case 'bytes':
          this.udp.send(action.data, rinfo.port, rinfo.address);
          return;
        case 'spoof':
          this.spoofer.send(action.wire, rinfo.port, rinfo.address);
          return;
        case 'delay':
          this.later(action.ms, () => perform(action.action));
          return;
        case 'close':
        case 'drop':
          return;
      }
    };
    for (const action of this.actions(request)) perform(action);
  }

  private onConnection(socket: Socket): void {
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    const deframer = new TcpDeframer();
    const perform = (action: FaultAction): void => {
      if (socket.destroyed) return;
      switch (action.kind) {
        case 'reply':
          socket.write(frame(encodeMessage(action.message)));
          return;
        case 'raw':
          socket.write(frame(action.wire));
          return;
        case 'bytes':
        case 'spoof':
          socket.write(action.kind === 'bytes' ? action.data : frame(action.wire));
          return;
        case 'delay':
          this.later(action.ms, () => perform(action.action));
          return;
        case 'close':
          socket.end();
          return;
        case 'drop':
          return;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      const pushed = deframer.push(new Uint8Array(chunk));
      if (!pushed.ok) {
        socket.destroy();
        return;
      }
      for (const wire of pushed.value) {
        const request = {
          protocol: 'tcp' as const,
          wire,
          message: decoded(wire),
          port: socket.remotePort ?? 0,
        };
        for (const action of this.actions(request)) perform(action);
      }
    });
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.connections) c.destroy();
    this.udp.close();
    this.spoofer.close();
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }
}

/** A loopback port with nothing listening on UDP or TCP (bound briefly, then released). */
export async function deadPort(): Promise<number> {
  const tcp = createServer();
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
  const port = (tcp.address() as { port: number }).port;
  await new Promise<void>((resolve) => tcp.close(() => resolve()));
  return port;
}
