/**
 * One DNS-over-TCP connection (RFC 7766; framing RFC 1035 §4.2.2).
 *
 * Unlike the reference (one query per connection), a connection carries any
 * number of pipelined queries (RFC 7766 §6.2.1). The responder is
 * synchronous, so replies are written in query order as each message
 * completes. Back-pressure: when the socket's write buffer is full the
 * connection stops reading and keeps the already-received queries (bounded)
 * until 'drain', so a client that sends but never reads cannot make the node
 * buffer without limit; the idle timer then closes it.
 *
 * TCP is never rate limited: it is where RRL sends clients it slips.
 */
import type { Socket } from 'node:net';
import { frameTcp, MAX_MESSAGE_SIZE, TcpDeframer } from '../../../dns/index.js';
import type { DnsRequestContext, DnsResponder } from '../responder.js';
import type { DnsSocketCounter } from './metrics.js';
import type { ThrottledLog } from './throttled-log.js';

/** Settings shared by every connection of a node. */
export interface TcpConnectionSettings {
  readonly responder: DnsResponder;
  readonly log: ThrottledLog;
  /** Idle time allowed between messages once one has arrived. */
  readonly idleTimeoutMs: number;
  /**
   * Time allowed for the first complete message, idle or not: a client
   * that dribbles bytes (slowloris) is cut at this deadline, not only one
   * that falls silent.
   */
  readonly initialTimeoutMs: number;
  /** Received-but-unanswered queries held while the client is not reading. */
  readonly maxPendingQueries: number;
  /** Largest accepted query (at most 65535); a longer length prefix closes the connection. */
  readonly maxMessageBytes: number;
}

/** Errors that are a peer going away, not a fault worth a warning. */
const ROUTINE_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

export class TcpConnection {
  private readonly deframer: TcpDeframer;
  private readonly context: DnsRequestContext;
  /** Queries received while blocked on back-pressure, answered on 'drain'. */
  private pending: Uint8Array[] = [];
  private blocked = false;
  private seenMessage = false;
  private ending = false;
  private firstMessageTimer: NodeJS.Timeout | undefined;
  /** Client network key (see `client-network.ts`), for the pool's per-network cap. */
  readonly network: string;

  constructor(
    private readonly socket: Socket,
    private readonly counter: DnsSocketCounter,
    private readonly settings: TcpConnectionSettings,
    onClose: (connection: TcpConnection) => void,
    network = '',
  ) {
    this.network = network;
    this.deframer = new TcpDeframer({ maxMessageSize: settings.maxMessageBytes });
    this.context = {
      transport: 'tcp',
      remoteAddress: socket.remoteAddress ?? '',
      maxResponseBytes: MAX_MESSAGE_SIZE,
    };
    socket.setNoDelay(true);
    // Until the first message completes, `firstMessageTimer` bounds the
    // connection; the idle timeout applies from then on.
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('timeout', () => {
      counter.count('tcp-timeout');
      socket.destroy();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      counter.count('error');
      const level = ROUTINE_ERRORS.has(err.code ?? '') ? 'debug' : 'warn';
      settings.log.log(level, `tcp-${level}`, 'DNS TCP connection error', err);
    });
    socket.on('close', () => {
      clearTimeout(this.firstMessageTimer);
      onClose(this);
    });
    this.firstMessageTimer = setTimeout(() => {
      counter.count('tcp-timeout');
      socket.destroy();
    }, settings.initialTimeoutMs);
    this.firstMessageTimer.unref();
  }

  /**
   * True when nothing is in progress: no partial message buffered, no
   * query held back, not closing. Such a connection can be closed to make
   * room without losing an answer (RFC 7766 §6.2.3 lets servers close idle
   * connections).
   */
  get idle(): boolean {
    return (
      !this.ending && !this.blocked && this.pending.length === 0 && this.deframer.buffered === 0
    );
  }

  private onData(chunk: Buffer): void {
    if (this.ending) return; // shutting down: in-flight answers only
    const result = this.deframer.push(chunk);
    if (!result.ok) {
      // A zero or oversize length desynchronises the stream for good.
      this.counter.count('tcp-protocol-error');
      this.socket.destroy();
      return;
    }
    const frames = result.value;
    if (frames.length === 0) return;
    if (!this.seenMessage) {
      this.seenMessage = true;
      clearTimeout(this.firstMessageTimer);
      this.socket.setTimeout(this.settings.idleTimeoutMs);
    }
    if (this.blocked) {
      for (const frame of frames) this.pending.push(frame);
      this.checkPending();
      return;
    }
    for (let i = 0; i < frames.length; i++) {
      if (!this.answer(frames[i]!)) {
        this.block(frames, i + 1);
        return;
      }
    }
  }

  /** Answers one query; false when the write buffer is now full. */
  private answer(query: Uint8Array): boolean {
    const counter = this.counter;
    counter.count('request');
    try {
      const response = this.settings.responder.respond(query, this.context);
      if (response === undefined) {
        counter.count('no-response');
        return true;
      }
      const wire = response.wire;
      if (wire.length === 0 || wire.length > MAX_MESSAGE_SIZE) {
        counter.count('error');
        this.settings.log.log(
          'error',
          'tcp-size',
          'DNS responder produced an unframeable reply',
          undefined,
          {
            bytes: wire.length,
          },
        );
        return true;
      }
      counter.count('response');
      return this.socket.write(frameTcp(wire));
    } catch (err) {
      counter.count('error');
      this.settings.log.log('error', 'tcp-answer', 'DNS TCP query failed', err);
      return true;
    }
  }

  /** Parks `frames[from..]` and stops reading until the client catches up. */
  private block(frames: Uint8Array[], from: number): void {
    this.blocked = true;
    this.socket.pause();
    for (let i = from; i < frames.length; i++) this.pending.push(frames[i]!);
    this.checkPending();
  }

  private checkPending(): void {
    if (this.pending.length > this.settings.maxPendingQueries) {
      this.counter.count('tcp-protocol-error');
      this.socket.destroy();
    }
  }

  private onDrain(): void {
    if (!this.blocked) return;
    const queue = this.pending;
    let i = 0;
    while (i < queue.length) {
      if (!this.answer(queue[i++]!)) {
        this.pending = queue.slice(i);
        return; // still blocked; wait for the next 'drain'
      }
    }
    this.pending = [];
    this.blocked = false;
    if (this.ending) this.socket.end();
    this.socket.resume();
  }

  /**
   * Graceful close: answer what was already received, then FIN. Later
   * bytes from the client are read and ignored so its FIN is noticed.
   */
  shutdown(): void {
    if (this.ending) return;
    this.ending = true;
    if (!this.blocked) {
      this.socket.end();
      this.socket.resume();
    }
  }

  /** Immediate close (end of the graceful-close deadline). */
  destroy(): void {
    this.socket.destroy();
  }
}
