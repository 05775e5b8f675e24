/**
 * Carrying a reference (Python `dnsmesh`) user's local state over, so that
 * switching clients loses nothing (cli.md §2.4): the prekey private keys in
 * `prekeys.db` (without them every message already sent to a published
 * prekey is undecryptable), pending intros and the denylist in `intros.db`,
 * and `replay_cache.json` (without it a message still live would be
 * delivered a second time). The reference files are only read.
 *
 * Idempotent: rows already present are skipped, so importing twice (or
 * after the TypeScript client has run) changes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tryFromHex } from '../../protocol/bytes.js';
import { blobBytes } from './sqlite-database.js';
import type { ClientState } from './types.js';

/** What an import carried over. */
export interface ReferenceImportReport {
  readonly prekeys: number;
  readonly intros: number;
  readonly blocked: number;
  readonly seen: number;
  /** Reference files found in the directory. */
  readonly files: readonly string[];
}

interface RefPrekeyRow {
  prekey_id: number;
  private_key: Buffer;
  public_key: Buffer;
  exp: number;
  created_at: number;
  wire_record: string | null;
}

interface RefIntroRow {
  sender_spk: Buffer;
  msg_id: Buffer;
  plaintext: Buffer;
  sender_mailbox_domain: string;
  sender_label: string | null;
  received_at: number;
  msg_exp: number;
}

function withReadOnly<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function hasTable(db: Database.Database, name: string): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?").get(name) !== undefined
  );
}

/**
 * Imports `prekeys.db`, `intros.db` and `replay_cache.json` from a reference
 * config directory into `state`. Expired prekeys and replay entries are
 * skipped (they are useless); malformed rows are skipped.
 */
export async function importReferenceState(
  state: ClientState,
  configDir: string,
  now: number,
): Promise<ReferenceImportReport> {
  const files: string[] = [];
  let prekeys = 0;
  let intros = 0;
  let blocked = 0;
  let seen = 0;

  const prekeysPath = join(configDir, 'prekeys.db');
  if (existsSync(prekeysPath)) {
    files.push(prekeysPath);
    const rows = withReadOnly(prekeysPath, (db) =>
      hasTable(db, 'prekeys')
        ? (db.prepare('SELECT * FROM prekeys WHERE exp > ?').all(now) as RefPrekeyRow[])
        : [],
    );
    for (const row of rows) {
      const ok =
        Number.isSafeInteger(row.prekey_id) &&
        row.prekey_id > 0 &&
        row.prekey_id <= 0xffffffff &&
        row.private_key?.length === 32 &&
        row.public_key?.length === 32;
      if (!ok || (await state.prekeys.has(row.prekey_id))) continue;
      await state.prekeys.insert([
        {
          prekeyId: row.prekey_id,
          privateKey: blobBytes(row.private_key),
          publicKey: blobBytes(row.public_key),
          exp: row.exp,
          createdAt: row.created_at,
          publishedValue: row.wire_record ?? '',
        },
      ]);
      prekeys++;
    }
  }

  const introsPath = join(configDir, 'intros.db');
  if (existsSync(introsPath)) {
    files.push(introsPath);
    const { introRows, denyRows } = withReadOnly(introsPath, (db) => ({
      introRows: hasTable(db, 'intros')
        ? (db.prepare('SELECT * FROM intros ORDER BY id').all() as RefIntroRow[])
        : [],
      denyRows: hasTable(db, 'denylist')
        ? (db.prepare('SELECT * FROM denylist').all() as {
            sender_spk: Buffer;
            blocked_at: number;
            note: string | null;
          }[])
        : [],
    }));
    // Intros before the denylist: the reference keeps a blocked sender's
    // other intros, and so does the import.
    for (const row of introRows) {
      if (row.sender_spk?.length !== 32 || row.msg_id?.length !== 16) continue;
      const added = await state.intros.add({
        senderSpk: blobBytes(row.sender_spk),
        msgId: blobBytes(row.msg_id),
        plaintext: blobBytes(row.plaintext ?? Buffer.alloc(0)),
        senderMailboxDomain: row.sender_mailbox_domain ?? '',
        senderLabel: row.sender_label ?? '',
        receivedAt: row.received_at,
        msgExp: row.msg_exp,
      });
      if (added) intros++;
    }
    for (const row of denyRows) {
      if (row.sender_spk?.length !== 32) continue;
      const spk = blobBytes(row.sender_spk);
      if (await state.intros.isBlocked(spk)) continue;
      await state.intros.block(spk, row.note ?? '', row.blocked_at);
      blocked++;
    }
  }

  const replayPath = join(configDir, 'replay_cache.json');
  if (existsSync(replayPath)) {
    files.push(replayPath);
    let entries: unknown;
    try {
      entries = JSON.parse(readFileSync(replayPath, 'utf8'));
    } catch {
      entries = [];
    }
    for (const entry of Array.isArray(entries) ? entries : []) {
      if (!Array.isArray(entry) || entry.length !== 3) continue;
      const [spkHex, idHex, expiry] = entry as unknown[];
      const spk = typeof spkHex === 'string' ? tryFromHex(spkHex) : undefined;
      const msgId = typeof idHex === 'string' ? tryFromHex(idHex) : undefined;
      if (spk?.length !== 32 || msgId?.length !== 16) continue;
      if (typeof expiry !== 'number' || !Number.isFinite(expiry) || expiry <= now) continue;
      if (await state.seen.has(spk, msgId, now)) continue;
      await state.seen.add(spk, msgId, Math.floor(expiry));
      seen++;
    }
  }
  return { prekeys, intros, blocked, seen, files };
}
