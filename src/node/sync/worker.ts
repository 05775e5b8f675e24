/**
 * The anti-entropy worker (node spec §5.4): pulls what its cluster peers
 * hold and it does not, through their `/v1/sync/digest` and
 * `/v1/sync/pull` routes, re-verifies every value (§5.5, `verify-record.ts`)
 * and stores it with the TTL the peer reports. A peer can add values, never
 * remove them: deletes do not replicate.
 *
 * What reference peers see is the reference's protocol; how this worker
 * uses it differs where that is better:
 * - every peer is visited at start, then one interval after its previous
 *   visit ended — each peer on its own schedule, so a slow peer delays no
 *   other, and visits to one peer never overlap;
 * - within a visit the worker follows `has_more` until caught up, blocked,
 *   or out of its time budget — the reference reads one page of one peer
 *   per tick, round-robin;
 * - a page's pulls go out in batches (bounded concurrency, bodies small
 *   enough for the peer's 16 KiB limit) and each batch is stored in one
 *   transaction;
 * - a failing peer is retried after an exponentially growing pause;
 * - the peer list can be replaced while running (`setPeers`, after a
 *   manifest gossip install): watermarks carry over by the §5.6 rules;
 * - a value whose owner lies outside the served zone is never pulled (this
 *   node would never serve it), counted as `off-zone` and treated as handled.
 * - every call has a deadline and a response size cap, and a page is read
 *   up to the requested limit only, so a stalled or flooding peer costs one
 *   timeout or one capped read.
 */

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { isSubdomain } from '../../dns/wire/name.js';
import { normalizeOwnerName } from '../store/normalize.js';
import type { RecordStore, RecordSyncSource, StoreOp, SyncCursor } from '../store/types.js';
import { CURSOR_START, compareCursors, formatCursor } from './cursor.js';
import { NO_SYNC_METRICS, type SyncMetrics } from './metrics.js';
import { callPeer } from './peer-client.js';
import { type SyncPeer, watermarkDonor } from './peers.js';
import {
  advanceWatermark,
  cursorOfEntry,
  type DigestEntry,
  type LocalHashes,
  MAX_ENTRY_TTL,
  pageEntries,
  pairKey,
  planPage,
} from './plan.js';
import { verifyPulledValue } from './verify-record.js';

/** Tunables of {@link AntiEntropyWorker}; all but the first five have defaults. */
export interface AntiEntropyOptions {
  readonly store: RecordStore & RecordSyncSource;
  readonly peers: readonly SyncPeer[];
  /** `DMP_SYNC_PEER_TOKEN`. */
  readonly token: string;
  readonly intervalMs: number;
  readonly log: Logger;
  readonly metrics?: SyncMetrics | undefined;
  /** The served zone: values at owners outside it are not pulled. Unset ⇒ no such check. */
  readonly zone?: string | undefined;
  /** Pinned cluster operator key (`DMP_SYNC_OPERATOR_SPK`). */
  readonly operatorSpk?: Uint8Array | undefined;
  /** Wall clock, Unix ms. */
  readonly clockMs?: () => number;
  /** Digest page size asked for (default 1000, the reference's). */
  readonly digestLimit?: number;
  /** Names per pull request (default 256, the reference's maximum; bodies stay < 15 kB). */
  readonly pullNames?: number;
  /** Pull requests in flight per peer (default 4). */
  readonly pullConcurrency?: number;
  /** Deadline of one call, headers and body (default 5 s). */
  readonly timeoutMs?: number;
  /** Largest digest response read (default 4 MiB). */
  readonly maxDigestBytes?: number;
  /** Largest pull response read (default 16 MiB). */
  readonly maxPullBytes?: number;
  /** Time one peer may take in one tick before the rest waits for the next (default 30 s). */
  readonly tickBudgetMs?: number;
  /** Longest pause before retrying a failing peer (default 60 s). */
  readonly maxBackoffMs?: number;
  /** Run after each visit that reached the peer (manifest gossip, node spec §5.6); must not throw. */
  readonly afterVisit?: ((peer: SyncPeer, signal: AbortSignal) => Promise<unknown>) | undefined;
}

/** What the worker knows about one peer. */
interface PeerState {
  watermark: SyncCursor;
  failures: number;
  /** Clock ms before which the peer is not contacted. */
  retryAt: number;
  /** A visit is under way (visits to one peer never overlap). */
  busy: boolean;
}

const freshState = (watermark: SyncCursor = CURSOR_START): PeerState => ({
  watermark,
  failures: 0,
  retryAt: 0,
  busy: false,
});

/** One page's pulls: stop after a 429; re-queue a batch split in two. */
interface PageState {
  readonly st: PeerState;
  throttled: boolean;
  requeue(batch: ReadonlyMap<string, ReadonlySet<string>>): void;
}

/** JSON text of a pull body must stay under the peer's 16 KiB request limit. */
const MAX_PULL_BODY_BYTES = 15_000;

/** Pull-record checks and the metrics reasons they map to. */
const HANDLED_REFUSALS = new Set(['not-replicable', 'misplaced']);

export class AntiEntropyWorker {
  private readonly o: Required<
    Omit<AntiEntropyOptions, 'operatorSpk' | 'afterVisit' | 'zone' | 'peers'>
  > & {
    operatorSpk: Uint8Array | undefined;
    afterVisit: AntiEntropyOptions['afterVisit'];
    zone: string | undefined;
  };
  private peerList: readonly SyncPeer[] = [];
  private readonly state = new Map<string, PeerState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private abort = new AbortController();
  /** Between start() and stop(): ticks are scheduled. */
  private started = false;
  /** Set by stop(): loops end and calls are aborted. */
  private stopping = false;

  constructor(options: AntiEntropyOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
    this.o = {
      metrics: NO_SYNC_METRICS,
      clockMs: Date.now,
      digestLimit: 1000,
      pullNames: 256,
      pullConcurrency: 4,
      timeoutMs: 5000,
      maxDigestBytes: 4 * 1024 * 1024,
      maxPullBytes: 16 * 1024 * 1024,
      tickBudgetMs: 30_000,
      maxBackoffMs: 60_000,
      ...options,
      operatorSpk: options.operatorSpk,
      zone: options.zone,
    } as AntiEntropyWorker['o'];
    this.setPeers(options.peers);
  }

  /** The peers now synced with. */
  get peers(): readonly SyncPeer[] {
    return this.peerList;
  }

  /**
   * Replaces the peer list (node spec §5.6 step 4, after a manifest install;
   * the caller has dropped this node). Peers are de-duplicated by id, the
   * first entry winning. A peer keeps its watermark and backoff when its id
   * and endpoint are unchanged, and its watermark when only a URL-made id
   * became a manifest's node id; any other peer starts from `0::`. Removed
   * peers are forgotten: no further visit, no backoff kept (a visit already
   * under way finishes). New peers are visited at once when running.
   */
  setPeers(peers: readonly SyncPeer[]): void {
    const old = this.peerList;
    const next: SyncPeer[] = [];
    const states = new Map<string, PeerState>();
    for (const peer of peers) {
      if (states.has(peer.id)) continue;
      const donor = watermarkDonor(old, peer);
      const st = donor === undefined ? undefined : this.state.get(donor.id);
      // Same id: the same state (a visit under way keeps it up to date).
      // A renamed peer gets a copy of the watermark as it stands now.
      if (st === undefined) states.set(peer.id, freshState());
      else states.set(peer.id, donor!.id === peer.id ? st : freshState(st.watermark));
      next.push({ id: peer.id, url: peer.url });
    }
    for (const id of this.timers.keys()) {
      if (!states.has(id)) {
        clearTimeout(this.timers.get(id));
        this.timers.delete(id);
      }
    }
    this.state.clear();
    for (const [id, st] of states) this.state.set(id, st);
    this.peerList = next;
    if (!this.started) return;
    for (const peer of next) {
      if (!this.timers.has(peer.id) && !this.state.get(peer.id)!.busy) this.schedule(peer.id, 0);
    }
  }

  /** The watermark held for a peer (where the next digest call starts). */
  watermark(peerId: string): SyncCursor | undefined {
    return this.state.get(peerId)?.watermark;
  }

  /**
   * Visits every peer now, then each peer one interval after its previous
   * visit ended (later while it backs off). Peers are scheduled apart, so a
   * slow peer never delays the others.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.abort = new AbortController();
    for (const peer of this.peerList) this.schedule(peer.id, 0);
  }

  /** Stops scheduling, aborts calls in flight and waits for the visits under way. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.abort.abort();
    await Promise.all([...this.running]);
  }

  /** One visit to every peer that is not backing off (tests). Resolves when all are done. */
  async tick(): Promise<void> {
    await Promise.all(this.peerList.map((peer) => this.visit(peer)));
  }

  private async visit(peer: SyncPeer): Promise<void> {
    const st = this.state.get(peer.id);
    if (st === undefined || st.busy || st.retryAt > this.o.clockMs()) return;
    st.busy = true;
    try {
      await this.syncPeer(peer, st);
      if (this.o.afterVisit && st.failures === 0 && !this.stopping) {
        await this.o.afterVisit(peer, this.abort.signal);
      }
    } catch (err) {
      // Bugs, not peer behaviour: logged, and the peer is retried later.
      this.o.log.error({ peer: peer.id, err: String(err) }, 'anti-entropy: sync failed');
      this.failed(peer, st, 'digest', String(err));
    } finally {
      st.busy = false;
    }
  }

  /** Visits the peer with this id after `delayMs`, if it is still a peer then. */
  private schedule(id: string, delayMs: number): void {
    if (!this.started || this.timers.has(id)) return;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      const peer = this.peerList.find((p) => p.id === id);
      if (peer === undefined) return;
      const visit: Promise<void> = this.visit(peer).finally(() => {
        this.running.delete(visit);
        const st = this.state.get(id);
        if (st === undefined) return;
        this.schedule(id, Math.max(this.o.intervalMs, st.retryAt - this.o.clockMs()));
      });
      this.running.add(visit);
    }, delayMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  private failed(
    peer: SyncPeer,
    st: PeerState,
    stage: 'digest' | 'pull' | 'store',
    why: string,
    status?: number,
  ): void {
    this.o.metrics.peerError(peer.id, stage);
    if (this.stopping) return;
    if (status === 429) {
      // The peer's per-client HTTP limit (shared with its records API): not
      // a fault. Nothing more this tick; the next one continues from the
      // watermark, without a backoff.
      this.o.log.debug({ peer: peer.id, stage }, 'anti-entropy: peer rate-limits us (429)');
      return;
    }
    st.failures++;
    const pause = Math.min(
      this.o.intervalMs * 2 ** Math.min(st.failures - 1, 20),
      this.o.maxBackoffMs,
    );
    st.retryAt = this.o.clockMs() + pause;
    const line = { peer: peer.id, url: peer.url, stage, failures: st.failures, retryInMs: pause };
    if (st.failures === 1) this.o.log.warn(line, `anti-entropy: peer call failed: ${why}`);
    else this.o.log.debug(line, `anti-entropy: peer call failed: ${why}`);
  }

  private succeeded(peer: SyncPeer, st: PeerState): void {
    if (st.failures > 0) this.o.log.info({ peer: peer.id }, 'anti-entropy: peer reachable again');
    st.failures = 0;
    st.retryAt = 0;
  }

  /** Follows the peer's stream from the watermark until caught up, blocked or out of time. */
  private async syncPeer(peer: SyncPeer, st: PeerState): Promise<void> {
    const deadline = this.o.clockMs() + this.o.tickBudgetMs;
    // Bounded: each page either moves the watermark forward or ends the loop.
    for (let page = 0; page < 100_000 && !this.stopping; page++) {
      const from = st.watermark;
      const url = `${peer.url}/v1/sync/digest?cursor=${formatCursor(from)}&limit=${this.o.digestLimit}`;
      const answer = await callPeer(url, this.o.token, undefined, {
        timeoutMs: this.o.timeoutMs,
        maxBytes: this.o.maxDigestBytes,
        signal: this.abort.signal,
      });
      if (!answer.ok) return this.failed(peer, st, 'digest', answer.detail, answer.status);
      const records = answer.body.records;
      if (!Array.isArray(records)) return this.failed(peer, st, 'digest', 'records is not a list');
      this.succeeded(peer, st);
      const hasMore = answer.body.has_more === true;
      const nowMs = this.o.clockMs();
      const { entries, dropped } = pageEntries(records, from, nowMs, this.o.digestLimit);
      if (dropped > 0) {
        this.o.metrics.rejected('invalid-entry', dropped);
        this.o.log.warn(
          { peer: peer.id, dropped },
          'anti-entropy: malformed digest entries dropped (watermark unaffected)',
        );
      }
      if (entries.length === 0) {
        if (!hasMore || records.length === 0) this.o.metrics.lag(peer.id, 0);
        return;
      }
      const handled = await this.handlePage(peer, st, entries);
      st.watermark = advanceWatermark(from, entries, handled);
      const last = cursorOfEntry(entries.at(-1)!);
      const complete = compareCursors(st.watermark, last) >= 0;
      this.o.metrics.lag(
        peer.id,
        complete && !hasMore ? 0 : Math.max(0, (nowMs - Number(st.watermark.ts)) / 1000),
      );
      if (!complete || !hasMore || this.o.clockMs() >= deadline) return;
    }
  }

  /** Steps 4–5 for one page: the set of (name, hash) pairs handled. */
  private async handlePage(
    peer: SyncPeer,
    st: PeerState,
    entries: readonly DigestEntry[],
  ): Promise<Set<string>> {
    const nowS = Math.floor(this.o.clockMs() / 1000);
    const local = this.localHashes(entries, nowS);
    const plan = planPage(entries, local);
    const handled = plan.handled;
    const toPull = this.dropOffZone(peer, plan.toPull, handled);
    const batches: ReadonlyMap<string, ReadonlySet<string>>[] = pullBatches(
      toPull,
      this.o.pullNames,
    );
    let next = 0;
    const page: PageState = { st, throttled: false, requeue: (b) => batches.push(b) };
    const worker = async () => {
      while (next < batches.length && !this.stopping && !page.throttled) {
        const batch = batches[next++]!;
        for (const key of await this.pullBatch(peer, batch, local, page)) handled.add(key);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.o.pullConcurrency, batches.length) }, worker),
    );
    return handled;
  }

  /**
   * The pairs worth pulling: one whose owner lies outside the served zone
   * would never be served here (the HTTP API refuses such writes too), so it
   * is counted as `off-zone` and marked handled, never blocking the watermark.
   */
  private dropOffZone(
    peer: SyncPeer,
    pairs: readonly { readonly name: string; readonly hash: string }[],
    handled: Set<string>,
  ): { readonly name: string; readonly hash: string }[] {
    const zone = this.o.zone;
    if (zone === undefined) return [...pairs];
    const keep: { readonly name: string; readonly hash: string }[] = [];
    let off = 0;
    for (const pair of pairs) {
      if (isSubdomain(normalizeOwnerName(pair.name), zone)) keep.push(pair);
      else {
        off++;
        handled.add(pairKey(pair.name, pair.hash));
      }
    }
    if (off > 0) {
      this.o.metrics.rejected('off-zone', off);
      this.o.log.debug(
        { peer: peer.id, values: off, zone },
        'anti-entropy: off-zone values skipped',
      );
    }
    return keep;
  }

  /** What this node holds at the page's names: entry name → value hash → seconds left. */
  private localHashes(entries: readonly DigestEntry[], nowS: number): LocalHashes {
    const byStored = new Map<string, Map<string, number>>();
    const names = [...new Set(entries.map((e) => normalizeOwnerName(e.name)))];
    for (const row of this.o.store.liveRowsAt(names, nowS)) {
      const m = byStored.get(row.name) ?? new Map<string, number>();
      byStored.set(row.name, m);
      m.set(row.valueHash, row.expiresAt - nowS);
    }
    const out = new Map<string, Map<string, number>>();
    for (const e of entries) {
      const m = byStored.get(normalizeOwnerName(e.name));
      if (m !== undefined) out.set(e.name, m);
    }
    return out;
  }

  /** Pulls one batch, verifies each value, stores the good ones in one transaction. */
  private async pullBatch(
    peer: SyncPeer,
    batch: ReadonlyMap<string, ReadonlySet<string>>,
    local: LocalHashes,
    page: PageState,
  ): Promise<Set<string>> {
    const answer = await callPeer(
      `${peer.url}/v1/sync/pull`,
      this.o.token,
      { names: [...batch.keys()] },
      { timeoutMs: this.o.timeoutMs, maxBytes: this.o.maxPullBytes, signal: this.abort.signal },
    );
    const done = new Set<string>();
    if (!answer.ok) {
      if (answer.reason === 'too-large' && batch.size > 1) {
        // Many large values at these names: ask for them in two halves.
        const names = [...batch.keys()];
        const half = Math.ceil(names.length / 2);
        page.requeue(new Map(names.slice(0, half).map((n) => [n, batch.get(n)!])));
        page.requeue(new Map(names.slice(half).map((n) => [n, batch.get(n)!])));
        return done;
      }
      if (answer.status === 429) page.throttled = true;
      this.failed(peer, page.st, 'pull', answer.detail, answer.status);
      return done;
    }
    const records = answer.body.records;
    if (!Array.isArray(records)) {
      this.failed(peer, page.st, 'pull', 'records is not a list');
      return done;
    }
    const nowS = Math.floor(this.o.clockMs() / 1000);
    const ops: StoreOp[] = [];
    const stored = new Set<string>();
    for (const rec of records) {
      const r = typeof rec === 'object' && rec !== null ? (rec as Record<string, unknown>) : {};
      const { name, value, ttl } = r;
      if (
        typeof name !== 'string' ||
        typeof value !== 'string' ||
        typeof ttl !== 'number' ||
        !Number.isSafeInteger(ttl) ||
        ttl <= 0 ||
        ttl > MAX_ENTRY_TTL
      ) {
        this.o.metrics.rejected('malformed');
        continue;
      }
      const hashes = batch.get(name);
      if (hashes === undefined) {
        this.o.metrics.rejected('unrequested');
        continue;
      }
      const hash = createHash('sha256').update(value, 'utf8').digest('hex');
      if (!hashes.has(hash)) {
        // Pull returns every value at a name; one we hold already is no news.
        if (!local.get(name)?.has(hash)) this.o.metrics.rejected('unadvertised');
        continue;
      }
      const key = pairKey(name, hash);
      const verdict = verifyPulledValue(name, value, {
        now: nowS,
        operatorSpk: this.o.operatorSpk,
      });
      if (verdict !== true) {
        this.o.metrics.rejected(verdict);
        this.o.log.debug({ peer: peer.id, name, reason: verdict }, 'anti-entropy: value refused');
        // A type that never replicates stays refused: no reason to hold the watermark on it.
        if (HANDLED_REFUSALS.has(verdict)) done.add(key);
        continue;
      }
      ops.push({ kind: 'add', name: normalizeOwnerName(name), value, ttl });
      stored.add(key);
    }
    if (ops.length > 0) {
      try {
        this.o.store.apply(ops, nowS);
      } catch (err) {
        this.failed(peer, page.st, 'store', String(err));
        return done;
      }
      this.o.metrics.pulled(peer.id, ops.length);
    }
    for (const key of stored) done.add(key);
    return done;
  }
}

/**
 * Groups pairs into pull requests: at most `maxNames` names each, and a
 * JSON body under the peer's request-size limit. Name → advertised hashes.
 */
export function pullBatches(
  pairs: readonly { readonly name: string; readonly hash: string }[],
  maxNames: number,
): Map<string, Set<string>>[] {
  const byName = new Map<string, Set<string>>();
  for (const { name, hash } of pairs) {
    const s = byName.get(name) ?? new Set<string>();
    byName.set(name, s);
    s.add(hash);
  }
  const batches: Map<string, Set<string>>[] = [];
  let current = new Map<string, Set<string>>();
  let bytes = 16;
  for (const [name, hashes] of byName) {
    const cost = name.length + 4;
    if (current.size > 0 && (current.size >= maxNames || bytes + cost > MAX_PULL_BODY_BYTES)) {
      batches.push(current);
      current = new Map();
      bytes = 16;
    }
    current.set(name, hashes);
    bytes += cost;
  }
  if (current.size > 0) batches.push(current);
  return batches;
}
