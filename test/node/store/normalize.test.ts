/**
 * Store key normalisation: owner names agree with the DNS layer's lookup
 * key, so the responder can pass `canonicalName(qname)` straight through.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalName } from '../../../src/dns/wire/name.js';
import {
  lowerAscii,
  normalizeOwnerName,
  normalizeScopeSuffixes,
  normalizeTsigKeyName,
} from '../../../src/node/store/normalize.js';
import { nameArb } from '../../dns/arbitraries.js';

describe('normalizeOwnerName', () => {
  it('lower-cases ASCII and strips one trailing dot', () => {
    expect(normalizeOwnerName('Slot-3.MB-ABC.Mesh.Example.')).toBe('slot-3.mb-abc.mesh.example');
    expect(normalizeOwnerName('already.lower')).toBe('already.lower');
    expect(normalizeOwnerName('.')).toBe('');
    expect(normalizeOwnerName('')).toBe('');
  });

  it('keeps an escaped final dot, which belongs to the label', () => {
    expect(normalizeOwnerName('a\\.')).toBe('a\\.');
    expect(normalizeOwnerName('a\\\\.')).toBe('a\\\\');
  });

  it('folds only ASCII letters (DNS case-insensitivity), not other scripts', () => {
    expect(normalizeOwnerName('ÄBC.Example')).toBe('Äbc.example');
    expect(lowerAscii('İX')).toBe('İx');
  });

  it('returns the same string object when nothing changes (no hot-path allocation)', () => {
    const s = 'slot-1.mb-0123456789ab.mesh.example';
    expect(normalizeOwnerName(s)).toBe(s);
  });

  it('is idempotent and agrees with the DNS layer’s canonical name (root aside)', () => {
    fc.assert(
      fc.property(nameArb, (name) => {
        const key = canonicalName(name);
        const once = normalizeOwnerName(name);
        expect(normalizeOwnerName(once)).toBe(once);
        // Canonical keys pass through unchanged: store and responder agree.
        if (key !== '.') expect(normalizeOwnerName(key)).toBe(key);
        // Without escapes, store and DNS layer derive the same key from raw text.
        if (!name.includes('\\') && key !== '.') expect(once).toBe(key);
      }),
      { numRuns: 500 },
    );
  });
});

describe('normalizeTsigKeyName', () => {
  it('gives the absolute lower-case form', () => {
    expect(normalizeTsigKeyName(' Alice-1.Mesh.Example ')).toBe('alice-1.mesh.example.');
    expect(normalizeTsigKeyName('alice-1.mesh.example.')).toBe('alice-1.mesh.example.');
  });

  it('refuses an empty name', () => {
    expect(() => normalizeTsigKeyName('')).toThrow(RangeError);
    expect(() => normalizeTsigKeyName(' . ')).toThrow(RangeError);
  });
});

describe('normalizeScopeSuffixes', () => {
  it('trims, lower-cases, drops empties, sorts and dedupes', () => {
    expect(
      normalizeScopeSuffixes(['..B.Zone.', 'a.zone', ' A.ZONE ', '', '...', 'slot-*.mb-*.zone']),
    ).toEqual(['a.zone', 'b.zone', 'slot-*.mb-*.zone']);
  });
});
