/**
 * DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): every message is
 * preceded by its length as a 16-bit big-endian integer.
 */
import { accept, type ParseResult, reject } from '../../protocol/result.js';
import { MAX_MESSAGE_SIZE } from './constants.js';
import { check } from './errors.js';

/** `message` with its 2-octet length prefix. Throws `DnsEncodeError` for empty or >65535-octet messages. */
export function frameTcp(message: Uint8Array): Uint8Array {
  check(message.length > 0, 'cannot frame an empty DNS message');
  check(message.length <= MAX_MESSAGE_SIZE, `DNS message of ${message.length} octets`);
  const out = new Uint8Array(message.length + 2);
  out[0] = message.length >>> 8;
  out[1] = message.length & 0xff;
  out.set(message, 2);
  return out;
}

export interface DeframerOptions {
  /** Largest accepted message (default and maximum 65535). */
  maxMessageSize?: number;
}

/**
 * Incremental splitter for a TCP byte stream. Feed each received segment to
 * {@link TcpDeframer.push}; it returns the messages completed by that
 * segment, however the stream was segmented or coalesced. A zero or
 * oversize length prefix is a protocol error that desynchronises the
 * stream, so the deframer then rejects every later push: close the
 * connection.
 */
export class TcpDeframer {
  private readonly max: number;
  // Unconsumed stream octets live in buf[start, end); appends are amortised
  // so a peer dribbling one octet per segment costs linear time, not quadratic.
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  private failed: ParseResult<never> | undefined;

  constructor(options: DeframerOptions = {}) {
    this.max = Math.min(options.maxMessageSize ?? MAX_MESSAGE_SIZE, MAX_MESSAGE_SIZE);
  }

  /** Octets received but not yet part of a complete message. */
  get buffered(): number {
    return this.end - this.start;
  }

  private append(segment: Uint8Array): void {
    if (this.end + segment.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + segment.length <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        let size = Math.max(this.buf.length, 512);
        while (size < live + segment.length) size *= 2;
        const next = new Uint8Array(size);
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(segment, this.end);
    this.end += segment.length;
  }

  /** Appends `segment`; returns the complete messages (fresh copies) in stream order. */
  push(segment: Uint8Array): ParseResult<Uint8Array[]> {
    if (this.failed !== undefined) return this.failed;
    this.append(segment);
    const frames: Uint8Array[] = [];
    const buf = this.buf;
    while (this.end - this.start >= 2) {
      const len = (buf[this.start]! << 8) | buf[this.start + 1]!;
      if (len === 0 || len > this.max) {
        this.buf = new Uint8Array(0);
        this.start = this.end = 0;
        this.failed = reject(len === 0 ? 'length' : 'too-long', `TCP frame length ${len}`);
        return this.failed;
      }
      if (this.end - this.start - 2 < len) break;
      frames.push(buf.slice(this.start + 2, this.start + 2 + len));
      this.start += 2 + len;
    }
    if (this.start === this.end) this.start = this.end = 0;
    return accept(frames);
  }
}
