/** SqliteTokenStore: liveness, self-service rotation atomicity, revocation and the audit trail. */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MEMORY_PATH,
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/node/store/sqlite/database.js';
import { SqliteTokenStore } from '../../../src/node/store/sqlite/token-store.js';
import type { TokenRecord } from '../../../src/node/store/types.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

const T0 = 1_700_000_000;
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

function token(secret: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    tokenHash: hashOf(secret),
    subject: 'alice@mesh.example',
    subjectType: 1,
    subjectHash12: '0123456789ab',
    ratePerSec: 10,
    rateBurst: 50,
    issuedAt: T0,
    expiresAt: null,
    revokedAt: null,
    issuer: 'self-service',
    note: '',
    registeredSpk: 'ab'.repeat(32),
    ...overrides,
  };
}

for (const where of ['file', 'memory'] as const) {
  describe(`SqliteTokenStore (${where})`, () => {
    let dir: TempDir | undefined;
    let db: NodeDatabase;
    let store: SqliteTokenStore;
    beforeEach(() => {
      dir = where === 'file' ? makeTempDir() : undefined;
      db = openNodeDatabase(dir ? dir.file('node.db') : MEMORY_PATH);
      store = new SqliteTokenStore(db);
    });
    afterEach(() => {
      db.close();
      dir?.remove();
    });

    it('round-trips every field and finds a token by hash in any case', () => {
      const t = token('tok-1', {
        ratePerSec: 2.5,
        expiresAt: T0 + 10,
        issuer: 'admin',
        note: 'ops',
        registeredSpk: null,
        subjectHash12: null,
      });
      store.insert(t);
      expect(store.findLive(t.tokenHash, T0)).toEqual(t);
      expect(store.findLive(t.tokenHash.toUpperCase(), T0)).toEqual(t);
      expect(store.findLive(hashOf('unknown'), T0)).toBeUndefined();
    });

    it('is live until expires_at (exclusive) and while unrevoked', () => {
      const t = token('tok-exp', { expiresAt: T0 + 100 });
      store.insert(t);
      expect(store.findLive(t.tokenHash, T0 + 99)).toBeDefined();
      expect(store.findLive(t.tokenHash, T0 + 100)).toBeUndefined();
      const forever = token('tok-forever');
      store.insert(forever);
      expect(store.findLive(forever.tokenHash, 2 ** 40)).toBeDefined();
      expect(store.revoke(forever.tokenHash, T0 + 5)).toBe(true);
      expect(store.revoke(forever.tokenHash, T0 + 6)).toBe(false);
      expect(store.revoke(hashOf('never'), T0)).toBe(false);
      expect(store.findLive(forever.tokenHash, T0)).toBeUndefined();
    });

    it('refuses a duplicate hash and a malformed hash', () => {
      store.insert(token('dup'));
      expect(() => store.insert(token('dup'))).toThrow(/UNIQUE/);
      expect(() => store.insert(token('x', { tokenHash: 'not-hex' }))).toThrow(RangeError);
    });

    it('issueSelfService revokes every prior self-service token of the subject and inserts the new one', () => {
      store.insert(token('old-1'));
      store.insert(token('old-2', { issuedAt: T0 + 1 }));
      store.insert(token('admin', { issuer: 'admin' }));
      store.insert(token('bob', { subject: 'bob@mesh.example' }));
      expect(store.liveSelfService('alice@mesh.example', T0 + 2).map((t) => t.tokenHash)).toEqual([
        hashOf('old-1'),
        hashOf('old-2'),
      ]);
      store.issueSelfService(token('new', { issuedAt: T0 + 10 }), T0 + 10);
      expect(store.liveSelfService('alice@mesh.example', T0 + 10).map((t) => t.tokenHash)).toEqual([
        hashOf('new'),
      ]);
      expect(store.findLive(hashOf('old-1'), T0 + 10)).toBeUndefined();
      const revokedAt = db.connection
        .prepare('SELECT revoked_at FROM tokens WHERE token_hash = ?')
        .pluck()
        .get(hashOf('old-2'));
      expect(revokedAt).toBe(T0 + 10);
      // Other issuers and other subjects are untouched.
      expect(store.findLive(hashOf('admin'), T0 + 10)).toBeDefined();
      expect(store.findLive(hashOf('bob'), T0 + 10)).toBeDefined();
    });

    it('issueSelfService is atomic: a failing insert revokes nothing', () => {
      store.insert(token('old'));
      store.insert(token('taken', { subject: 'someone-else@mesh.example' }));
      // Same hash as an existing token: the insert fails after the revocations ran.
      expect(() => store.issueSelfService(token('taken'), T0 + 5)).toThrow(/UNIQUE/);
      expect(store.findLive(hashOf('old'), T0 + 5)).toBeDefined();
      expect(store.recentAudit(10).filter((e) => e.event === 'revoked')).toEqual([]);
    });

    it('issueSelfService refuses a token that is not self-service', () => {
      expect(() => store.issueSelfService(token('a', { issuer: 'admin' }), T0)).toThrow(RangeError);
      expect(store.findLive(hashOf('a'), T0)).toBeUndefined();
    });

    it('writes an audit trail of issues and revocations, hashes only', () => {
      store.insert(token('first'));
      store.issueSelfService(token('second', { issuedAt: T0 + 1 }), T0 + 1);
      store.revoke(hashOf('second'), T0 + 2);
      store.appendAudit({
        ts: T0 + 3,
        event: 'throttled',
        tokenHash: null,
        subject: null,
        remoteAddr: '127.0.0.1',
        detail: 'shared pool',
      });
      const trail = store.recentAudit(10);
      expect(trail.map((e) => [e.ts, e.event, e.tokenHash])).toEqual([
        [T0 + 3, 'throttled', null],
        [T0 + 2, 'revoked', hashOf('second')],
        [T0 + 1, 'issued', hashOf('second')],
        [T0 + 1, 'revoked', hashOf('first')],
        [T0, 'issued', hashOf('first')],
      ]);
      expect(trail[1]!.subject).toBe('alice@mesh.example');
      expect(trail[0]!.remoteAddr).toBe('127.0.0.1');
      expect(store.recentAudit(2)).toHaveLength(2);
      const dump = JSON.stringify(db.connection.prepare('SELECT * FROM token_audit').all());
      expect(dump).not.toContain('"first"');
      expect(dump).not.toContain('"second"');
      // Pruning takes the oldest entries first, never more than asked.
      expect(store.pruneAudit(T0 + 2, 1)).toBe(1);
      expect(store.recentAudit(10).map((e) => e.ts)).toEqual([T0 + 3, T0 + 2, T0 + 1, T0 + 1]);
      expect(store.pruneAudit(T0 + 2, 100)).toBe(2);
      expect(store.recentAudit(10).map((e) => e.ts)).toEqual([T0 + 3, T0 + 2]);
    });
  });
}
