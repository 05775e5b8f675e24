/**
 * The validators the client attaches to DMP reads: an RRset is believed
 * when one value is a correctly signed record of the expected kind; an
 * expired but authentic record is not evidence of a lie; junk never is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authenticAny,
  identityRrsetValidator,
  isAuthentic,
  prekeyPoolValidator,
} from '../../src/client/record-validators.js';
import { identityFromPrivateKey } from '../../src/protocol/crypto/identity.js';
import {
  parseAndVerifyClaimRecord,
  signClaimRecord,
} from '../../src/protocol/records/claim-record.js';
import { signIdentityRecord } from '../../src/protocol/records/identity-record.js';
import { signPrekeyRecord } from '../../src/protocol/records/prekey-record.js';

const alice = identityFromPrivateKey(new Uint8Array(32).fill(7));
const mallory = identityFromPrivateKey(new Uint8Array(32).fill(9));
const NOW = 1_800_000_000;

const claim = signClaimRecord(
  {
    msgId: new Uint8Array(16).fill(1),
    senderSpk: alice.ed25519Public,
    senderMailboxDomain: 'mesh.test',
    slot: 3,
    ts: NOW - 100,
    exp: NOW + 100,
  },
  alice.ed25519Seed,
);
const claimsAt = (now: number) => authenticAny((v) => parseAndVerifyClaimRecord(v, now));

/** `value` with one base64 character of its body changed. */
function tampered(value: string): string {
  const at = value.length - 10;
  return value.slice(0, at) + (value[at] === 'A' ? 'B' : 'A') + value.slice(at + 1);
}

describe('record validators', () => {
  it('a signed claim validates; expired or forward-dated it still does (time is not a lie)', () => {
    expect(claimsAt(NOW)([claim])).toBe(true);
    expect(parseAndVerifyClaimRecord(claim, NOW + 1000).ok).toBe(false);
    expect(claimsAt(NOW + 1000)([claim])).toBe(true);
    expect(claimsAt(NOW - 10_000)([claim])).toBe(true);
  });

  it('junk, a tampered claim, or an empty RRset does not validate; one good value is enough', () => {
    expect(claimsAt(NOW)(['v=dmp1;t=claim;garbage'])).toBe(false);
    expect(claimsAt(NOW)([tampered(claim)])).toBe(false);
    expect(claimsAt(NOW)([])).toBe(false);
    expect(claimsAt(NOW)(['junk', claim])).toBe(true);
  });

  it('identity RRsets need a record whose signature verifies', () => {
    const record = signIdentityRecord(
      {
        username: 'alice',
        x25519Pk: alice.x25519Public,
        ed25519Spk: alice.ed25519Public,
        ts: NOW,
      },
      alice.ed25519Seed,
    );
    expect(identityRrsetValidator([record])).toBe(true);
    expect(identityRrsetValidator([tampered(record)])).toBe(false);
    expect(identityRrsetValidator(['v=spf1 -all'])).toBe(false);
  });

  it("prekey pools need a prekey signed by the owner's pinned key, not anyone's", () => {
    const prekey = (seed: Uint8Array) =>
      signPrekeyRecord({ prekeyId: 5, publicKey: new Uint8Array(32).fill(2), exp: NOW + 60 }, seed);
    const pool = prekeyPoolValidator(alice.ed25519Public, NOW);
    expect(pool([prekey(alice.ed25519Seed)])).toBe(true);
    expect(pool([prekey(mallory.ed25519Seed)])).toBe(false);
  });

  it('isAuthentic accepts only successes and time rejections', () => {
    expect(isAuthentic({ ok: true, value: 1 })).toBe(true);
    expect(isAuthentic({ ok: false, code: 'expired', detail: '' })).toBe(true);
    expect(isAuthentic({ ok: false, code: 'future', detail: '' })).toBe(true);
    expect(isAuthentic({ ok: false, code: 'signature', detail: '' })).toBe(false);
    expect(isAuthentic({ ok: false, code: 'prefix', detail: '' })).toBe(false);
  });

  it('property: validators never throw and reject arbitrary text', () => {
    const validators = [
      claimsAt(NOW),
      identityRrsetValidator,
      prekeyPoolValidator(alice.ed25519Public, NOW),
    ];
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 5 }),
        (values) => {
          for (const v of validators) expect(v(values)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
