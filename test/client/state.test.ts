/**
 * The sqlite state file: permissions, ownership checks, the three stores,
 * the replay guard's §8.9 semantics, and importing a reference user's
 * prekeys.db / intros.db / replay_cache.json. Real files in temp dirs.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateFileError } from '../../src/client/errors.js';
import { IN_FLIGHT_TIMEOUT_SECONDS, ReplayGuard } from '../../src/client/replay-guard.js';
import { importReferenceState } from '../../src/client/state/reference-import.js';
import {
  openSqliteClientState,
  type SqliteClientState,
} from '../../src/client/state/sqlite-state.js';
import { toHex } from '../../src/protocol/bytes.js';

let dir: string;
const opened: SqliteClientState[] = [];
const open = (path = join(dir, 'cfg', 'state.db')) => {
  const s = openSqliteClientState(path);
  opened.push(s);
  return s;
};
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dmp-state-'));
});
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('state file', () => {
  it('is created 0600 (with its WAL companions) in a 0700 directory', () => {
    const state = open(join(dir, 'a', 'b', 'state.db'));
    state.seen.add(bytes(32, 1), bytes(16, 2), 100);
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'a', 'b')).mode & 0o777).toBe(0o700);
    for (const f of ['state.db', 'state.db-wal', 'state.db-shm']) {
      expect(statSync(join(dir, 'a', 'b', f)).mode & 0o777).toBe(0o600);
    }
  });

  it('refuses a foreign sqlite file and one from a newer schema, leaving them untouched', () => {
    const foreign = join(dir, 'foreign.db');
    const db = new Database(foreign);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => open(foreign)).toThrow(StateFileError);

    const newer = join(dir, 'newer.db');
    open(newer).close();
    const raw = new Database(newer);
    raw.pragma('user_version = 99');
    raw.close();
    const err = (() => {
      try {
        open(newer);
      } catch (e) {
        return e as StateFileError;
      }
    })();
    expect(err?.code).toBe('state-file');
    expect(err?.message).toContain('newer dnsmesh');
  });

  it('keeps data across reopen', () => {
    open().prekeys.insert([
      {
        prekeyId: 7,
        privateKey: bytes(32, 1),
        publicKey: bytes(32, 2),
        exp: 1000,
        createdAt: 1,
        publishedValue: '',
      },
    ]);
    opened[0]!.close();
    expect(open().prekeys.getLive(7, 999)?.privateKey).toEqual(bytes(32, 1));
  });
});

describe('prekey store', () => {
  it('serves a key while exp > now, consumes it exactly once, purges expired keys', () => {
    const { prekeys } = open();
    prekeys.insert([
      {
        prekeyId: 1,
        privateKey: bytes(32, 1),
        publicKey: bytes(32, 2),
        exp: 100,
        createdAt: 0,
        publishedValue: '',
      },
      {
        prekeyId: 2,
        privateKey: bytes(32, 3),
        publicKey: bytes(32, 4),
        exp: 200,
        createdAt: 0,
        publishedValue: '',
      },
    ]);
    expect(() =>
      prekeys.insert([
        {
          prekeyId: 1,
          privateKey: bytes(32, 1),
          publicKey: bytes(32, 2),
          exp: 1,
          createdAt: 0,
          publishedValue: '',
        },
      ]),
    ).toThrow();
    prekeys.setPublishedValue(1, 'v=dmp1;t=prekey;d=x');
    expect(prekeys.getLive(1, 99)?.publishedValue).toBe('v=dmp1;t=prekey;d=x');
    expect(prekeys.getLive(1, 100)).toBeUndefined(); // exp > now, not ≥
    expect(prekeys.countLive(99)).toBe(2);
    expect(prekeys.take(1)).toEqual({ prekeyId: 1, publishedValue: 'v=dmp1;t=prekey;d=x' });
    expect(prekeys.take(1)).toBeUndefined();
    expect(prekeys.has(2)).toBe(true);
    expect(prekeys.purgeExpired(200)).toBe(1);
    expect(prekeys.has(2)).toBe(false);
  });
});

describe('replay guard (core.md §8.9)', () => {
  it('reserves, finalizes until exp, releases, and persists deliveries', async () => {
    const state = open();
    let now = 1000;
    const guard = new ReplayGuard(state.seen, () => now);
    const spk = bytes(32, 9);
    const id = bytes(16, 1);
    expect(await guard.claimForDecode(spk, id)).toBe(true);
    expect(await guard.claimForDecode(spk, id)).toBe(false); // in flight
    guard.release(spk, id);
    expect(await guard.claimForDecode(spk, id)).toBe(true);
    await guard.finalize(spk, id, 1300);
    expect(await guard.claimForDecode(spk, id)).toBe(false);
    expect(await guard.hasSeen(spk, id)).toBe(true);

    // Persisted: a new guard over a reopened file still refuses it.
    state.close();
    const reopened = open();
    const fresh = new ReplayGuard(reopened.seen, () => now);
    expect(await fresh.claimForDecode(spk, id)).toBe(false);
    now = 1300;
    expect(await fresh.hasSeen(spk, id)).toBe(true); // valid at now == exp
    now = 1301;
    expect(await fresh.hasSeen(spk, id)).toBe(false);
    expect(await fresh.claimForDecode(spk, id)).toBe(true);
  });

  it('drops an abandoned reservation after 300 s', async () => {
    let now = 0;
    const guard = new ReplayGuard(open().seen, () => now);
    const spk = bytes(32, 1);
    const id = bytes(16, 1);
    expect(await guard.claimForDecode(spk, id)).toBe(true);
    now = IN_FLIGHT_TIMEOUT_SECONDS;
    expect(await guard.claimForDecode(spk, id)).toBe(false);
    now = IN_FLIGHT_TIMEOUT_SECONDS + 1;
    expect(await guard.claimForDecode(spk, id)).toBe(true);
  });
});

describe('intro store', () => {
  const intro = (spk: number, id: number, receivedAt: number) => ({
    senderSpk: bytes(32, spk),
    msgId: bytes(16, id),
    plaintext: new TextEncoder().encode(`m${spk}/${id}`),
    senderMailboxDomain: 'eve.test',
    senderLabel: '',
    receivedAt,
    msgExp: receivedAt + 300,
  });

  it('is unique on (sender, msg id), newest first, and refuses blocked senders', () => {
    const { intros } = open();
    const a = intros.add(intro(1, 1, 10));
    expect(a?.id).toBeGreaterThan(0);
    expect(intros.add(intro(1, 1, 11))).toBeUndefined();
    intros.add(intro(1, 2, 30));
    intros.add(intro(2, 1, 20));
    expect(intros.list().map((e) => e.receivedAt)).toEqual([30, 20, 10]);
    expect(intros.has(bytes(32, 2), bytes(16, 1))).toBe(true);

    intros.block(bytes(32, 2), 'spam', 40);
    intros.block(bytes(32, 2), 'really spam', 41);
    expect(intros.listBlocked()).toEqual([
      { senderSpk: bytes(32, 2), blockedAt: 40, note: 'really spam' },
    ]);
    expect(intros.add(intro(2, 9, 50))).toBeUndefined();
    expect(intros.list()).toHaveLength(3); // existing entries of a blocked sender stay

    const taken = intros.take(a!.id);
    expect(taken?.plaintext).toEqual(new TextEncoder().encode('m1/1'));
    expect(intros.take(a!.id)).toBeUndefined();
    expect(intros.unblock(bytes(32, 2))).toBe(true);
    expect(intros.isBlocked(bytes(32, 2))).toBe(false);
  });
});

describe('importing a reference user state', () => {
  function writeReferenceFiles(cfg: string, now: number) {
    const pk = new Database(join(cfg, 'prekeys.db'));
    pk.exec(`CREATE TABLE prekeys (prekey_id INTEGER PRIMARY KEY, private_key BLOB NOT NULL,
      public_key BLOB NOT NULL, exp INTEGER NOT NULL, created_at INTEGER NOT NULL, wire_record TEXT DEFAULT '');
      PRAGMA user_version = 2;`);
    const ins = pk.prepare('INSERT INTO prekeys VALUES (?, ?, ?, ?, ?, ?)');
    ins.run(
      11,
      Buffer.alloc(32, 1),
      Buffer.alloc(32, 2),
      now + 100,
      now - 10,
      'v=dmp1;t=prekey;d=A',
    );
    ins.run(12, Buffer.alloc(32, 3), Buffer.alloc(32, 4), now - 1, now - 10, ''); // expired
    pk.close();
    const it = new Database(join(cfg, 'intros.db'));
    it.exec(`CREATE TABLE intros (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_spk BLOB NOT NULL,
      msg_id BLOB NOT NULL, plaintext BLOB NOT NULL, sender_mailbox_domain TEXT NOT NULL,
      sender_label TEXT DEFAULT '', received_at INTEGER NOT NULL, msg_exp INTEGER NOT NULL,
      UNIQUE(sender_spk, msg_id));
      CREATE TABLE denylist (sender_spk BLOB PRIMARY KEY, blocked_at INTEGER NOT NULL, note TEXT DEFAULT '');`);
    it.prepare(
      'INSERT INTO intros (sender_spk, msg_id, plaintext, sender_mailbox_domain, sender_label, received_at, msg_exp) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      Buffer.alloc(32, 5),
      Buffer.alloc(16, 6),
      Buffer.from('hi'),
      'eve.test',
      'eve@eve.test',
      now - 5,
      now + 295,
    );
    it.prepare('INSERT INTO denylist VALUES (?, ?, ?)').run(Buffer.alloc(32, 7), now - 50, 'spam');
    it.close();
    writeFileSync(
      join(cfg, 'replay_cache.json'),
      JSON.stringify([
        [toHex(bytes(32, 8)), toHex(bytes(16, 9)), now + 60],
        [toHex(bytes(32, 8)), toHex(bytes(16, 10)), now - 60],
        ['zz', 'not hex', 5],
      ]),
    );
  }

  it('carries live prekeys, intros, the denylist and live replay entries over, once', async () => {
    const now = 1_800_000_000;
    const cfg = join(dir, 'ref');
    mkdirSync(cfg);
    writeReferenceFiles(cfg, now);
    const state = open(join(cfg, 'state.db'));
    const report = await importReferenceState(state, cfg, now);
    expect(report).toMatchObject({ prekeys: 1, intros: 1, blocked: 1, seen: 1 });
    expect(report.files).toHaveLength(3);
    expect(state.prekeys.getLive(11, now)?.publishedValue).toBe('v=dmp1;t=prekey;d=A');
    expect(state.prekeys.has(12)).toBe(false);
    expect(state.intros.list()[0]).toMatchObject({
      senderLabel: 'eve@eve.test',
      senderMailboxDomain: 'eve.test',
    });
    expect(state.intros.isBlocked(bytes(32, 7))).toBe(true);
    expect(state.seen.has(bytes(32, 8), bytes(16, 9), now)).toBe(true);

    const again = await importReferenceState(state, cfg, now);
    expect(again).toMatchObject({ prekeys: 0, intros: 0, blocked: 0, seen: 0 });
  });
});
