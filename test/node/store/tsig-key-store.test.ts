/** SqliteTsigKeyStore: activity rules, normalisation, replacement, generation, persistence. */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MEMORY_PATH,
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/node/store/sqlite/database.js';
import { SqliteTsigKeyStore } from '../../../src/node/store/sqlite/tsig-key-store.js';
import type { TsigKeyRecord } from '../../../src/node/store/types.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

const T0 = 1_700_000_000;

function key(overrides: Partial<TsigKeyRecord> = {}): TsigKeyRecord {
  return {
    name: 'alice-0a1b2c3d-9f8e7d.mesh.example.',
    algorithm: 'hmac-sha256',
    secret: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
    allowedSuffixes: ['id-0123456789abcdef.mesh.example', 'slot-*.mb-*.mesh.example'],
    createdAt: T0,
    expiresAt: 0,
    revoked: false,
    subject: 'alice@mesh.example',
    registeredSpk: 'ab'.repeat(32),
    registeredX25519Pub: 'cd'.repeat(32),
    ...overrides,
  };
}

for (const where of ['file', 'memory'] as const) {
  describe(`SqliteTsigKeyStore (${where})`, () => {
    let dir: TempDir | undefined;
    let db: NodeDatabase;
    let store: SqliteTsigKeyStore;
    beforeEach(() => {
      dir = where === 'file' ? makeTempDir() : undefined;
      db = openNodeDatabase(dir ? dir.file('node.db') : MEMORY_PATH);
      store = new SqliteTsigKeyStore(db);
    });
    afterEach(() => {
      db.close();
      dir?.remove();
    });

    it('round-trips a key and returns a secret that owns its memory', () => {
      const k = key();
      store.upsert(k);
      const got = store.getActive(k.name, T0)!;
      expect(got).toEqual({ ...k, allowedSuffixes: [...k.allowedSuffixes].sort() });
      expect(got.secret).not.toBeInstanceOf(Buffer);
      expect(got.secret.byteOffset).toBe(0);
      expect(got.secret.buffer.byteLength).toBe(32);
      got.secret[0] = 0xff;
      expect(store.getActive(k.name, T0)!.secret[0]).toBe(1);
    });

    it('looks names up case-insensitively, with or without the trailing dot', () => {
      store.upsert(key({ name: 'Alice-0A1B2C3D-9F8E7D.Mesh.Example' }));
      expect(store.getActive('alice-0a1b2c3d-9f8e7d.mesh.example.', T0)?.name).toBe(
        'alice-0a1b2c3d-9f8e7d.mesh.example.',
      );
      expect(store.getActive('ALICE-0A1B2C3D-9F8E7D.MESH.EXAMPLE', T0)).toBeDefined();
      expect(store.getActive('bob.mesh.example.', T0)).toBeUndefined();
      expect(store.getActive('', T0)).toBeUndefined();
    });

    it('normalises scope suffixes: lower-case, dots trimmed, sorted, deduped', () => {
      store.upsert(
        key({
          allowedSuffixes: [
            'Z.Mesh.Example.',
            '.a.mesh.example',
            'a.mesh.example',
            '  ',
            '..',
            'm.mesh.example',
          ],
        }),
      );
      expect(store.getActive(key().name, T0)!.allowedSuffixes).toEqual([
        'a.mesh.example',
        'm.mesh.example',
        'z.mesh.example',
      ]);
      const raw = db.connection.prepare('SELECT allowed_suffixes FROM tsig_keys').pluck().get();
      expect(raw).toBe('a.mesh.example\nm.mesh.example\nz.mesh.example');
    });

    it('stores the secret as a BLOB and lower-cases subject and key hex', () => {
      store.upsert(key({ subject: 'Alice@Mesh.Example', registeredSpk: 'AB'.repeat(32) }));
      const row = db.connection
        .prepare(
          'SELECT typeof(secret) AS t, length(secret) AS n, subject, registered_spk FROM tsig_keys',
        )
        .get();
      expect(row).toEqual({
        t: 'blob',
        n: 32,
        subject: 'alice@mesh.example',
        registered_spk: 'ab'.repeat(32),
      });
    });

    it('treats revoked and expired keys as inactive (expiry at the exact second)', () => {
      store.upsert(key({ name: 'never.mesh.example.', expiresAt: 0 }));
      store.upsert(key({ name: 'expiring.mesh.example.', expiresAt: T0 + 100 }));
      store.upsert(key({ name: 'revoked.mesh.example.', revoked: true }));
      expect(store.getActive('expiring.mesh.example.', T0 + 99)).toBeDefined();
      expect(store.getActive('expiring.mesh.example.', T0 + 100)).toBeUndefined();
      expect(store.getActive('revoked.mesh.example.', T0)).toBeUndefined();
      expect(store.listActive(T0 + 99).map((k) => k.name)).toEqual([
        'expiring.mesh.example.',
        'never.mesh.example.',
      ]);
      expect(store.listActive(T0 + 100).map((k) => k.name)).toEqual(['never.mesh.example.']);
    });

    it('revoke returns true once, and a re-registration upsert replaces the secret and un-revokes', () => {
      const k = key();
      store.upsert(k);
      expect(store.revoke(k.name.toUpperCase())).toBe(true);
      expect(store.revoke(k.name)).toBe(false);
      expect(store.revoke('absent.mesh.example')).toBe(false);
      expect(store.getActive(k.name, T0)).toBeUndefined();
      const fresh = new Uint8Array(32).fill(9);
      store.upsert(key({ secret: fresh, createdAt: T0 + 50 }));
      const got = store.getActive(k.name, T0 + 50)!;
      expect(got.revoked).toBe(false);
      expect([...got.secret]).toEqual([...fresh]);
      expect(got.createdAt).toBe(T0 + 50);
      expect(store.listActive(T0 + 50)).toHaveLength(1);
    });

    it('bumps the generation on every upsert and effective revoke only', () => {
      const g0 = store.generation;
      expect(store.generation).toBe(g0);
      store.upsert(key());
      const g1 = store.generation;
      expect(g1).toBeGreaterThan(g0);
      store.upsert(key());
      const g2 = store.generation;
      expect(g2).toBeGreaterThan(g1);
      store.getActive(key().name, T0);
      expect(store.generation).toBe(g2);
      expect(store.revoke(key().name)).toBe(true);
      const g3 = store.generation;
      expect(g3).toBeGreaterThan(g2);
      expect(store.revoke(key().name)).toBe(false);
      expect(store.generation).toBe(g3);
    });

    it('rejects keys that could never be used', () => {
      expect(() => store.upsert(key({ secret: new Uint8Array(0) }))).toThrow(/secret/);
      expect(() => store.upsert(key({ allowedSuffixes: ['', '.', ' '] }))).toThrow(/suffix/);
      expect(() => store.upsert(key({ name: ' . ' }))).toThrow(/non-empty/);
      expect(() => store.upsert(key({ expiresAt: -1 }))).toThrow(RangeError);
      expect(store.listActive(T0)).toEqual([]);
    });

    it('never puts the secret into an error message', () => {
      const secret = Uint8Array.from([0xde, 0xad, 0xbe, 0xef]);
      try {
        store.upsert(key({ secret, allowedSuffixes: [] }));
        expect.unreachable();
      } catch (err) {
        const text = String(err) + JSON.stringify(err);
        expect(text).not.toMatch(/dead|beef|3q2\+7w|222,173/i);
      }
    });
  });
}

describe('SqliteTsigKeyStore on a shared file', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.remove());

  it('persists keys across reopen', () => {
    const path = dir.file('node.db');
    let db = openNodeDatabase(path);
    new SqliteTsigKeyStore(db).upsert(key());
    db.close();
    db = openNodeDatabase(path);
    expect(new SqliteTsigKeyStore(db).getActive(key().name, T0)?.subject).toBe(
      'alice@mesh.example',
    );
    db.close();
  });

  it('changes the generation when another connection edits the file (operator sqlite3 session)', () => {
    const path = dir.file('node.db');
    const db = openNodeDatabase(path);
    const store = new SqliteTsigKeyStore(db);
    store.upsert(key());
    const before = store.generation;
    const operator = new Database(path);
    operator.prepare('UPDATE tsig_keys SET revoked = 1').run();
    operator.close();
    expect(store.generation).not.toBe(before);
    expect(store.getActive(key().name, T0)).toBeUndefined();
    db.close();
  });
});
