/**
 * {@link SeenMessageStore} on the state database: the delivered
 * `(sender_spk, msg_id)` pairs of the replay cache (core.md §8.9), each kept
 * until its manifest's expiry. Replaces the reference's `replay_cache.json`,
 * which is rewritten whole after every delivery.
 */
import type Database from 'better-sqlite3';
import type { SeenMessageStore } from './types.js';

export class SqliteSeenStore implements SeenMessageStore {
  private readonly hasRow: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly purgeRows: Database.Statement;

  constructor(db: Database.Database) {
    this.hasRow = db
      .prepare('SELECT 1 FROM replay_seen WHERE sender_spk = ? AND msg_id = ? AND expiry >= ?')
      .pluck();
    this.upsert = db.prepare(
      `INSERT INTO replay_seen (sender_spk, msg_id, expiry) VALUES (?, ?, ?)
       ON CONFLICT (sender_spk, msg_id) DO UPDATE SET expiry = max(expiry, excluded.expiry)`,
    );
    this.purgeRows = db.prepare('DELETE FROM replay_seen WHERE expiry < ?');
  }

  has(senderSpk: Uint8Array, msgId: Uint8Array, now: number): boolean {
    return this.hasRow.get(senderSpk, msgId, now) !== undefined;
  }

  add(senderSpk: Uint8Array, msgId: Uint8Array, expiry: number): void {
    this.upsert.run(senderSpk, msgId, expiry);
  }

  purge(now: number): number {
    return this.purgeRows.run(now).changes;
  }
}
