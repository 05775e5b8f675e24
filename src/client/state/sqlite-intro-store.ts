/**
 * {@link IntroStore} on the state database (core.md §8.11): intros unique
 * on `(sender_spk, msg_id)`, listed newest first, and the sender denylist.
 * `add` checks the denylist and inserts in one transaction, so a block that
 * races a receive cannot let the blocked sender's intro in; `addWithin`
 * checks the queue limits in the same transaction.
 */
import type Database from 'better-sqlite3';
import { blobBytes as bytes } from './sqlite-database.js';
import type {
  BlockedSender,
  IntroAddResult,
  IntroEntry,
  IntroLimits,
  IntroStore,
  NewIntro,
} from './types.js';

interface IntroRow {
  id: number;
  sender_spk: Buffer;
  msg_id: Buffer;
  plaintext: Buffer;
  sender_mailbox_domain: string;
  sender_label: string;
  received_at: number;
  msg_exp: number;
}

function toEntry(row: IntroRow): IntroEntry {
  return {
    id: row.id,
    senderSpk: bytes(row.sender_spk),
    msgId: bytes(row.msg_id),
    plaintext: bytes(row.plaintext),
    senderMailboxDomain: row.sender_mailbox_domain,
    senderLabel: row.sender_label,
    receivedAt: row.received_at,
    msgExp: row.msg_exp,
  };
}

export class SqliteIntroStore implements IntroStore {
  private readonly insertRow: Database.Statement;
  private readonly hasRow: Database.Statement;
  private readonly listRows: Database.Statement;
  private readonly getRow: Database.Statement;
  private readonly takeRow: Database.Statement;
  private readonly blockedRow: Database.Statement;
  private readonly blockRow: Database.Statement;
  private readonly unblockRow: Database.Statement;
  private readonly listBlockedRows: Database.Statement;
  private readonly countRows: Database.Statement;
  private readonly countSenderRows: Database.Statement;
  private readonly addTx: (intro: NewIntro) => IntroEntry | undefined;
  private readonly addWithinTx: (intro: NewIntro, limits: IntroLimits) => IntroAddResult;

  constructor(db: Database.Database) {
    this.insertRow = db.prepare(
      `INSERT OR IGNORE INTO intros
         (sender_spk, msg_id, plaintext, sender_mailbox_domain, sender_label, received_at, msg_exp)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.hasRow = db.prepare('SELECT 1 FROM intros WHERE sender_spk = ? AND msg_id = ?').pluck();
    this.listRows = db.prepare('SELECT * FROM intros ORDER BY received_at DESC, id DESC');
    this.getRow = db.prepare('SELECT * FROM intros WHERE id = ?');
    this.takeRow = db.prepare('DELETE FROM intros WHERE id = ? RETURNING *');
    this.blockedRow = db.prepare('SELECT 1 FROM denylist WHERE sender_spk = ?').pluck();
    this.blockRow = db.prepare(
      `INSERT INTO denylist (sender_spk, blocked_at, note) VALUES (?, ?, ?)
       ON CONFLICT (sender_spk) DO UPDATE SET note = excluded.note`,
    );
    this.unblockRow = db.prepare('DELETE FROM denylist WHERE sender_spk = ?');
    this.listBlockedRows = db.prepare('SELECT * FROM denylist ORDER BY blocked_at DESC');
    this.countRows = db.prepare('SELECT count(*) FROM intros').pluck();
    this.countSenderRows = db.prepare('SELECT count(*) FROM intros WHERE sender_spk = ?').pluck();
    this.addTx = db.transaction((intro: NewIntro): IntroEntry | undefined => {
      if (this.blockedRow.get(intro.senderSpk) !== undefined) return undefined;
      const info = this.insertRow.run(
        intro.senderSpk,
        intro.msgId,
        intro.plaintext,
        intro.senderMailboxDomain,
        intro.senderLabel,
        intro.receivedAt,
        intro.msgExp,
      );
      if (info.changes === 0) return undefined;
      return { ...intro, id: Number(info.lastInsertRowid) };
    });
    this.addWithinTx = db.transaction((intro: NewIntro, limits: IntroLimits): IntroAddResult => {
      if (this.blockedRow.get(intro.senderSpk) !== undefined) return { status: 'blocked' };
      if (this.has(intro.senderSpk, intro.msgId)) return { status: 'duplicate' };
      if (this.count() >= limits.maxTotal) return { status: 'queue-full' };
      if (this.count(intro.senderSpk) >= limits.maxPerSender) return { status: 'sender-full' };
      const entry = this.addTx(intro);
      return entry === undefined ? { status: 'duplicate' } : { status: 'queued', entry };
    });
  }

  add(intro: NewIntro): IntroEntry | undefined {
    return this.addTx(intro);
  }

  addWithin(intro: NewIntro, limits: IntroLimits): IntroAddResult {
    return this.addWithinTx(intro, limits);
  }

  count(senderSpk?: Uint8Array): number {
    const n = senderSpk === undefined ? this.countRows.get() : this.countSenderRows.get(senderSpk);
    return Number(n);
  }

  has(senderSpk: Uint8Array, msgId: Uint8Array): boolean {
    return this.hasRow.get(senderSpk, msgId) !== undefined;
  }

  list(): IntroEntry[] {
    return (this.listRows.all() as IntroRow[]).map(toEntry);
  }

  get(id: number): IntroEntry | undefined {
    const row = this.getRow.get(id) as IntroRow | undefined;
    return row && toEntry(row);
  }

  take(id: number): IntroEntry | undefined {
    const row = this.takeRow.get(id) as IntroRow | undefined;
    return row && toEntry(row);
  }

  isBlocked(senderSpk: Uint8Array): boolean {
    return this.blockedRow.get(senderSpk) !== undefined;
  }

  block(senderSpk: Uint8Array, note: string, now: number): void {
    this.blockRow.run(senderSpk, now, note);
  }

  unblock(senderSpk: Uint8Array): boolean {
    return this.unblockRow.run(senderSpk).changes > 0;
  }

  listBlocked(): BlockedSender[] {
    const rows = this.listBlockedRows.all() as {
      sender_spk: Buffer;
      blocked_at: number;
      note: string;
    }[];
    return rows.map((r) => ({
      senderSpk: bytes(r.sender_spk),
      blockedAt: r.blocked_at,
      note: r.note,
    }));
  }
}
