import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  casefold,
  dnsNameError,
  dnsNamesEqual,
  isDnsName,
  stripTrailingDot,
} from '../../../src/protocol/records/dns-name.js';
import { dnsNameArb } from './operator-arbitraries.js';

describe('DNS-name validator', () => {
  it('accepts host names with at most one trailing dot', () => {
    for (const name of [
      'a',
      'mesh.example.com',
      'Mesh.Example.COM.',
      'a-b.c',
      '0.9',
      'x'.repeat(63),
    ]) {
      expect(dnsNameError(name), name).toBeUndefined();
    }
  });

  it('refuses everything else', () => {
    const bad = [
      '',
      '.',
      '..',
      'a..',
      '.a',
      'a..b',
      '-a.b',
      'a-.b',
      'a_b.c',
      'caf\u00e9.test',
      'a b',
      'x'.repeat(64),
      'a.*.b',
      'a/b',
    ];
    for (const name of bad) expect(isDnsName(name), JSON.stringify(name)).toBe(false);
  });

  it('has no overall length limit (records cap their fields separately)', () => {
    expect(isDnsName(Array(10).fill('x'.repeat(63)).join('.'))).toBe(true);
  });

  it('accepts every generated name and refuses it with an injected bad character', () => {
    fc.assert(
      fc.property(dnsNameArb, fc.constantFrom('_', ' ', '..', '\u00e9', '*'), (name, junk) => {
        expect(isDnsName(name)).toBe(true);
        const base = stripTrailingDot(name);
        expect(isDnsName(base + junk + 'a')).toBe(false);
      }),
    );
  });
});

describe('name comparison', () => {
  it('strips exactly one trailing dot', () => {
    expect(stripTrailingDot('a.b.')).toBe('a.b');
    expect(stripTrailingDot('a.b..')).toBe('a.b.');
    expect(stripTrailingDot('a.b')).toBe('a.b');
  });

  it('compares casefolded with one trailing dot ignored on each side', () => {
    expect(dnsNamesEqual('Mesh.Example.com', 'mesh.example.COM.')).toBe(true);
    expect(dnsNamesEqual('mesh.example.com', 'mesh.example.com..')).toBe(false);
    expect(dnsNamesEqual('mesh.example.com', 'mesh.example.org')).toBe(false);
  });

  it('folds like Python str.casefold', () => {
    expect(casefold('Stra\u00dfe')).toBe('strasse');
    expect(casefold('\u1e9e')).toBe('ss');
    expect(casefold('\u017f')).toBe('s'); // long s
    expect(casefold('\u212a')).toBe('k'); // Kelvin sign
    expect(casefold('\u0131')).toBe('\u0131'); // dotless i stays
    expect(casefold('\u03a3\u0391\u03a3')).toBe('\u03c3\u03b1\u03c3'); // no final sigma
    expect(casefold('\ufb01')).toBe('fi');
    expect(dnsNamesEqual('mess.test', 'me\u00df.test')).toBe(true);
    expect(dnsNamesEqual('mix.test', 'm\u0131x.test')).toBe(false);
  });

  it('is ASCII lower-casing on ASCII and idempotent everywhere', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string(), (text, ascii) => {
        expect(casefold(casefold(text))).toBe(casefold(text));
        const plain = ascii.replace(/[^\x00-\x7f]/g, '');
        expect(casefold(plain)).toBe(plain.toLowerCase());
      }),
    );
  });
});
