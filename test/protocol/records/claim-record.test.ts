import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../../src/protocol/base64.js';
import { concatBytes, u64, utf8 } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey, signEd25519 } from '../../../src/protocol/crypto/ed25519.js';
import {
  CLAIM_MAGIC,
  type ClaimRecordInput,
  encodeClaimBody,
  parseAndVerifyClaimRecord,
  signClaimRecord,
} from '../../../src/protocol/records/claim-record.js';
import { CLAIM_RECORD_PREFIX } from '../../../src/protocol/records/prefixes.js';
import { MAX_EXP_FUTURE_SECONDS } from '../../../src/protocol/records/record-fields.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';
import { bytesArb, flipBlobByte, signerArb, valueArb } from './record-arbitraries.js';

const NOW = 1_893_456_000;
const seed = new Uint8Array(32).fill(7);
const domainChar = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));

const claimArb = fc
  .record({
    signer: signerArb,
    msgId: bytesArb(16),
    domain: fc.string({ unit: domainChar, minLength: 1, maxLength: 43 }),
    slot: fc.integer({ min: 0, max: 9 }),
    // "now" is a number, so keep ts where a number represents it exactly.
    ts: fc.bigInt({
      min: 0n,
      max: BigInt(Number.MAX_SAFE_INTEGER) - BigInt(MAX_EXP_FUTURE_SECONDS),
    }),
    life: fc.integer({ min: 1, max: MAX_EXP_FUTURE_SECONDS }),
  })
  .map(({ signer, msgId, domain, slot, ts, life }) => ({
    seed: signer.seed,
    claim: {
      msgId,
      senderSpk: signer.publicKey,
      senderMailboxDomain: domain,
      slot,
      ts,
      exp: ts + BigInt(life),
    } satisfies ClaimRecordInput,
  }));

function baseClaim(): ClaimRecordInput {
  return {
    msgId: new Uint8Array(16).fill(1),
    senderSpk: ed25519PublicKey(seed),
    senderMailboxDomain: 'mesh.test',
    slot: 3,
    ts: NOW,
    exp: NOW + 300,
  };
}

/** Signs an arbitrary body with `seed`, bypassing the encoder's checks. */
function rawClaim(body: Uint8Array): string {
  return CLAIM_RECORD_PREFIX + encodeBase64(concatBytes(body, signEd25519(seed, body)));
}

describe('claim record', () => {
  it('round-trips every valid claim (sign -> parse at ts)', () => {
    fc.assert(
      fc.property(claimArb, ({ seed, claim }) => {
        const value = signClaimRecord(claim, seed);
        expect(utf8(value).length).toBeLessThanOrEqual(255);
        const parsed = parseAndVerifyClaimRecord(value, Number(claim.ts));
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.value.msgId).toEqual(claim.msgId);
        expect(parsed.value.senderSpk).toEqual(claim.senderSpk);
        expect(parsed.value.senderMailboxDomain).toBe(claim.senderMailboxDomain);
        expect(parsed.value.slot).toBe(claim.slot);
        expect(parsed.value.ts).toBe(claim.ts);
        expect(parsed.value.exp).toBe(claim.exp);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects any single flipped byte of a signed claim', () => {
    fc.assert(
      fc.property(claimArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (c, index, mask) => {
        const value = flipBlobByte(
          signClaimRecord(c.claim, c.seed),
          CLAIM_RECORD_PREFIX,
          index,
          mask,
        );
        expect(parseAndVerifyClaimRecord(value, Number(c.claim.ts)).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(valueArb(CLAIM_RECORD_PREFIX), fc.integer(), (value, now) => {
        const result = parseAndVerifyClaimRecord(value, now);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('applies the freshness rules at their boundaries', () => {
    const value = signClaimRecord(baseClaim(), seed);
    const at = (now: number, tsSkewSeconds?: number) =>
      parseAndVerifyClaimRecord(value, now, tsSkewSeconds === undefined ? {} : { tsSkewSeconds });
    expect(at(NOW - 300).ok).toBe(true);
    expect(at(NOW - 301)).toMatchObject({ ok: false, code: 'future' });
    expect(at(NOW - 1, 0)).toMatchObject({ ok: false, code: 'future' });
    expect(at(NOW + 299).ok).toBe(true);
    expect(at(NOW + 300)).toMatchObject({ ok: false, code: 'expired' });
    expect(at(NOW + 299.9).ok).toBe(true);

    const long = signClaimRecord({ ...baseClaim(), exp: NOW + MAX_EXP_FUTURE_SECONDS }, seed);
    expect(parseAndVerifyClaimRecord(long, NOW).ok).toBe(true);
    expect(parseAndVerifyClaimRecord(long, NOW - 1)).toMatchObject({ ok: false, code: 'future' });
  });

  it('refuses forbidden values on sign', () => {
    const bad: Partial<ClaimRecordInput>[] = [
      { senderMailboxDomain: '' },
      { senderMailboxDomain: 'a'.repeat(44) },
      { senderMailboxDomain: 'mesh test' },
      { senderMailboxDomain: 'mesh\x7ftest' },
      { senderMailboxDomain: 'é'.repeat(22) }, // 22 characters, 44 bytes
      { senderMailboxDomain: '\ud800x' },
      { slot: 10 },
      { slot: -1 },
      { slot: 1.5 },
      { ts: NOW + 300 },
      { ts: 1n << 63n, exp: (1n << 63n) + 1n },
      { ts: -1 },
      { msgId: new Uint8Array(15) },
      { senderSpk: new Uint8Array(32) },
    ];
    for (const patch of bad) {
      expect(
        () => signClaimRecord({ ...baseClaim(), ...patch }, seed),
        Object.keys(patch).join(),
      ).toThrow(DmpEncodeError);
    }
    expect(() => encodeClaimBody({ ...baseClaim(), slot: 10 })).toThrow(DmpEncodeError);
    expect(() => signClaimRecord(baseClaim(), new Uint8Array(31))).toThrow(DmpEncodeError);
  });

  it('enforces every sign-side rule on parse, even on correctly signed bodies', () => {
    const good = encodeClaimBody(baseClaim());
    expect(parseAndVerifyClaimRecord(rawClaim(good), NOW).ok).toBe(true);
    const magic = utf8(CLAIM_MAGIC);
    const head = concatBytes(magic, new Uint8Array(16).fill(1), ed25519PublicKey(seed));
    const body = (domain: Uint8Array, slot: number, ts: bigint, exp: bigint) =>
      concatBytes(
        head,
        Uint8Array.of(domain.length),
        domain,
        Uint8Array.of(slot),
        u64(ts),
        u64(exp),
      );
    const mesh = utf8('mesh.test');
    const ts = BigInt(NOW);
    const rejects: Uint8Array[] = [
      body(utf8('mesh\ttest'), 3, ts, ts + 300n),
      body(Uint8Array.of(0x6d, 0xff), 3, ts, ts + 300n),
      body(mesh, 10, ts, ts + 300n),
      body(mesh, 3, ts, ts),
      body(mesh, 3, 1n << 63n, (1n << 63n) + 1n),
      body(utf8('a'.repeat(44)), 3, ts, ts + 300n),
      concatBytes(good, Uint8Array.of(0)),
      good.subarray(0, good.length - 1),
    ];
    for (const b of rejects) expect(parseAndVerifyClaimRecord(rawClaim(b), NOW).ok).toBe(false);
  });

  it('rejects values over 255 bytes and non-strict base64 before verifying', () => {
    // A 10-byte domain makes the blob a multiple of 3, so the base64 has no padding.
    const value = signClaimRecord({ ...baseClaim(), senderMailboxDomain: 'mesh.tests' }, seed);
    expect(value.endsWith('=')).toBe(false);
    expect(parseAndVerifyClaimRecord(`${value}=`, NOW).ok).toBe(true); // strict quirk: pad after a full group
    const padded = signClaimRecord(baseClaim(), seed);
    expect(padded.endsWith('=')).toBe(true);
    expect(parseAndVerifyClaimRecord(`${padded}=`, NOW).ok).toBe(false); // data after completed padding
    expect(parseAndVerifyClaimRecord(value.replace(';R', '; R'), NOW)).toMatchObject({
      ok: false,
      code: 'base64',
    });
    expect(parseAndVerifyClaimRecord(value + '='.repeat(256 - value.length), NOW)).toMatchObject({
      ok: false,
      code: 'too-long',
    });
  });

  it('keeps a leading BOM in the mailbox domain, as Python decodes it', () => {
    const value = signClaimRecord({ ...baseClaim(), senderMailboxDomain: '\ufeffmesh.test' }, seed);
    const parsed = parseAndVerifyClaimRecord(value, NOW);
    expect(parsed.ok && parsed.value.senderMailboxDomain).toBe('\ufeffmesh.test');
  });
});
