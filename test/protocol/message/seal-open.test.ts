import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/protocol/bytes.js';
import { installCryptoProvider } from '../../../src/protocol/crypto/active.js';
import { identityFromPrivateKey } from '../../../src/protocol/crypto/identity.js';
import type { CryptoProvider } from '../../../src/protocol/crypto/provider.js';
import { openMessage } from '../../../src/protocol/message/open.js';
import { type SealedRecord, sealMessage } from '../../../src/protocol/message/seal.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';
import { nodeCryptoProvider } from '../../../src/runtime/node-crypto-provider.js';

const alice = identityFromPrivateKey(new Uint8Array(32).fill(1));
const bob = identityFromPrivateKey(new Uint8Array(32).fill(2));
const NOW = 1_900_000_000;
/** Largest body with a v1 header of a 10-digit ts and ttl 300 (25,084 − 360). */
const MAX_BODY = 24_724;

let previous: CryptoProvider;
beforeAll(() => {
  previous = installCryptoProvider(nodeCryptoProvider);
});
afterAll(() => {
  installCryptoProvider(previous);
});

function seal(body: Uint8Array, extra: Partial<Parameters<typeof sealMessage>[0]> = {}) {
  return sealMessage({
    sender: alice,
    senderZone: 'alice.test',
    recipient: { x25519Public: bob.x25519Public, claimZone: 'bob.test' },
    body,
    now: NOW,
    ...extra,
  });
}

describe('sealMessage / openMessage', () => {
  it('round-trips random bodies from 0 to 25 KB; larger bodies are refused before any record', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 25_600 }), fc.integer(), (size, seed) => {
        const body = new Uint8Array(size).map((_, i) => (i * 31 + seed) & 0xff);
        if (size > MAX_BODY) {
          expect(() => seal(body)).toThrow(DmpEncodeError);
          return;
        }
        const sealed = seal(body);
        expect(sealed.records.filter((r) => r.kind === 'chunk')).toHaveLength(sealed.n);
        const opened = openMessage(sealed.records, { identity: bob }, { now: NOW + 10 });
        if (!opened.ok) throw new Error(`${opened.code}: ${opened.detail}`);
        expect(toHex(opened.value.body)).toBe(toHex(body));
        expect(toHex(opened.value.senderSpk)).toBe(toHex(alice.ed25519Public));
        expect(toHex(opened.value.msgId)).toBe(toHex(sealed.msgId));
      }),
      { numRuns: 60 },
    );
    expect(() => seal(new Uint8Array(MAX_BODY))).not.toThrow();
    expect(() => seal(new Uint8Array(MAX_BODY + 1))).toThrow(DmpEncodeError);
  });

  it('tampering any byte of any record never yields a wrong message or a throw', () => {
    const body = new TextEncoder().encode('tamper with me '.repeat(40));
    const sealed = seal(body);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sealed.records.length - 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 127 }),
        (which, pos, xor) => {
          const records: SealedRecord[] = sealed.records.map((r) => ({ ...r }));
          const target = records[which]!;
          const at = pos % target.value.length;
          const code = target.value.charCodeAt(at) ^ xor;
          records[which] = {
            ...target,
            value:
              target.value.slice(0, at) + String.fromCharCode(code) + target.value.slice(at + 1),
          };
          const opened = openMessage(records, { identity: bob }, { now: NOW + 1 });
          if (opened.ok) {
            // Only chunk damage can be survived (parity fills in), and then exactly.
            expect(target.kind).not.toBe('manifest');
            expect(toHex(opened.value.body)).toBe(toHex(body));
          } else {
            expect(typeof opened.code).toBe('string');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any tampered manifest is refused; a lost data chunk is recovered from parity', () => {
    const sealed = seal(new TextEncoder().encode('x'.repeat(900)));
    const manifestIndex = sealed.records.findIndex((r) => r.kind === 'manifest');
    const m = sealed.records[manifestIndex]!;
    for (let at = 'v=dmp1;t=manifest;d='.length; at < m.value.length; at += 7) {
      const records = [...sealed.records];
      const c = m.value[at] === 'A' ? 'B' : 'A';
      records[manifestIndex] = { ...m, value: m.value.slice(0, at) + c + m.value.slice(at + 1) };
      expect(openMessage(records, { identity: bob }, { now: NOW }).ok).toBe(false);
    }
    const withoutFirstChunk = sealed.records.filter((r) => r !== sealed.records[0]);
    expect(openMessage(withoutFirstChunk, { identity: bob }, { now: NOW }).ok).toBe(true);
    const parityOnlyMissing = sealed.records.filter(
      (r, i) => !(r.kind === 'chunk' && i < sealed.n - sealed.k + 1),
    );
    const opened = openMessage(parityOnlyMissing, { identity: bob }, { now: NOW });
    expect(opened.ok ? 'ok' : opened.code).toBe('missing');
  });

  it('uses the prekey when given and needs its private key to open', () => {
    const prekey = identityFromPrivateKey(new Uint8Array(32).fill(9));
    const sealed = seal(new TextEncoder().encode('fs'), {
      recipient: {
        x25519Public: bob.x25519Public,
        prekey: { id: 42, x25519Public: prekey.x25519Public },
      },
    });
    expect(sealed.prekeyId).toBe(42);
    expect(sealed.records.some((r) => r.kind === 'claim')).toBe(false);
    const without = openMessage(sealed.records, { identity: bob }, { now: NOW });
    expect(without.ok ? 'ok' : without.code).toBe('missing');
    const wrong = openMessage(
      sealed.records,
      { identity: bob, prekeyPrivate: () => bob.x25519Private },
      { now: NOW },
    );
    expect(wrong.ok ? 'ok' : wrong.code).toBe('decrypt');
    const right = openMessage(
      sealed.records,
      { identity: bob, prekeyPrivate: (id) => (id === 42 ? prekey.x25519Private : undefined) },
      { now: NOW },
    );
    expect(right.ok).toBe(true);
  });

  it('enforces a node value cap before publishing, and skips claims for long zones', () => {
    expect(() => seal(new Uint8Array(5000), { maxValueBytes: 2048 })).toThrow(/value cap/);
    expect(() => seal(new Uint8Array(3000), { maxValueBytes: 2048 })).not.toThrow();
    const longZone = `${'z'.repeat(40)}.example`;
    const sealed = seal(new Uint8Array(10), { senderZone: longZone });
    expect(sealed.records.some((r) => r.kind === 'claim')).toBe(false);
    expect(sealed.skippedClaims).toHaveLength(1);
  });
});
