/**
 * The heartbeat worker (node spec §6.5), DNS-native: each tick (the first
 * at start, then every interval)
 *
 * 1. signs this node's heartbeat and publishes it at
 *    `_dnsmesh-heartbeat.<zone>` in the node's own store, replacing the one
 *    it published before (on the first tick, every older wire signed by
 *    this operator is removed there too; other signers' wires are kept);
 * 2. harvests `_dnsmesh-heartbeat.<z>` and `_dnsmesh-seen.<z>` for the seed
 *    zones, the public seed lists' zones (`public-seeds.ts`) and the zones
 *    of heartbeats already seen (`harvest-zones.ts`)
 *    through the configured resolvers, at most 20 values per RRset, this
 *    operator's own wires skipped, the rest through the seen-store's rules;
 *    a zone that gave nothing is skipped on the next tick;
 * 3. publishes `_dnsmesh-seen.<zone>`: the freshest unexpired wire of each
 *    other operator, at most `gossipLimit` (≤ 50), replacing what it
 *    published before (on the first tick, stale wires of those operators
 *    and this operator's are removed too).
 *
 * Nothing thrown escapes the timer; a tick never overlaps the previous one.
 */
import type { TxtReader } from '../../dns/client/txt-reader.js';
import { bytesEqual, toHex } from '../../protocol/bytes.js';
import { ed25519PublicKey } from '../../protocol/crypto/ed25519.js';
import {
  CAP_CLAIM_PROVIDER,
  parseAndVerifyHeartbeat,
  signHeartbeat,
} from '../../protocol/records/heartbeat-record.js';
import { heartbeatRrsetName, seenRrsetName } from '../../protocol/records/operator-names.js';
import type { Logger } from '../log.js';
import type { SeenHeartbeat, SqliteSeenStore } from '../store/sqlite/heartbeat-seen-store.js';
import type { RecordStore } from '../store/types.js';
import { harvestZones } from './harvest-zones.js';
import type { PublicSeeds } from './public-seeds.js';

/** The spec's cap on `_dnsmesh-seen` wires. */
export const MAX_GOSSIP_WIRES = 50;
/** Values taken from one harvested RRset. */
export const MAX_VALUES_PER_RRSET = 20;
/** Zones harvested at once. */
const HARVEST_CONCURRENCY = 4;

export interface HeartbeatWorkerOptions {
  readonly records: Pick<RecordStore, 'query' | 'publish' | 'delete'>;
  readonly seen: SqliteSeenStore;
  /** Reads peers' RRsets (the harvest resolvers). */
  readonly reader: TxtReader;
  /** The served zone. */
  readonly zone: string;
  readonly selfEndpoint: string;
  readonly operatorSeed: Uint8Array;
  readonly version: string;
  /** Advertise `CAP_CLAIM_PROVIDER` (UPDATE enabled and claim provider on). */
  readonly claimProvider: boolean;
  readonly ttlSeconds: number;
  readonly intervalMs: number;
  readonly seeds: readonly string[];
  /** Zones of the public seed lists, harvested after `seeds`. */
  readonly publicSeeds?: Pick<PublicSeeds, 'zones' | 'maybeRefresh' | 'stop'> | undefined;
  readonly maxPeers: number;
  readonly gossipLimit: number;
  /** Unix seconds. */
  readonly now: () => number;
  readonly log: Logger;
}

/** Signs, harvests and gossips heartbeats on a timer. */
export class HeartbeatWorker {
  private readonly o: HeartbeatWorkerOptions;
  private readonly operatorSpk: Uint8Array;
  private readonly operatorSpkHex: string;
  private readonly gossipLimit: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private firstTick = true;
  private lastOwnWire: string | undefined;
  private lastSeenWires = new Set<string>();
  /** Zones that gave no accepted wire last tick (skipped once). */
  private cooldown = new Set<string>();
  private readonly abort = new AbortController();

  constructor(options: HeartbeatWorkerOptions) {
    this.o = options;
    this.operatorSpk = ed25519PublicKey(options.operatorSeed);
    this.operatorSpkHex = toHex(this.operatorSpk);
    this.gossipLimit = Math.max(0, Math.min(MAX_GOSSIP_WIRES, Math.floor(options.gossipLimit)));
    // Sign once now so a bad endpoint or version fails at start, not in the timer.
    this.sign(options.now());
  }

  /** The operator key, hex. */
  get operatorKeyHex(): string {
    return this.operatorSpkHex;
  }

  /** Runs the first tick now and schedules the rest. */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  /** Stops the timer and waits for a running tick. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await Promise.all([this.running, this.o.publicSeeds?.stop()]);
  }

  /** One tick; a tick still running is awaited instead of starting another. */
  tick(): Promise<void> {
    if (this.running !== undefined) return this.running;
    this.running = this.runTick()
      .catch((err) => this.o.log.error({ err: String(err) }, 'heartbeat tick failed'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private sign(now: number): string {
    return signHeartbeat(
      {
        endpoint: this.o.selfEndpoint,
        version: this.o.version,
        capabilities: this.o.claimProvider ? CAP_CLAIM_PROVIDER : 0,
        claimProviderZone: this.o.zone,
        ts: now,
        exp: now + this.o.ttlSeconds,
      },
      this.o.operatorSeed,
    );
  }

  private async runTick(): Promise<void> {
    const first = this.firstTick;
    this.firstTick = false;
    this.publishSelf(first);
    await this.harvest();
    if (this.stopped) return;
    this.publishSeen(first);
  }

  /** The verified heartbeat in `value` at any age, or undefined. */
  private parseAnyAge(value: string, now: number) {
    const r = parseAndVerifyHeartbeat(value, { now, tsSkewSeconds: Number.POSITIVE_INFINITY });
    return r.ok ? r.value : undefined;
  }

  private publishSelf(first: boolean): void {
    const now = this.o.now();
    const name = heartbeatRrsetName(this.o.zone);
    if (first) {
      for (const value of this.o.records.query(name, now)) {
        const hb = this.parseAnyAge(value, now);
        if (hb !== undefined && bytesEqual(hb.operatorSpk, this.operatorSpk)) {
          this.o.records.delete(name, value);
        }
      }
    }
    if (this.lastOwnWire !== undefined) this.o.records.delete(name, this.lastOwnWire);
    const wire = this.sign(now);
    this.o.records.publish(name, wire, this.o.ttlSeconds, now);
    this.lastOwnWire = wire;
  }

  private async harvest(): Promise<void> {
    const now = this.o.now();
    this.o.seen.sweep(now);
    // In the background: the lists fetched now count from the next tick.
    void this.o.publicSeeds?.maybeRefresh(now);
    const zones = harvestZones(
      this.o.zone,
      [...this.o.seeds, ...(this.o.publicSeeds?.zones() ?? [])],
      this.o.seen.listRecent(2 * this.o.maxPeers, now),
      this.o.maxPeers,
    );
    const due = zones.filter((z) => !this.cooldown.has(z));
    const nextCooldown = new Set<string>();
    let index = 0;
    const workers = Array.from({ length: Math.min(HARVEST_CONCURRENCY, due.length) }, async () => {
      while (index < due.length && !this.stopped) {
        const zone = due[index++]!;
        const accepted = await this.harvestZone(zone);
        if (accepted === 0) nextCooldown.add(zone);
      }
    });
    await Promise.all(workers);
    this.cooldown = nextCooldown;
  }

  /** Harvests one zone; returns the number of wires the seen-store accepted. */
  private async harvestZone(zone: string): Promise<number> {
    let accepted = 0;
    for (const name of [heartbeatRrsetName(zone), seenRrsetName(zone)]) {
      const answer = await this.o.reader.readTxt(name, { signal: this.abort.signal });
      if (answer.status !== 'found') {
        if (answer.status === 'error') {
          this.o.log.debug({ zone, err: answer.error.message }, 'heartbeat harvest failed');
        }
        continue;
      }
      const now = this.o.now();
      for (const value of answer.values.slice(0, MAX_VALUES_PER_RRSET)) {
        const hb = this.parseAnyAge(value, now);
        if (hb === undefined || bytesEqual(hb.operatorSpk, this.operatorSpk)) continue;
        const r = this.o.seen.accept(value, now, zone);
        if (r.accepted) accepted++;
        else this.o.log.debug({ zone, reason: r.reason }, 'heartbeat refused');
      }
    }
    return accepted;
  }

  private publishSeen(first: boolean): void {
    const now = this.o.now();
    const name = seenRrsetName(this.o.zone);
    const set = this.o.seen.listForGossip(this.gossipLimit, now, this.operatorSpkHex);
    const wires = new Set(set.map((row) => row.wire));
    if (first) {
      const current = new Map(set.map((row) => [`${row.operatorSpkHex} ${row.endpoint}`, row]));
      for (const value of this.o.records.query(name, now)) {
        if (wires.has(value)) continue;
        const hb = this.parseAnyAge(value, now);
        if (hb === undefined) continue;
        const spkHex = toHex(hb.operatorSpk);
        const newer: SeenHeartbeat | undefined = current.get(`${spkHex} ${hb.endpoint}`);
        if (spkHex === this.operatorSpkHex || newer !== undefined) {
          this.o.records.delete(name, value);
        }
      }
    }
    for (const old of this.lastSeenWires) {
      if (!wires.has(old)) this.o.records.delete(name, old);
    }
    for (const row of set) {
      // Never longer than the wire itself lives.
      const ttl = Math.max(1, Math.min(this.o.ttlSeconds, row.exp - now));
      this.o.records.publish(name, row.wire, ttl, now);
    }
    this.lastSeenWires = wires;
  }
}
