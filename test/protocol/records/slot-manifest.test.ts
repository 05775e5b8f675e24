import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../../src/protocol/base64.js';
import { concatBytes, writeU32 } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey, signEd25519 } from '../../../src/protocol/crypto/ed25519.js';
import { SLOT_MANIFEST_PREFIX } from '../../../src/protocol/records/prefixes.js';
import { MAX_EXP_FUTURE_SECONDS } from '../../../src/protocol/records/record-fields.js';
import {
  encodeSlotManifestBody,
  isSlotManifestExpired,
  MAX_TOTAL_CHUNKS,
  parseAndVerifySlotManifest,
  type SlotManifestInput,
  signSlotManifest,
} from '../../../src/protocol/records/slot-manifest.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';
import { bytesArb, flipBlobByte, signerArb, valueArb } from './record-arbitraries.js';

const NOW = 1_893_456_000;
const seed = new Uint8Array(32).fill(9);

const manifestArb = fc
  .record({
    signer: signerArb,
    msgId: bytesArb(16),
    recipientId: bytesArb(32),
    n: fc.integer({ min: 1, max: 40 }),
    kFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    prekeyId: fc.nat({ max: 0xffffffff }),
    ts: fc.nat(),
    life: fc.integer({ min: 0, max: MAX_EXP_FUTURE_SECONDS }),
    hashed: fc.boolean(),
    hashSeed: fc.nat(),
  })
  .map((r) => {
    const k = Math.max(1, Math.ceil(r.kFraction * r.n));
    const chunkHashes = r.hashed
      ? Array.from({ length: r.n }, (_, i) => new Uint8Array(32).fill((r.hashSeed + i) & 0xff))
      : [];
    const manifest: SlotManifestInput = {
      msgId: r.msgId,
      senderSpk: r.signer.publicKey,
      recipientId: r.recipientId,
      totalChunks: r.n,
      dataChunks: k,
      prekeyId: r.prekeyId,
      ts: r.ts,
      exp: r.ts + r.life,
      chunkHashes,
    };
    return { seed: r.signer.seed, manifest };
  });

function baseManifest(): SlotManifestInput {
  return {
    msgId: new Uint8Array(16).fill(1),
    senderSpk: ed25519PublicKey(seed),
    recipientId: new Uint8Array(32).fill(2),
    totalChunks: 3,
    dataChunks: 2,
    prekeyId: 0,
    ts: NOW,
    exp: NOW + 300,
    chunkHashes: [1, 2, 3].map((v) => new Uint8Array(32).fill(v)),
  };
}

/** Signs an arbitrary body with `seed`, bypassing the encoder's checks. */
function rawManifest(body: Uint8Array): string {
  return SLOT_MANIFEST_PREFIX + encodeBase64(concatBytes(body, signEd25519(seed, body)));
}

describe('slot manifest', () => {
  it('round-trips every valid manifest, with and without chunk hashes', () => {
    fc.assert(
      fc.property(manifestArb, ({ seed, manifest }) => {
        const value = signSlotManifest(manifest, seed);
        const parsed = parseAndVerifySlotManifest(value, Number(manifest.ts));
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const m = parsed.value;
        expect(m.msgId).toEqual(manifest.msgId);
        expect(m.senderSpk).toEqual(manifest.senderSpk);
        expect(m.recipientId).toEqual(manifest.recipientId);
        expect([m.totalChunks, m.dataChunks, m.prekeyId]).toEqual([
          manifest.totalChunks,
          manifest.dataChunks,
          manifest.prekeyId,
        ]);
        expect(m.ts).toBe(BigInt(manifest.ts));
        expect(m.exp).toBe(BigInt(manifest.exp));
        expect(m.chunkHashes).toEqual(manifest.chunkHashes);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects any single flipped byte of a signed manifest', () => {
    fc.assert(
      fc.property(manifestArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (c, index, mask) => {
        const value = flipBlobByte(
          signSlotManifest(c.manifest, c.seed),
          SLOT_MANIFEST_PREFIX,
          index,
          mask,
        );
        expect(parseAndVerifySlotManifest(value, Number(c.manifest.ts)).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(valueArb(SLOT_MANIFEST_PREFIX), fc.integer(), (value, now) => {
        expect(typeof parseAndVerifySlotManifest(value, now).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on signed bodies with random counts and lengths', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 108, maxLength: 300 }),
        fc.nat(),
        fc.nat(),
        (body, n, k) => {
          writeU32(body, 80, n);
          writeU32(body, 84, k);
          body.set(ed25519PublicKey(seed), 16);
          expect(typeof parseAndVerifySlotManifest(rawManifest(body), NOW).ok).toBe('boolean');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('accepts exp up to 30 days ahead and leaves expiry to the caller', () => {
    const value = signSlotManifest({ ...baseManifest(), exp: NOW + MAX_EXP_FUTURE_SECONDS }, seed);
    expect(parseAndVerifySlotManifest(value, NOW).ok).toBe(true);
    expect(parseAndVerifySlotManifest(value, NOW - 1)).toMatchObject({ ok: false, code: 'future' });
    const later = parseAndVerifySlotManifest(value, NOW + MAX_EXP_FUTURE_SECONDS + 1);
    expect(later.ok).toBe(true);
    if (!later.ok) return;
    expect(isSlotManifestExpired(later.value, NOW + MAX_EXP_FUTURE_SECONDS)).toBe(false);
    expect(isSlotManifestExpired(later.value, NOW + MAX_EXP_FUTURE_SECONDS + 1)).toBe(true);
  });

  it('refuses forbidden values on sign', () => {
    const bad: Partial<SlotManifestInput>[] = [
      { dataChunks: 0 },
      { dataChunks: 4 },
      { totalChunks: 0, dataChunks: 0, chunkHashes: [] },
      { totalChunks: MAX_TOTAL_CHUNKS + 1, dataChunks: 1, chunkHashes: [] },
      { prekeyId: -1 },
      { prekeyId: 2 ** 32 },
      { chunkHashes: [new Uint8Array(32)] },
      { chunkHashes: [1, 2, 3].map(() => new Uint8Array(31)) },
      { ts: -1 },
      { exp: 1n << 64n },
      { exp: 0.5 },
      { msgId: new Uint8Array(17) },
      { recipientId: new Uint8Array(31) },
      { senderSpk: new Uint8Array(32) },
    ];
    for (const patch of bad) {
      expect(
        () => signSlotManifest({ ...baseManifest(), ...patch }, seed),
        Object.keys(patch).join(),
      ).toThrow(DmpEncodeError);
    }
    expect(() => signSlotManifest(baseManifest(), new Uint8Array(33))).toThrow(DmpEncodeError);
  });

  it('enforces n, k and body-length rules on correctly signed bodies', () => {
    const body = encodeSlotManifestBody(baseManifest());
    expect(parseAndVerifySlotManifest(rawManifest(body), NOW).ok).toBe(true);
    const legacy = body.slice(0, 108);
    expect(parseAndVerifySlotManifest(rawManifest(legacy), NOW).ok).toBe(true);
    const withCounts = (b: Uint8Array, n: number, k: number) => {
      const out = b.slice();
      writeU32(out, 80, n);
      writeU32(out, 84, k);
      return out;
    };
    const rejects = [
      withCounts(body, 3, 0),
      withCounts(body, 3, 4),
      withCounts(legacy, MAX_TOTAL_CHUNKS + 1, 1),
      body.slice(0, 108 + 64),
      concatBytes(body, new Uint8Array(32)),
      body.slice(0, 107),
    ];
    for (const b of rejects) expect(parseAndVerifySlotManifest(rawManifest(b), NOW).ok).toBe(false);
    const atCap = concatBytes(
      withCounts(legacy, MAX_TOTAL_CHUNKS, 1),
      new Uint8Array(32 * MAX_TOTAL_CHUNKS),
    );
    expect(parseAndVerifySlotManifest(rawManifest(atCap), NOW).ok).toBe(true);
  });

  it('refuses non-ASCII base64 text as the reference does, but skips ASCII junk', () => {
    const value = signSlotManifest(baseManifest(), seed);
    const cut = SLOT_MANIFEST_PREFIX.length + 10;
    expect(parseAndVerifySlotManifest(`${value.slice(0, cut)} \n${value.slice(cut)}`, NOW).ok).toBe(
      true,
    );
    expect(
      parseAndVerifySlotManifest(`${value.slice(0, cut)}é${value.slice(cut)}`, NOW),
    ).toMatchObject({ ok: false, code: 'base64' });
  });
});
