/** Record-write authorisation per auth mode, against the real sqlite token store. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bearerTokenHash,
  generateBearerToken,
  looksLikeBearerToken,
} from '../../../src/node/auth/bearer-token.js';
import { secretEquals } from '../../../src/node/auth/operator-token.js';
import {
  authorizeRecordWrite,
  type RecordWriteAuthContext,
  type TokenAuditEvent,
} from '../../../src/node/auth/record-write-auth.js';
import { TokenBuckets } from '../../../src/node/rate-limit/token-bucket.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { type NodeStores, openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import type { TokenRecord } from '../../../src/node/store/types.js';
import { hexHash } from '../../../src/protocol/crypto/hash.js';

const NOW = 1_900_000_000;
const OPERATOR = 'operator-secret-token';

describe('bearer tokens', () => {
  it('are dmp_v1_ + 52 base32 characters and hash as SHA-256 hex', () => {
    const t = generateBearerToken();
    expect(t).toMatch(/^dmp_v1_[A-Z2-7]{52}$/);
    expect(looksLikeBearerToken(t)).toBe(true);
    expect(looksLikeBearerToken(t.toLowerCase())).toBe(false);
    expect(looksLikeBearerToken(`${t}A`)).toBe(false);
    expect(bearerTokenHash('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    // base32 of 32 zero bytes: all 'A'.
    expect(generateBearerToken((n) => new Uint8Array(n))).toBe(`dmp_v1_${'A'.repeat(52)}`);
    expect(generateBearerToken((n) => new Uint8Array(n).fill(0xff))).toBe(
      `dmp_v1_${'7'.repeat(51)}Q`,
    );
  });

  it('secretEquals compares exactly', () => {
    expect(secretEquals('abc', 'abc')).toBe(true);
    expect(secretEquals('abc', 'abd')).toBe(false);
    expect(secretEquals('abc', 'abcd')).toBe(false);
    expect(secretEquals('', '')).toBe(true);
  });
});

describe('authorizeRecordWrite', () => {
  let stores: NodeStores;
  let audit: TokenAuditEvent[];
  const aliceToken = generateBearerToken();
  const poolToken = generateBearerToken();

  function row(token: string, over: Partial<TokenRecord> = {}): TokenRecord {
    return {
      tokenHash: bearerTokenHash(token),
      subject: 'alice@mesh.test',
      subjectType: 1,
      subjectHash12: '0123456789ab',
      ratePerSec: 1,
      rateBurst: 2,
      issuedAt: NOW,
      expiresAt: null,
      revokedAt: null,
      issuer: 'admin',
      note: '',
      registeredSpk: null,
      ...over,
    };
  }

  beforeEach(() => {
    stores = openNodeStores(MEMORY_PATH);
    stores.tokens.insert(row(aliceToken));
    stores.tokens.insert(row(poolToken, { subject: 'bob@mesh.test', subjectHash12: null }));
    audit = [];
  });
  afterEach(() => stores.close());

  function ctx(mode: string, operatorToken: string | undefined = OPERATOR): RecordWriteAuthContext {
    return {
      authMode: mode,
      operatorToken,
      tokens: stores.tokens,
      tokenBuckets: new TokenBuckets({ clock: () => 0 }),
      audit: { appendAudit: (e) => audit.push(e) },
    };
  }
  const req = (
    authorization: string | undefined,
    name: string,
    op: 'publish' | 'delete' = 'publish',
  ) => ({
    authorization,
    name,
    op,
    remoteAddr: '192.0.2.1',
    now: NOW,
  });

  it('open mode lets anyone write', () => {
    expect(authorizeRecordWrite(ctx('open'), req(undefined, 'cluster.mesh.test'))).toEqual({
      ok: true,
      via: 'open',
    });
  });

  it('legacy mode takes the operator token only', () => {
    const c = ctx('legacy');
    expect(authorizeRecordWrite(c, req(`Bearer ${OPERATOR}`, 'x.test')).ok).toBe(true);
    expect(authorizeRecordWrite(c, req(`bearer ${OPERATOR}`, 'x.test')).ok).toBe(false);
    expect(authorizeRecordWrite(c, req(`Bearer ${aliceToken}`, 'dmp.alice.mesh.test'))).toEqual({
      ok: false,
      status: 401,
    });
  });

  it('an unknown mode fails closed to the operator token', () => {
    const c = ctx('Multi-Tenant');
    expect(authorizeRecordWrite(c, req(`Bearer ${aliceToken}`, 'dmp.alice.mesh.test')).ok).toBe(
      false,
    );
    expect(authorizeRecordWrite(c, req(`Bearer ${OPERATOR}`, 'dmp.alice.mesh.test')).ok).toBe(true);
  });

  it('without an operator token configured, no bearer string is an operator', () => {
    const c = ctx('legacy', undefined);
    expect(authorizeRecordWrite(c, req('Bearer ', 'x.test')).ok).toBe(false);
    expect(authorizeRecordWrite(c, req(undefined, 'x.test')).ok).toBe(false);
  });

  describe('multi-tenant', () => {
    it('lets a user write its owner names and refuses other users’', () => {
      // A fresh context per call: this test is about scope, not the per-token bucket.
      const ok = (auth: string, name: string) =>
        authorizeRecordWrite(ctx('multi-tenant'), req(auth, name)).ok;
      const auth = `Bearer ${aliceToken}`;
      expect(authorizeRecordWrite(ctx('multi-tenant'), req(auth, 'dmp.alice.mesh.test'))).toEqual({
        ok: true,
        via: 'user',
        subject: 'alice@mesh.test',
      });
      expect(ok(auth, `id-${hexHash('alice', 16)}.mesh.test`)).toBe(true);
      expect(ok(auth, 'dmp.bob.mesh.test')).toBe(false);
      expect(ok(auth, `id-${hexHash('alice', 16)}.other.test`)).toBe(false);
      expect(ok(auth, 'pk-1.0123456789ab.mesh.test')).toBe(true);
      expect(ok(`Bearer ${poolToken}`, 'pk-1.0123456789ab.mesh.test')).toBe(false);
    });

    it('lets any live token publish into the shared pool but never delete there', () => {
      const c = ctx('multi-tenant');
      const name = 'slot-1.mb-0123456789ab.mesh.test';
      expect(authorizeRecordWrite(c, req(`Bearer ${poolToken}`, name)).ok).toBe(true);
      expect(authorizeRecordWrite(c, req(`Bearer ${poolToken}`, name, 'delete'))).toEqual({
        ok: false,
        status: 401,
      });
      // Shared-pool audit rows never name the token.
      expect(audit.every((e) => e.tokenHash === null && e.subject === null)).toBe(true);
    });

    it('refuses operator-only and malformed names, unknown and revoked tokens', () => {
      const c = ctx('multi-tenant');
      expect(authorizeRecordWrite(c, req(`Bearer ${aliceToken}`, 'cluster.mesh.test')).ok).toBe(
        false,
      );
      expect(authorizeRecordWrite(c, req(`Bearer ${aliceToken}`, '_dmp.mesh.test')).ok).toBe(false);
      expect(
        authorizeRecordWrite(c, req(`Bearer ${generateBearerToken()}`, 'dmp.alice.mesh.test')).ok,
      ).toBe(false);
      expect(authorizeRecordWrite(c, req('Bearer not-a-token', 'dmp.alice.mesh.test')).ok).toBe(
        false,
      );
      stores.tokens.revoke(bearerTokenHash(aliceToken), NOW - 1);
      expect(authorizeRecordWrite(c, req(`Bearer ${aliceToken}`, 'dmp.alice.mesh.test')).ok).toBe(
        false,
      );
      expect(audit.map((e) => e.event)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    });

    it('charges the per-token bucket and answers 429 when it is empty', () => {
      const c = ctx('multi-tenant');
      const r = req(`Bearer ${aliceToken}`, 'dmp.alice.mesh.test');
      expect(authorizeRecordWrite(c, r).ok).toBe(true);
      expect(authorizeRecordWrite(c, r).ok).toBe(true);
      expect(authorizeRecordWrite(c, r)).toEqual({ ok: false, status: 429 });
      expect(audit.map((e) => e.event)).toEqual(['used', 'used', 'throttled']);
      expect(audit[0]!.tokenHash).toBe(bearerTokenHash(aliceToken));
      // The operator is never throttled by user buckets.
      expect(authorizeRecordWrite(c, req(`Bearer ${OPERATOR}`, 'dmp.alice.mesh.test')).ok).toBe(
        true,
      );
    });

    it('refuses every user token when no token store is wired', () => {
      const c = { ...ctx('multi-tenant'), tokens: undefined };
      expect(authorizeRecordWrite(c, req(`Bearer ${aliceToken}`, 'dmp.alice.mesh.test')).ok).toBe(
        false,
      );
    });
  });
});
