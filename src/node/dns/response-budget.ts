/**
 * The per-network UDP response byte budget: every UDP reply a client
 * network (IPv4 /24, IPv6 /56, as RRL groups them) receives, whatever its
 * name or kind, is paid for in octets from one token bucket per network.
 *
 * Why bytes, and why over everything: amplification is about octets. RRL
 * (`rrl.ts`) limits identical-looking responses, so an attacker spoofing a
 * victim's address and asking many different names, each drawing a
 * kilobyte, passes RRL with every query; this budget caps what all of them
 * together can aim at one network. It sits in front of RRL on the UDP
 * listener; TCP is never limited (it cannot be spoofed).
 *
 * Over budget, a reply is answered as RRL answers its excess (BIND's slip):
 * every `slip`-th limited reply of a network becomes the minimal TC=1 reply
 * (about the size of the query, so no amplification; a real resolver
 * retries over TCP at once), the others are dropped. Slips are not charged:
 * a network's full-size replies stay within `burst + rate × seconds`.
 *
 * Exempt (the caller skips this budget, as it skips RRL): replies to
 * TSIG-verified requests, UPDATE replies, and replies to requests with a
 * valid DNS Server Cookie (`server-cookies.ts`), whose source is proven.
 *
 * Memory is a fixed open-addressed table keyed by a randomly seeded hash of
 * the network; when a key's probe window is full the least recently used
 * bucket there is replaced. New buckets start with full credit only while
 * the table is calm (`table-pressure.ts`), so forcing evictions does not
 * refill a victim's budget.
 */

import { randomBytes } from 'node:crypto';
import { clientNetwork, newClientNetwork } from './client-network.js';
import { limitedAction, RrlAction } from './rrl.js';
import { liveInWindow, TablePressure } from './table-pressure.js';

/** Credit of a bucket created under pressure, and the smallest burst: one full UDP reply (RFC 9715 size). */
export const MIN_BURST_BYTES = 1232;

export interface ResponseBudgetOptions {
  /** Reply octets per second per client network; ≤ 0 disables the budget. */
  readonly bytesPerSecond: number;
  /** Octets a calm network may receive at once (default: one second's worth; at least 1232). */
  readonly burstBytes?: number;
  /** Every `slip`-th limited reply is sent as TC=1, the others dropped (0–10, default 2). */
  readonly slip?: number;
  /** IPv4 prefix length of a client network (default 24). */
  readonly ipv4PrefixLength?: number;
  /** IPv6 prefix length of a client network (default 56, at most 64). */
  readonly ipv6PrefixLength?: number;
  /** Networks tracked (rounded up to a power of two; default 16384). */
  readonly tableSize?: number;
  /** Monotonic milliseconds; injectable for tests. Default `performance.now`. */
  readonly now?: () => number;
}

/** Running totals, for metrics. */
export interface ResponseBudgetCounters {
  /** Replies sent within budget, and their octets. */
  readonly sent: number;
  readonly sentBytes: number;
  /** Over-budget replies replaced by a TC=1 reply. */
  readonly slipped: number;
  /** Over-budget replies not sent. */
  readonly dropped: number;
  /** Buckets replaced because their probe window was full. */
  readonly evicted: number;
  /** New buckets that started with little credit (`table-pressure.ts`). */
  readonly pressuredStarts: number;
}

const PROBE = 8;

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`response budget ${name} must be in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** The per-network response byte budget; one instance is shared by every UDP socket of a node. */
export class ResponseByteBudget {
  /** False when the rate is ≤ 0; callers may then skip {@link account}. */
  readonly enabled: boolean;
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
  private readonly slip: number;
  private readonly v4Bits: number;
  private readonly v6Bits: number;
  private readonly now: () => number;
  private readonly mask: number;
  private readonly seed: number;
  // Table columns; tag 0 = empty slot, otherwise 1 + address family / 2.
  private readonly tag: Uint8Array;
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly credit: Float64Array;
  private readonly seen: Float64Array;
  private readonly limitedCount: Uint32Array;
  private readonly net = newClientNetwork();
  private readonly pressure = new TablePressure();
  private counts = { sent: 0, sentBytes: 0, slipped: 0, dropped: 0, evicted: 0 };

  constructor(options: ResponseBudgetOptions) {
    const rate = options.bytesPerSecond;
    if (Number.isNaN(rate)) throw new RangeError('response budget rate must be a number');
    this.bytesPerSecond = Math.max(rate, 0);
    this.enabled = this.bytesPerSecond > 0;
    const burst = options.burstBytes ?? this.bytesPerSecond;
    checkRange('burstBytes', burst, 0, Number.MAX_SAFE_INTEGER);
    this.burstBytes = Math.max(burst, MIN_BURST_BYTES);
    this.slip = checkRange('slip', options.slip ?? 2, 0, 10);
    this.v4Bits = checkRange('ipv4PrefixLength', options.ipv4PrefixLength ?? 24, 0, 32);
    this.v6Bits = checkRange('ipv6PrefixLength', options.ipv6PrefixLength ?? 56, 0, 64);
    const wanted = checkRange('tableSize', options.tableSize ?? 16384, 1, 1 << 24);
    let size = PROBE;
    while (size < wanted) size *= 2;
    this.mask = size - 1;
    this.now = options.now ?? performance.now.bind(performance);
    this.seed = randomBytes(4).readUInt32BE(0);
    const slots = this.enabled ? size : 0;
    this.tag = new Uint8Array(slots);
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.credit = new Float64Array(slots);
    this.seen = new Float64Array(slots);
    this.limitedCount = new Uint32Array(slots);
  }

  /** Totals since construction. */
  get counters(): ResponseBudgetCounters {
    return { ...this.counts, pressuredStarts: this.pressure.pressuredStarts };
  }

  /** Charges a UDP reply of `bytes` octets to `remoteAddress`'s network and says what to send. */
  account(remoteAddress: string, bytes: number): RrlAction {
    if (!this.enabled) {
      this.counts.sent++;
      this.counts.sentBytes += bytes;
      return RrlAction.Send;
    }
    const net = this.net;
    clientNetwork(remoteAddress, this.v4Bits, this.v6Bits, net);
    const tag = 1 + (net.family >> 1);
    const h = mix(mix(mix(this.seed, tag), net.hi), net.lo) & this.mask;
    const now = this.now();

    let slot = -1;
    let empty = -1;
    let oldest = -1;
    for (let i = 0; i < PROBE; i++) {
      const s = (h + i) & this.mask;
      const t = this.tag[s]!;
      if (t === 0) {
        empty = s;
        break;
      }
      if (t === tag && this.hi[s] === net.hi && this.lo[s] === net.lo) {
        slot = s;
        break;
      }
      if (oldest < 0 || this.seen[s]! < this.seen[oldest]!) oldest = s;
    }
    if (slot < 0) {
      if (empty >= 0) {
        slot = empty;
      } else {
        slot = oldest;
        this.counts.evicted++;
        if (this.isLive(oldest, now)) this.pressure.liveEvicted(now);
      }
      const calm = !this.pressure.underPressure(now, this.liveAround(h, now), PROBE);
      this.tag[slot] = tag;
      this.hi[slot] = net.hi;
      this.lo[slot] = net.lo;
      this.credit[slot] = calm ? this.burstBytes : MIN_BURST_BYTES;
      this.seen[slot] = now;
      this.limitedCount[slot] = 0;
    }

    const elapsed = now - this.seen[slot]!;
    let credit = this.credit[slot]!;
    if (elapsed > 0) {
      credit = Math.min(this.burstBytes, credit + (elapsed * this.bytesPerSecond) / 1000);
    }
    this.seen[slot] = now;
    if (credit >= bytes) {
      this.credit[slot] = credit - bytes;
      this.counts.sent++;
      this.counts.sentBytes += bytes;
      return RrlAction.Send;
    }
    this.credit[slot] = credit;
    return limitedAction(this.limitedCount, slot, this.slip, this.counts);
  }

  /** Live buckets in the probe window that starts at `h` (only when a key is new). */
  private liveAround(h: number, now: number): number {
    return liveInWindow(h, PROBE, this.mask, this.tag, (s) => this.isLive(s, now));
  }

  /** True while the bucket in `s` has not earned its credit back to full. */
  private isLive(s: number, now: number): boolean {
    const earned = ((now - this.seen[s]!) * this.bytesPerSecond) / 1000;
    return this.credit[s]! + earned < this.burstBytes;
  }
}
