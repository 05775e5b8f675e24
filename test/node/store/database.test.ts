/**
 * openNodeDatabase: pragmas, schema versioning (forward migration, refusal
 * of newer and foreign files) and on-disk permissions.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotNodeDatabaseError, SchemaTooNewError } from '../../../src/node/store/errors.js';
import { MEMORY_PATH, openNodeDatabase } from '../../../src/node/store/sqlite/database.js';
import { openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import {
  APPLICATION_ID,
  type Migration,
  migrateSchema,
  SCHEMA_VERSION,
} from '../../../src/node/store/sqlite/schema.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('openNodeDatabase', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.remove());

  it('creates a WAL database with synchronous=NORMAL and the current schema', () => {
    const db = openNodeDatabase(dir.file('node.db'), { busyTimeoutMs: 1234 });
    try {
      const c = db.connection;
      expect(db.journalMode).toBe('wal');
      expect(c.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(c.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      // Rarer checkpoints than sqlite's 1,000 pages: see WAL_AUTOCHECKPOINT_PAGES.
      expect(c.pragma('wal_autocheckpoint', { simple: true })).toBe(8192);
      expect(c.pragma('busy_timeout', { simple: true })).toBe(1234);
      expect(c.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(c.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
      expect(db.migratedFrom).toBe(0);
      expect(db.schemaVersion).toBe(SCHEMA_VERSION);
      const tables = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .pluck()
        .all();
      expect(tables).toEqual(
        expect.arrayContaining(['records', 'token_audit', 'tokens', 'tsig_keys']),
      );
    } finally {
      db.close();
    }
    // Reopening an up-to-date file migrates nothing.
    const again = openNodeDatabase(dir.file('node.db'));
    expect(again.migratedFrom).toBe(SCHEMA_VERSION);
    again.close();
    again.close(); // idempotent
  });

  it('supports :memory:', () => {
    const db = openNodeDatabase(MEMORY_PATH);
    expect(db.journalMode).toBe('memory');
    expect(db.schemaVersion).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('creates missing parent directories 0700 and the file, -wal and -shm 0600', () => {
    const nested = `${dir.path}/var/lib/dmp`;
    const path = `${nested}/dmp.db`;
    const stores = openNodeStores(path);
    try {
      stores.records.publish('a.example', 'v', 300, 1_700_000_000);
      expect(mode(`${dir.path}/var`)).toBe(0o700);
      expect(mode(`${dir.path}/var/lib`)).toBe(0o700);
      expect(mode(nested)).toBe(0o700);
      expect(mode(path)).toBe(0o600);
      expect(mode(`${path}-wal`)).toBe(0o600);
      expect(mode(`${path}-shm`)).toBe(0o600);
    } finally {
      stores.close();
    }
  });

  it('tightens an existing world-readable file to 0600 and leaves an existing directory alone', () => {
    const path = dir.file('loose.db');
    writeFileSync(path, '', { mode: 0o644 });
    const dirMode = mode(dir.path);
    const db = openNodeDatabase(path);
    db.close();
    expect(mode(path)).toBe(0o600);
    expect(mode(dir.path)).toBe(dirMode);
  });

  it('refuses a file with a newer schema version and leaves it byte-identical', () => {
    const path = dir.file('future.db');
    const future = new Database(path);
    future.pragma(`application_id = ${APPLICATION_ID}`);
    future.exec('CREATE TABLE records (x)');
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    future.close();
    const before = readFileSync(path);

    let err: unknown;
    try {
      openNodeDatabase(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SchemaTooNewError);
    const e = err as SchemaTooNewError;
    expect(e.fileVersion).toBe(SCHEMA_VERSION + 1);
    expect(e.supportedVersion).toBe(SCHEMA_VERSION);
    expect(e.path).toBe(path);
    expect(e.message).toContain(
      `schema version ${SCHEMA_VERSION + 1}, but this dnsmesh-node only understands versions up to ${SCHEMA_VERSION}`,
    );
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a foreign sqlite file (the reference layout, another application id)', () => {
    const refLike = dir.file('dmp_tsig.db');
    const r = new Database(refLike);
    r.exec('CREATE TABLE tsig_keys (name TEXT PRIMARY KEY)');
    r.pragma('user_version = 4');
    r.close();
    expect(() => openNodeDatabase(refLike)).toThrow(NotNodeDatabaseError);
    expect(() => openNodeDatabase(refLike)).toThrow(/not a dnsmesh-node database.*tsig_keys/);

    const other = dir.file('other.db');
    const o = new Database(other);
    o.pragma('application_id = 1234');
    o.close();
    expect(() => openNodeDatabase(other)).toThrow(/application_id 0x000004d2/);
  });

  it('refuses a file that is not sqlite at all', () => {
    const path = dir.file('junk.db');
    writeFileSync(path, 'this is not a database, just some text that is long enough. '.repeat(20));
    expect(() => openNodeDatabase(path)).toThrow(NotNodeDatabaseError);
    expect(() => openNodeDatabase(path)).toThrow(/not an sqlite file/);
  });

  it('rejects a negative busy timeout', () => {
    expect(() => openNodeDatabase(MEMORY_PATH, { busyTimeoutMs: -1 })).toThrow(RangeError);
  });
});

describe('migrateSchema', () => {
  const steps: Migration[] = [
    (db) => db.exec('CREATE TABLE t (a INTEGER)'),
    (db) => db.exec('ALTER TABLE t ADD COLUMN b TEXT'),
    (db) => db.exec("UPDATE t SET b = 'migrated'"),
  ];

  it('runs only the steps above the current version, in order', () => {
    const db = new Database(':memory:');
    expect(migrateSchema(db, steps.slice(0, 1))).toBe(0);
    db.exec('INSERT INTO t (a) VALUES (7)');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(migrateSchema(db, steps)).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 7, b: 'migrated' }]);
    expect(migrateSchema(db, steps)).toBe(3);
    db.close();
  });

  it('rolls a failing step back and keeps the earlier steps', () => {
    const db = new Database(':memory:');
    const failing: Migration[] = [
      steps[0]!,
      (d) => {
        d.exec('ALTER TABLE t ADD COLUMN half TEXT');
        throw new Error('boom');
      },
    ];
    expect(() => migrateSchema(db, failing)).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const columns = (db.pragma('table_info(t)') as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['a']);
    db.close();
  });

  it('leaves a newer file alone', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 9');
    expect(migrateSchema(db, steps)).toBe(9);
    expect(db.pragma('user_version', { simple: true })).toBe(9);
    db.close();
  });
});
