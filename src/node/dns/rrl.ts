/**
 * Response-rate limiting (RRL) for UDP, in the style of BIND 9, Knot and NSD
 * (Vixie and Schryver's 2012 ISC technical note on DNS RRL).
 *
 * Why not the reference's per-IP token bucket with silent drops: behind a
 * public resolver, many users share a handful of source addresses, and a
 * dropped reply costs each of them a resolver timeout (seconds). RRL instead
 * limits *identical-looking* responses per client network and answers a share
 * of the excess with a tiny TC=1 reply ("slip"), so a real resolver retries
 * over TCP at once, while a reflection victim (whose address is spoofed and
 * who never retries) receives only small packets. TCP is never limited here:
 * it is the escape hatch and cannot be spoofed.
 *
 * Buckets (responses are grouped as BIND does, simplified to one zone):
 * - answers (`answer`, `nodata`, `truncated`): per (network, kind, qname), so
 *   a busy resolver asking many different names is not throttled as one;
 * - `nxdomain`: per network, because the node serves one zone and BIND
 *   groups NXDOMAINs by zone (random-subdomain floods share one bucket);
 * - errors (`error`, `refused`): per network and kind;
 * - `update`: per network; UPDATE replies are small, but still counted.
 *
 * Credit model (BIND's): each bucket earns `rate` credits per second, up to
 * `rate`; every response, sent or not, spends one; a response goes out only
 * while credit is ≥ 0. Debt is floored at `rate × window`, so a sustained
 * flood is refused outright and the bucket recovers within `window` seconds
 * after it stops. `window` 0 turns this into a plain token bucket that still
 * lets `rate` responses per second through a flood.
 *
 * Memory is a fixed open-addressed table: a key lives within a short probe
 * window of its (randomly seeded) hash slot; when the window is full the
 * least recently used entry there is replaced. A new bucket starts with full
 * credit only while the table is calm; under pressure (a live bucket evicted
 * in the last second, or the probe window more than half live) it starts
 * with one response's credit, so an attacker cannot reset a limited bucket
 * by forcing its eviction (`table-pressure.ts`). No allocation per response
 * beyond what the caller passes in.
 */

import { randomBytes } from 'node:crypto';
import { clientNetwork, newClientNetwork } from './client-network.js';
import type { ResponseKind } from './responder.js';
import { liveInWindow, TablePressure } from './table-pressure.js';

/** What to do with one UDP response. */
export const RrlAction = {
  /** Send the response. */
  Send: 0,
  /** Send `response.truncated()` (TC=1) instead. */
  Slip: 1,
  /** Send nothing. */
  Drop: 2,
} as const;
export type RrlAction = (typeof RrlAction)[keyof typeof RrlAction];

/**
 * The fate of a response its bucket could not pay for (this table's and
 * the byte budget's): every `slip`-th limited response of a bucket is sent
 * truncated, the rest are dropped; `counts` says which.
 */
export function limitedAction(
  limitedCount: Uint32Array,
  slot: number,
  slip: number,
  counts: { slipped: number; dropped: number },
): RrlAction {
  const n = (limitedCount[slot]! + 1) >>> 0;
  limitedCount[slot] = n;
  if (slip > 0 && n % slip === 0) {
    counts.slipped++;
    return RrlAction.Slip;
  }
  counts.dropped++;
  return RrlAction.Drop;
}

export interface RrlOptions {
  /** Identical answers per second per client network; ≤ 0 disables RRL for answers. */
  readonly responsesPerSecond: number;
  /** NXDOMAIN responses per second per network (default: `responsesPerSecond`); ≤ 0 = unlimited. */
  readonly nxdomainsPerSecond?: number;
  /** Error responses (FORMERR, SERVFAIL, REFUSED …) per second per network (default: `responsesPerSecond`); ≤ 0 = unlimited. */
  readonly errorsPerSecond?: number;
  /**
   * Every `slip`-th rate-limited response of a bucket is sent truncated
   * (TC=1), the others dropped. 1 = always truncate, 0 = always drop.
   * Default 2.
   */
  readonly slip?: number;
  /** Seconds of debt a flood can build (0–3600, default 1); see the module comment. */
  readonly windowSeconds?: number;
  /** IPv4 prefix length of a client network (default 24). */
  readonly ipv4PrefixLength?: number;
  /** IPv6 prefix length of a client network (default 56, at most 64). */
  readonly ipv6PrefixLength?: number;
  /** Number of buckets tracked (rounded up to a power of two; default 32768). */
  readonly tableSize?: number;
  /** Monotonic milliseconds; injectable for tests. Default `performance.now`. */
  readonly now?: () => number;
}

/** Running totals, for metrics. */
export interface RrlCounters {
  /** Responses allowed through. */
  readonly sent: number;
  /** Rate-limited responses replaced by a TC=1 reply. */
  readonly slipped: number;
  /** Rate-limited responses not sent at all. */
  readonly dropped: number;
  /** Buckets replaced because their probe window was full. */
  readonly evicted: number;
}

// Rate classes (index into `rates`); the class is also part of the key.
const ANSWER = 0;
const NXDOMAIN = 1;
const ERROR = 2;
const UPDATE = 3;
const PROBE = 8;

function classOf(kind: ResponseKind): number {
  switch (kind) {
    case 'nxdomain':
      return NXDOMAIN;
    case 'error':
    case 'refused':
      return ERROR;
    case 'update':
      return UPDATE;
    default:
      return ANSWER;
  }
}

// Distinguishes `error` from `refused` inside the error class, as BIND does.
function subkindOf(kind: ResponseKind): number {
  switch (kind) {
    case 'nodata':
      return 1;
    case 'truncated':
      return 2;
    case 'refused':
      return 3;
    default:
      return 0;
  }
}

/** FNV-1a over UTF-16 code units. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`RRL ${name} must be in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** Response-rate limiter; one instance is shared by every UDP socket of a node. */
export class ResponseRateLimiter {
  /** False when every rate is ≤ 0; callers may then skip {@link account}. */
  readonly enabled: boolean;
  private readonly rates: Float64Array;
  private readonly slip: number;
  private readonly window: number;
  private readonly v4Bits: number;
  private readonly v6Bits: number;
  private readonly now: () => number;
  private readonly mask: number;
  // Table columns. tag 0 = empty slot; otherwise 1 + (class, subkind, family) packed.
  private readonly tag: Uint16Array;
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly names: (string | undefined)[];
  private readonly credit: Float64Array;
  private readonly seen: Float64Array;
  private readonly limitedCount: Uint32Array;
  private readonly net = newClientNetwork();
  private readonly seed = randomBytes(4).readUInt32BE(0);
  private readonly pressure = new TablePressure();
  private counts = { sent: 0, slipped: 0, dropped: 0, evicted: 0 };

  constructor(options: RrlOptions) {
    const answers = options.responsesPerSecond;
    this.rates = new Float64Array(4);
    this.rates[ANSWER] = answers;
    this.rates[NXDOMAIN] = options.nxdomainsPerSecond ?? answers;
    this.rates[ERROR] = options.errorsPerSecond ?? answers;
    this.rates[UPDATE] = answers;
    for (let i = 0; i < 4; i++) {
      const r = this.rates[i]!;
      if (Number.isNaN(r)) throw new RangeError('RRL rate must be a number');
      if (!(r > 0)) this.rates[i] = 0;
    }
    this.enabled = this.rates.some((r) => r > 0);
    this.slip = checkRange('slip', options.slip ?? 2, 0, 10);
    this.window = checkRange('windowSeconds', options.windowSeconds ?? 1, 0, 3600);
    this.v4Bits = checkRange('ipv4PrefixLength', options.ipv4PrefixLength ?? 24, 0, 32);
    this.v6Bits = checkRange('ipv6PrefixLength', options.ipv6PrefixLength ?? 56, 0, 64);
    const wanted = checkRange('tableSize', options.tableSize ?? 32768, 1, 1 << 24);
    let size = PROBE;
    while (size < wanted) size *= 2;
    this.mask = size - 1;
    this.now = options.now ?? performance.now.bind(performance);
    const slots = this.enabled ? size : 0;
    this.tag = new Uint16Array(slots);
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.names = new Array<string | undefined>(slots).fill(undefined);
    this.credit = new Float64Array(slots);
    this.seen = new Float64Array(slots);
    this.limitedCount = new Uint32Array(slots);
  }

  /** Totals since construction. */
  get counters(): RrlCounters {
    return { ...this.counts };
  }

  /** New buckets that started with one response's credit (table under pressure). */
  get pressuredStarts(): number {
    return this.pressure.pressuredStarts;
  }

  /**
   * Accounts one UDP response of `kind` (and lower-cased `qname`, when the
   * request had a question) to `remoteAddress` and says what to send.
   */
  account(remoteAddress: string, kind: ResponseKind, qname: string | undefined): RrlAction {
    const cls = classOf(kind);
    const rate = this.rates[cls]!;
    if (rate === 0) {
      this.counts.sent++;
      return RrlAction.Send;
    }
    const net = this.net;
    clientNetwork(remoteAddress, this.v4Bits, this.v6Bits, net);
    // Only answers are told apart by name (see the module comment).
    const name = cls === ANSWER ? qname : undefined;
    const tag = 1 + ((cls << 4) | (subkindOf(kind) << 2) | (net.family >> 1));
    let h = mix(
      mix(mix(mix(this.seed, tag), net.hi), net.lo),
      name === undefined ? 0 : hashName(name),
    );
    h &= this.mask;

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
      if (t === tag && this.hi[s] === net.hi && this.lo[s] === net.lo && this.names[s] === name) {
        slot = s;
        break;
      }
      if (oldest < 0 || this.seen[s]! < this.seen[oldest]!) oldest = s;
    }
    if (slot < 0) {
      if (empty < 0) {
        this.counts.evicted++;
        if (this.isLive(oldest, now)) this.pressure.liveEvicted(now);
      }
      const full = !this.pressure.underPressure(now, this.liveAround(h, now), PROBE);
      slot = this.claim(empty >= 0 ? empty : oldest, tag, name, full ? rate : 0, now);
    }

    const elapsed = now - this.seen[slot]!;
    let credit = this.credit[slot]!;
    // Burst of at least one, so rates below 1/s still let a response through now and then.
    if (elapsed > 0) credit = Math.min(Math.max(rate, 1), credit + (elapsed * rate) / 1000);
    this.seen[slot] = now;
    credit -= 1;
    const floor = -rate * this.window;
    if (credit >= 0) {
      this.credit[slot] = credit;
      this.counts.sent++;
      return RrlAction.Send;
    }
    this.credit[slot] = Math.max(credit, floor);
    return limitedAction(this.limitedCount, slot, this.slip, this.counts);
  }

  /** Live buckets in the probe window that starts at `h` (only when a key is new). */
  private liveAround(h: number, now: number): number {
    return liveInWindow(h, PROBE, this.mask, this.tag, (s) => this.isLive(s, now));
  }

  /** True while the bucket in `s` has not earned its credit back to full. */
  private isLive(s: number, now: number): boolean {
    const rate = this.rates[(this.tag[s]! - 1) >> 4]!;
    return this.credit[s]! + ((now - this.seen[s]!) * rate) / 1000 < Math.max(rate, 1);
  }

  /** Puts a fresh bucket for the current key into slot `s`, with `credit` (at least one response). */
  private claim(s: number, tag: number, name: string | undefined, credit: number, now: number) {
    this.tag[s] = tag;
    this.hi[s] = this.net.hi;
    this.lo[s] = this.net.lo;
    this.names[s] = name;
    this.credit[s] = Math.max(credit, 1);
    this.seen[s] = now;
    this.limitedCount[s] = 0;
    return s;
  }
}
