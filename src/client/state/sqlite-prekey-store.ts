/**
 * {@link PrekeyStore} on the state database (core.md §9). Consumption is a
 * single `DELETE … RETURNING`, so two processes decrypting with the same
 * prekey cannot both believe they consumed it.
 */
import type Database from 'better-sqlite3';
import { blobBytes as bytes } from './sqlite-database.js';
import type { ConsumedPrekey, PrekeyStore, StoredPrekey } from './types.js';

interface PrekeyRow {
  prekey_id: number;
  private_key: Buffer;
  public_key: Buffer;
  exp: number;
  created_at: number;
  published_value: string;
}

export class SqlitePrekeyStore implements PrekeyStore {
  private readonly insertRow: Database.Statement;
  private readonly hasRow: Database.Statement;
  private readonly setValue: Database.Statement;
  private readonly getLiveRow: Database.Statement;
  private readonly takeRow: Database.Statement;
  private readonly countLiveRows: Database.Statement;
  private readonly purgeRows: Database.Statement;
  private readonly insertMany: (prekeys: readonly StoredPrekey[]) => void;

  constructor(db: Database.Database) {
    this.insertRow = db.prepare(
      `INSERT INTO prekeys (prekey_id, private_key, public_key, exp, created_at, published_value)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.hasRow = db.prepare('SELECT 1 FROM prekeys WHERE prekey_id = ?').pluck();
    this.setValue = db.prepare('UPDATE prekeys SET published_value = ? WHERE prekey_id = ?');
    this.getLiveRow = db.prepare('SELECT * FROM prekeys WHERE prekey_id = ? AND exp > ?');
    this.takeRow = db.prepare(
      'DELETE FROM prekeys WHERE prekey_id = ? RETURNING prekey_id, published_value',
    );
    this.countLiveRows = db.prepare('SELECT count(*) FROM prekeys WHERE exp > ?').pluck();
    this.purgeRows = db.prepare('DELETE FROM prekeys WHERE exp <= ?');
    this.insertMany = db.transaction((prekeys: readonly StoredPrekey[]) => {
      for (const p of prekeys) {
        this.insertRow.run(
          p.prekeyId,
          p.privateKey,
          p.publicKey,
          p.exp,
          p.createdAt,
          p.publishedValue,
        );
      }
    });
  }

  insert(prekeys: readonly StoredPrekey[]): void {
    this.insertMany(prekeys);
  }

  has(prekeyId: number): boolean {
    return this.hasRow.get(prekeyId) !== undefined;
  }

  setPublishedValue(prekeyId: number, value: string): void {
    this.setValue.run(value, prekeyId);
  }

  getLive(prekeyId: number, now: number): StoredPrekey | undefined {
    const row = this.getLiveRow.get(prekeyId, now) as PrekeyRow | undefined;
    if (row === undefined) return undefined;
    return {
      prekeyId: row.prekey_id,
      privateKey: bytes(row.private_key),
      publicKey: bytes(row.public_key),
      exp: row.exp,
      createdAt: row.created_at,
      publishedValue: row.published_value,
    };
  }

  take(prekeyId: number): ConsumedPrekey | undefined {
    const row = this.takeRow.get(prekeyId) as
      | Pick<PrekeyRow, 'prekey_id' | 'published_value'>
      | undefined;
    return row && { prekeyId: row.prekey_id, publishedValue: row.published_value };
  }

  countLive(now: number): number {
    return this.countLiveRows.get(now) as number;
  }

  purgeExpired(now: number): number {
    return this.purgeRows.run(now).changes;
  }
}
