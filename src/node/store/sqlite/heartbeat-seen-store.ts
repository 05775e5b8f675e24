/**
 * The heartbeat seen-store (node spec §3.4) on the node database's
 * `heartbeats_seen` table: other nodes' heartbeat wires this node harvested
 * over DNS, kept verbatim so they can be republished under
 * `_dnsmesh-seen.<zone>` (§6.5) and shown on the landing page.
 *
 * Rules, all enforced by {@link SqliteSeenStore.accept}:
 * - only a wire that parses and verifies (§6.4) is stored: a forged
 *   signature, a low-order operator key, an expired wire, a `ts` more than
 *   the skew away from now or an `exp` more than 30 days ahead store nothing;
 * - one row per (operator key, endpoint); a newer `ts` replaces it, an older
 *   one never does;
 * - over `maxRows`, the rows received longest ago go first (ties broken by
 *   `ts`, key and endpoint, so trimming is deterministic).
 * Unlike the reference, rows received more than `retentionSeconds` ago are
 * swept too ({@link SqliteSeenStore.sweep}, called by the heartbeat worker).
 */
import type Database from 'better-sqlite3';
import { toHex } from '../../../protocol/bytes.js';
import {
  DEFAULT_HEARTBEAT_TS_SKEW_SECONDS,
  parseAndVerifyHeartbeat,
} from '../../../protocol/records/heartbeat-record.js';
import type { NodeDatabase } from './database.js';

/** Reference default of `DMP_HEARTBEAT_SEEN_MAX_ROWS`. */
export const DEFAULT_SEEN_MAX_ROWS = 10_000;

/** One stored heartbeat. */
export interface SeenHeartbeat {
  readonly operatorSpkHex: string;
  readonly endpoint: string;
  /** The TXT value exactly as harvested. */
  readonly wire: string;
  readonly ts: number;
  readonly exp: number;
  readonly version: string;
  readonly capabilities: number;
  readonly claimProviderZone: string;
  /** Unix seconds this node stored it. */
  readonly receivedAt: number;
  /** The zone it was harvested from ('' when unknown). */
  readonly remoteAddr: string;
}

export type SeenAcceptResult =
  | { readonly accepted: true; readonly row: SeenHeartbeat }
  | { readonly accepted: false; readonly reason: string };

export interface SeenStoreOptions {
  /** Row cap (`DMP_HEARTBEAT_SEEN_MAX_ROWS`, default 10,000; at least 1). */
  readonly maxRows?: number;
  /** Rows received longer ago are removed by `sweep` (0 = never; default 72 h). */
  readonly retentionSeconds?: number;
  /** Tolerated `|ts − now|` on accept (default 300 s, as the reference). */
  readonly tsSkewSeconds?: number;
}

interface Row {
  readonly operator_spk_hex: string;
  readonly endpoint: string;
  readonly wire: string;
  readonly ts: number;
  readonly exp: number;
  readonly version: string;
  readonly capabilities: number;
  readonly claim_provider_zone: string;
  readonly received_at: number;
  readonly remote_addr: string;
}

const COLUMNS =
  'operator_spk_hex, endpoint, wire, ts, exp, version, capabilities, claim_provider_zone, received_at, remote_addr';
/** Newest first; key and endpoint make equal timestamps come out in one order. */
const NEWEST_FIRST = 'ORDER BY ts DESC, operator_spk_hex ASC, endpoint ASC';

const fromRow = (r: Row): SeenHeartbeat => ({
  operatorSpkHex: r.operator_spk_hex,
  endpoint: r.endpoint,
  wire: r.wire,
  ts: r.ts,
  exp: r.exp,
  version: r.version,
  capabilities: r.capabilities,
  claimProviderZone: r.claim_provider_zone,
  receivedAt: r.received_at,
  remoteAddr: r.remote_addr,
});

/** The seen-store, backed by sqlite. */
export class SqliteSeenStore {
  readonly maxRows: number;
  private readonly retentionSeconds: number;
  private readonly tsSkewSeconds: number;
  private readonly db: Database.Database;
  private readonly deleteExpiredStmt: Database.Statement<[number]>;
  private readonly upsertStmt: Database.Statement<unknown[]>;
  private readonly countStmt: Database.Statement<[], number>;
  private readonly trimStmt: Database.Statement<[number]>;
  private readonly liveStmt: Database.Statement<[number], Row>;
  private readonly sweepStmt: Database.Statement<[number]>;

  constructor(database: NodeDatabase, options: SeenStoreOptions = {}) {
    this.maxRows = Math.max(1, Math.floor(options.maxRows ?? DEFAULT_SEEN_MAX_ROWS));
    this.retentionSeconds = Math.max(0, options.retentionSeconds ?? 72 * 3600);
    this.tsSkewSeconds = options.tsSkewSeconds ?? DEFAULT_HEARTBEAT_TS_SKEW_SECONDS;
    const db = database.connection;
    this.db = db;
    this.deleteExpiredStmt = db.prepare('DELETE FROM heartbeats_seen WHERE exp <= ?');
    // Only a newer-or-equal ts overwrites (spec: `ts ≥ stored ts`).
    this.upsertStmt = db.prepare(
      `INSERT INTO heartbeats_seen (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (operator_spk_hex, endpoint) DO UPDATE SET
         wire = excluded.wire, ts = excluded.ts, exp = excluded.exp,
         version = excluded.version, capabilities = excluded.capabilities,
         claim_provider_zone = excluded.claim_provider_zone,
         received_at = excluded.received_at, remote_addr = excluded.remote_addr
       WHERE excluded.ts >= heartbeats_seen.ts`,
    );
    this.countStmt = db.prepare<[], number>('SELECT COUNT(*) FROM heartbeats_seen').pluck();
    this.trimStmt = db.prepare(
      `DELETE FROM heartbeats_seen WHERE rowid IN (
         SELECT rowid FROM heartbeats_seen
         ORDER BY received_at ASC, ts ASC, operator_spk_hex ASC, endpoint ASC LIMIT ?)`,
    );
    this.liveStmt = db.prepare(
      `SELECT ${COLUMNS} FROM heartbeats_seen WHERE exp > ? ${NEWEST_FIRST}`,
    );
    this.sweepStmt = db.prepare('DELETE FROM heartbeats_seen WHERE received_at < ?');
  }

  /**
   * Verifies `wire` at `now` and stores it. Rejected wires change nothing;
   * an accepted one also removes expired rows and trims to `maxRows`.
   */
  accept(wire: string, now: number, remoteAddr = ''): SeenAcceptResult {
    const parsed = parseAndVerifyHeartbeat(wire, { now, tsSkewSeconds: this.tsSkewSeconds });
    if (!parsed.ok) return { accepted: false, reason: `${parsed.code}: ${parsed.detail}` };
    const hb = parsed.value;
    const row: SeenHeartbeat = {
      operatorSpkHex: toHex(hb.operatorSpk),
      endpoint: hb.endpoint,
      wire,
      ts: Number(hb.ts),
      exp: Number(hb.exp),
      version: hb.version,
      capabilities: hb.capabilities,
      claimProviderZone: hb.claimProviderZone,
      receivedAt: now,
      remoteAddr,
    };
    this.db.transaction(() => {
      this.deleteExpiredStmt.run(now);
      this.upsertStmt.run(
        row.operatorSpkHex,
        row.endpoint,
        row.wire,
        row.ts,
        row.exp,
        row.version,
        row.capabilities,
        row.claimProviderZone,
        row.receivedAt,
        row.remoteAddr,
      );
      const excess = this.countStmt.get()! - this.maxRows;
      if (excess > 0) this.trimStmt.run(excess);
    })();
    return { accepted: true, row };
  }

  /** Unexpired rows, newest `ts` first, at most `limit`. */
  listRecent(limit: number, now: number): SeenHeartbeat[] {
    const out: SeenHeartbeat[] = [];
    for (const r of this.liveStmt.iterate(now)) {
      if (out.length >= limit) break;
      out.push(fromRow(r));
    }
    return out;
  }

  /**
   * What `_dnsmesh-seen` carries: unexpired rows, newest `ts` first, one per
   * operator key (its newest), without `excludeSpkHex` (this node's own
   * key), at most `limit`.
   */
  listForGossip(limit: number, now: number, excludeSpkHex = ''): SeenHeartbeat[] {
    const out: SeenHeartbeat[] = [];
    const operators = new Set<string>([excludeSpkHex]);
    for (const r of this.liveStmt.iterate(now)) {
      if (out.length >= limit) break;
      if (operators.has(r.operator_spk_hex)) continue;
      operators.add(r.operator_spk_hex);
      out.push(fromRow(r));
    }
    return out;
  }

  /** Removes expired rows and rows received before the retention window; returns how many. */
  sweep(now: number): number {
    let removed = this.deleteExpiredStmt.run(now).changes;
    if (this.retentionSeconds > 0) {
      removed += this.sweepStmt.run(now - this.retentionSeconds).changes;
    }
    return removed;
  }

  /** Rows stored, expired ones included. */
  count(): number {
    return this.countStmt.get()!;
  }
}
