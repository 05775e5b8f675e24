/**
 * Operator token administration on a real (in-memory) node database:
 * durations, the prekey scope, issue, revoke by subject or hash prefix
 * (ambiguity refused), rotation, and the store queries behind list and
 * audit tail.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  issueToken,
  parseDuration,
  prekeyScopeHash12,
  revokeTokens,
  rotateToken,
  TokenAdminError,
} from '../../../src/node/admin/token-admin.js';
import { bearerTokenHash } from '../../../src/node/auth/bearer-token.js';
import {
  MEMORY_PATH,
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/node/store/sqlite/database.js';
import { SqliteTokenStore } from '../../../src/node/store/sqlite/token-store.js';
import type { TokenRecord } from '../../../src/node/store/types.js';

const T0 = 1_700_000_000;

describe('parseDuration', () => {
  it.each([
    ['300', 300],
    ['300s', 300],
    ['45m', 2700],
    ['12h', 43_200],
    ['90d', 7_776_000],
    ['4w', 2_419_200],
    [' 7d\n', 604_800],
    ['0', 0],
  ])('%j is %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '  ', '1.5h', '10y', 'd', '-5', '١٠s', '10 s', '10\u00a0'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(RangeError);
  });
});

describe('prekeyScopeHash12', () => {
  it('is the first 12 hex digits of SHA-256 of the 32-byte key', () => {
    const key = Buffer.alloc(32, 0x42);
    const want = createHash('sha256').update(key).digest('hex').slice(0, 12);
    expect(prekeyScopeHash12(key.toString('hex'))).toBe(want);
    expect(prekeyScopeHash12(key.toString('hex').toUpperCase())).toBe(want);
  });

  it('refuses non-hex and other lengths (exit 2)', () => {
    for (const [hex, text] of [
      ['zz', 'must be hex'],
      ['abc', 'must be hex'],
      ['ab'.repeat(31), 'got 31 bytes'],
    ] as const) {
      try {
        prekeyScopeHash12(hex);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(TokenAdminError);
        expect((err as TokenAdminError).exitCode).toBe(2);
        expect((err as Error).message).toContain(text);
      }
    }
  });
});

describe('token administration', () => {
  let db: NodeDatabase;
  let store: SqliteTokenStore;
  const issue = (subject: string, extra: Partial<Parameters<typeof issueToken>[1]> = {}) =>
    issueToken(store, { subject, issuer: 'admin:ops', now: T0, ...extra });

  beforeEach(() => {
    db = openNodeDatabase(MEMORY_PATH);
    store = new SqliteTokenStore(db);
  });
  afterEach(() => db.close());

  it('issue stores the hash of the returned token, canonical subject, defaults and expiry', () => {
    const { token, record } = issue('  Alice@Example.COM ', { expiresInSeconds: 60, note: 'x' });
    expect(token).toMatch(/^dmp_v1_[A-Z2-7]{52}$/);
    expect(record).toMatchObject({
      tokenHash: bearerTokenHash(token),
      subject: 'alice@example.com',
      subjectType: 1,
      subjectHash12: null,
      ratePerSec: 10,
      rateBurst: 50,
      issuedAt: T0,
      expiresAt: T0 + 60,
      issuer: 'admin:ops',
      note: 'x',
      registeredSpk: null,
    });
    expect(store.findLive(record.tokenHash, T0)).toEqual(record);
    expect(issue('bob@example.com', { expiresInSeconds: 0 }).record.expiresAt).toBeNull();
  });

  it('issue refuses a subject that is not local@domain (exit 2) and stores nothing', () => {
    expect(() => issue('alice')).toThrow(TokenAdminError);
    expect(() => issue('ålice@example.com')).toThrow(/ASCII/);
    expect(store.list({ includeRevoked: true })).toEqual([]);
  });

  it('list: newest first, unrevoked unless asked, one subject', () => {
    const a = issue('alice@example.com', { now: T0 }).record;
    const b = issue('bob@example.com', { now: T0 + 1 }).record;
    const a2 = issue('alice@example.com', { now: T0 + 2 }).record;
    store.revoke(a.tokenHash, T0 + 3);
    expect(store.list().map((t) => t.tokenHash)).toEqual([a2.tokenHash, b.tokenHash]);
    expect(store.list({ includeRevoked: true }).map((t) => t.tokenHash)).toEqual([
      a2.tokenHash,
      b.tokenHash,
      a.tokenHash,
    ]);
    expect(
      store.list({ includeRevoked: true, subject: 'alice@example.com' }).map((t) => t.revokedAt),
    ).toEqual([null, T0 + 3]);
  });

  it('revoke by subject revokes every unrevoked token of it, whoever issued it', () => {
    const admin = issue('alice@example.com').record;
    const self = issue('alice@example.com', { issuer: 'self-service' }).record;
    const other = issue('bob@example.com').record;
    const out = revokeTokens(store, 'ALICE@example.com', T0 + 5);
    expect(out.by).toBe('subject');
    if (out.by !== 'subject') return;
    expect(out.revoked.map((t) => t.tokenHash).sort()).toEqual(
      [admin.tokenHash, self.tokenHash].sort(),
    );
    expect(store.findLive(admin.tokenHash, T0 + 5)).toBeUndefined();
    expect(store.findLive(self.tokenHash, T0 + 5)).toBeUndefined();
    expect(store.findLive(other.tokenHash, T0 + 5)).toBeDefined();
    const audit = store.recentAudit(10, 'revoked');
    expect(audit).toHaveLength(2);
    expect(audit.every((e) => e.subject === 'alice@example.com' && e.tokenHash !== null)).toBe(
      true,
    );
  });

  it('revoke by hash prefix: unique prefix revokes one; ambiguous revokes none (exit 2); none is exit 1', () => {
    // Issue until two hashes share their first hex digit (17 suffice).
    const issued: TokenRecord[] = [];
    let shared: string | undefined;
    while (shared === undefined) {
      const t = issue(`u${issued.length}@example.com`).record;
      shared = issued.find((o) => o.tokenHash[0] === t.tokenHash[0])?.tokenHash[0];
      issued.push(t);
    }
    const before = store.list().length;
    try {
      revokeTokens(store, shared, T0);
      expect.unreachable();
    } catch (err) {
      expect((err as TokenAdminError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(/is ambiguous — matches [2-9]\d* tokens/);
    }
    expect(store.list()).toHaveLength(before);

    const target = issued[0]!;
    const out = revokeTokens(store, target.tokenHash.slice(0, 20).toUpperCase(), T0 + 1);
    expect(out).toMatchObject({ by: 'hash-prefix', token: { tokenHash: target.tokenHash } });
    expect(store.list()).toHaveLength(before - 1);
    // A revoked token no longer matches: the prefix now names nothing.
    for (const gone of [target.tokenHash.slice(0, 20), 'nothex', '']) {
      try {
        revokeTokens(store, gone, T0 + 2);
        expect.unreachable();
      } catch (err) {
        expect((err as TokenAdminError).exitCode).toBe(1);
      }
    }
  });

  it("rotate revokes the subject's tokens and inserts a new one in one transaction, keeping the prekey scope", () => {
    const old = issue('alice@example.com', { subjectHash12: 'abcdef012345' }).record;
    const other = issue('alice@example.com', { now: T0 + 1 }).record;
    const r = rotateToken(store, {
      subject: 'alice@example.com',
      issuer: 'admin:ops:rotate',
      note: 'rotation',
      rateBurst: 9,
      now: T0 + 10,
    });
    expect(r.revoked.map((t) => t.tokenHash).sort()).toEqual(
      [old.tokenHash, other.tokenHash].sort(),
    );
    expect(store.list().map((t) => t.tokenHash)).toEqual([r.record.tokenHash]);
    expect(r.record).toMatchObject({
      subjectHash12: 'abcdef012345',
      rateBurst: 9,
      ratePerSec: 10,
      issuer: 'admin:ops:rotate',
      note: 'rotation',
    });
    expect(store.findLive(bearerTokenHash(r.token), T0 + 10)).toEqual(r.record);
    // Revocations are audited before the new issue.
    expect(store.recentAudit(3).map((e) => e.event)).toEqual(['issued', 'revoked', 'revoked']);
  });

  it('rotate changes nothing when the insert fails', () => {
    const old = issue('alice@example.com', { generate: () => 'dmp_v1_SAME' }).record;
    expect(() =>
      rotateToken(store, {
        subject: 'alice@example.com',
        issuer: 'admin:ops',
        now: T0 + 1,
        generate: () => 'dmp_v1_SAME',
      }),
    ).toThrow();
    expect(store.list().map((t) => t.tokenHash)).toEqual([old.tokenHash]);
    expect(store.recentAudit(10, 'revoked')).toEqual([]);
  });

  it('audit: filtered by event, newest first, limited', () => {
    const a = issue('alice@example.com').record;
    issue('bob@example.com');
    store.revoke(a.tokenHash, T0 + 1);
    expect(store.recentAudit(10, 'issued').map((e) => e.subject)).toEqual([
      'bob@example.com',
      'alice@example.com',
    ]);
    expect(store.recentAudit(1, 'issued').map((e) => e.subject)).toEqual(['bob@example.com']);
    expect(store.recentAudit(10, 'throttled')).toEqual([]);
    expect(store.recentAudit(10).map((e) => e.event)).toEqual(['revoked', 'issued', 'issued']);
  });
});
