/**
 * names.json (`tsig_key_name`, `tsig_scope`, `tsig_scope_match`) and the
 * node spec §9 mint vector against the registration name and scope
 * functions. Every case of each kind is run.
 */
import { expect, it } from 'vitest';
import {
  deriveScopeSuffixes,
  TsigScope,
  type TsigScopeMode,
  tsigKeyNameFor,
} from '../../../src/node/registration/index.js';
import { normalizeScopeSuffixes } from '../../../src/node/store/normalize.js';
import { describeVectors, haveVectors, loadVectors } from '../../interop/vectors.js';

interface KeyNameCase {
  local_part: string;
  spk_hex: string;
  subject: string;
  zone: string;
  expected: string | null;
}
interface ScopeCase {
  mode: TsigScopeMode;
  local_part: string;
  spk_hex: string;
  subject: string;
  zone: string;
  x25519_public_hex: string | null;
  expected_suffixes_in_mint_order: string[];
  expected_suffixes_stored: string[];
}
interface MatchCase {
  mode: TsigScopeMode;
  owner: string;
  expected_add_allowed: boolean;
  expected_delete_allowed: boolean;
}

const cases: { kind: string }[] = haveVectors ? loadVectors('names.json').cases : [];
const ofKind = <T>(kind: string): T[] => cases.filter((c) => c.kind === kind) as T[];

function scopeOf(c: ScopeCase): string[] {
  return deriveScopeSuffixes(c.mode, {
    subject: c.subject,
    localPart: c.local_part,
    spkHex: c.spk_hex,
    zone: c.zone,
    x25519PublicHex: c.x25519_public_hex ?? undefined,
  });
}

describeVectors('names.json: registration-minted TSIG keys', () => {
  it('has cases of every TSIG kind', () => {
    expect(ofKind('tsig_key_name').length).toBeGreaterThan(0);
    expect(ofKind('tsig_scope').length).toBeGreaterThan(0);
    expect(ofKind('tsig_scope_match').length).toBeGreaterThan(0);
  });

  ofKind<KeyNameCase>('tsig_key_name').forEach((c, i) => {
    it(`tsig_key_name #${i}: ${c.local_part.slice(0, 12)} @ ${c.zone}`, () => {
      const name = tsigKeyNameFor({
        localPart: c.local_part,
        spkHex: c.spk_hex,
        zone: c.zone,
        subject: c.subject,
      });
      expect(name ?? null).toBe(c.expected);
    });
  });

  ofKind<ScopeCase>('tsig_scope').forEach((c, i) => {
    it(`tsig_scope #${i}: ${c.mode}, x25519 ${c.x25519_public_hex ? 'proven' : 'absent'}`, () => {
      const minted = scopeOf(c);
      expect(minted).toEqual(c.expected_suffixes_in_mint_order);
      expect(normalizeScopeSuffixes(minted)).toEqual(c.expected_suffixes_stored);
      expect(TsigScope.of(minted).suffixes).toEqual(c.expected_suffixes_stored);
    });
  });

  // Match cases name only the mode: the scope is that mode's mint for the
  // vectors' user with the X25519 key proven (its mailbox is in scope).
  const scopeForMode = (mode: TsigScopeMode): TsigScope => {
    const mint = ofKind<ScopeCase>('tsig_scope').find(
      (c) => c.mode === mode && c.x25519_public_hex !== null,
    );
    if (mint === undefined) throw new Error(`no tsig_scope case for mode ${mode}`);
    return TsigScope.of(mint.expected_suffixes_stored);
  };

  ofKind<MatchCase>('tsig_scope_match').forEach((c, i) => {
    it(`tsig_scope_match #${i}: ${c.mode} ${c.owner}`, () => {
      const scope = scopeForMode(c.mode);
      expect(scope.allowsAdd(c.owner)).toBe(c.expected_add_allowed);
      expect(scope.allows('add', c.owner)).toBe(c.expected_add_allowed);
      expect(scope.allowsDelete(c.owner)).toBe(c.expected_delete_allowed);
      expect(scope.allows('delete', c.owner)).toBe(c.expected_delete_allowed);
      expect(scope.covers(c.owner)).toBe(c.expected_add_allowed);
    });
  });
});

// node.md §9 "TSIG mint" (subject alice@example.com, zone example.com).
it('node spec §9 mint vector: key name and the three scope modes', () => {
  const input = {
    subject: 'alice@example.com',
    localPart: 'alice',
    spkHex: '207db4109006736a703cb54c7acc4685eba313c4cdf452f0efdcdcca90795f43',
    zone: 'example.com',
    x25519PublicHex: '0eb498ba53bd167800b011f1135a76ad7c40cfa40bc2f76155aa5a90b90b9841',
  };
  expect(tsigKeyNameFor(input)).toBe('alice-207db410-ff8d98.example.com.');
  expect(normalizeScopeSuffixes(deriveScopeSuffixes('default', input))).toEqual([
    '_dnsmesh-claim-*.example.com',
    '_dnsmesh-claim-207db4109006736a.example.com',
    'chunk-*-*.example.com',
    'claim-*.mb-*.example.com',
    'id-2bd806c97f0e.example.com',
    'id-2bd806c97f0e00af.example.com',
    'mb-c1b7c8deb5ee.example.com',
    'slot-*.mb-*.example.com',
  ]);
  expect(normalizeScopeSuffixes(deriveScopeSuffixes('tight', input))).toEqual([
    '_dnsmesh-claim-207db4109006736a.example.com',
    'id-2bd806c97f0e.example.com',
    'id-2bd806c97f0e00af.example.com',
    'mb-c1b7c8deb5ee.example.com',
  ]);
  expect(deriveScopeSuffixes('loose', input)).toEqual(['example.com']);
});
