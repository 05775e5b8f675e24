import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8 } from '../../src/protocol/bytes.js';
import { sha256 } from '../../src/protocol/crypto/hash.js';
import {
  chunkName,
  claimName,
  claimOwnerHash12,
  hashedIdentityName,
  mailboxHash,
  mailboxSlotName,
  messageKey,
  nameUnderZone,
  normalizeZoneName,
  prekeyPoolName,
  SLOT_COUNT,
  slotIndexOf,
  zoneAnchoredIdentityName,
} from '../../src/protocol/names.js';
import { DmpEncodeError } from '../../src/protocol/result.js';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const hex12 = (b: Uint8Array) => toHex(sha256(b)).slice(0, 12);
const zoneArb = fc.stringMatching(/^[A-Za-z0-9-]{1,10}(\.[A-Za-z0-9-]{1,10}){0,3}\.?$/);

describe('owner names', () => {
  it('builds slot and claim names from two SHA-256 rounds over the public key', () => {
    fc.assert(
      fc.property(bytes(32), fc.integer({ min: 0, max: 9 }), zoneArb, (pub, slot, zone) => {
        const recipientId = sha256(pub);
        const h = hex12(recipientId);
        expect(mailboxHash(recipientId)).toBe(h);
        expect(mailboxSlotName(recipientId, slot, zone)).toBe(`slot-${slot}.mb-${h}.${zone}`);
        expect(claimName(recipientId, slot, zone)).toBe(`claim-${slot}.mb-${h}.${zone}`);
        expect(claimOwnerHash12(claimName(recipientId, slot, zone), zone)).toBe(h);
      }),
    );
  });

  it('derives the slot and message key from the manifest fields', () => {
    fc.assert(
      fc.property(bytes(16), bytes(32), bytes(32), (msgId, recipientId, spk) => {
        const slot = slotIndexOf(msgId);
        expect(slot).toBe(Number(BigInt(`0x${toHex(msgId.subarray(0, 4))}`) % 10n));
        expect(slot).toBeLessThan(SLOT_COUNT);
        const key = messageKey(msgId, recipientId, spk);
        expect(key).toBe(hex12(concatBytes(msgId, recipientId, spk)));
        expect(chunkName(7, key, 'z.test')).toBe(`chunk-0007-${key}.z.test`);
      }),
    );
    expect(chunkName(1023, 'abcdef012345', 'z')).toBe('chunk-1023-abcdef012345.z');
  });

  it('hashes usernames as given and strips trailing dots from identity zones only', () => {
    expect(hashedIdentityName('Alice', 'mesh.test..')).toBe(
      `id-${toHex(sha256(utf8('Alice'))).slice(0, 16)}.mesh.test`,
    );
    expect(prekeyPoolName('\ufeffbob', 'z.')).toBe(`prekeys.id-${hex12(utf8('\ufeffbob'))}.z`);
    expect(zoneAnchoredIdentityName('Example.COM.')).toBe('dmp.Example.COM');
    expect(mailboxSlotName(new Uint8Array(32), 0, 'Z.')).toMatch(/\.Z\.$/);
  });

  it('refuses inputs that cannot name a record', () => {
    const id = new Uint8Array(32);
    const bad: (() => unknown)[] = [
      () => mailboxSlotName(id, 10, 'z'),
      () => mailboxSlotName(id, 0, ''),
      () => mailboxSlotName(new Uint8Array(31), 0, 'z'),
      () => claimName(id, -1, 'z'),
      () => claimName(id, 0.5, 'z'),
      () => slotIndexOf(new Uint8Array(4)),
      () => messageKey(new Uint8Array(16), id, new Uint8Array(33)),
      () => chunkName(-1, 'abcdef012345', 'z'),
      () => chunkName(1024, 'abcdef012345', 'z'),
      () => chunkName(0, 'ABCDEF012345', 'z'),
      () => chunkName(0, 'abcdef01234', 'z'),
      () => hashedIdentityName('a\ud800', 'z'),
      () => hashedIdentityName('a', '..'),
      () => prekeyPoolName('a', ''),
      () => zoneAnchoredIdentityName('.'),
    ];
    for (const f of bad) expect(f, f.toString()).toThrow(DmpEncodeError);
  });

  it('normalises like the node: Python whitespace, trailing dots, lower case', () => {
    expect(normalizeZoneName(' \x1cMesh.Test.. ')).toBe('mesh.test');
    expect(normalizeZoneName('\ufeffmesh.test')).toBe('\ufeffmesh.test');
    expect(nameUnderZone('A.MESH.TEST.', 'mesh.test')).toBe(true);
    expect(nameUnderZone('amesh.test', 'mesh.test')).toBe(false);
    expect(nameUnderZone('mesh.test', '...')).toBe(false);
  });

  it('accepts only claim-<digits>.mb-<12 hex>.<zone> as a claim owner', () => {
    const h = 'abcdef012345';
    expect(claimOwnerHash12(`claim-0123.mb-${h}.z`, 'Z.')).toBe(h);
    expect(claimOwnerHash12(`CLAIM-1.MB-${h.toUpperCase()}.Z`, 'z')).toBe(h);
    for (const owner of [
      `claim-\u0661.mb-${h}.z`,
      `claim-1.mb-${h}0.z`,
      `claim-1.mbx${h}.z`,
      `claim-1.mb-${h}`,
      `claim-1.mb-${h}.zz`,
      `.mb-${h}.z`,
      'z',
    ]) {
      expect(claimOwnerHash12(owner, 'z'), owner).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.string(), fc.string(), (owner, zone) => {
        const h12 = claimOwnerHash12(owner, zone);
        if (h12 !== undefined) expect(h12).toMatch(/^[0-9a-f]{12}$/);
        expect(typeof nameUnderZone(owner, zone)).toBe('boolean');
      }),
    );
  });
});
