/**
 * Subject canonicalisation, allowlist, key-name limits, and the promise that
 * every name/scope function survives arbitrary strings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyRecordName } from '../../../src/node/auth/record-name-class.js';
import {
  isSafeTxtValue,
  isValidRecordName,
  percentDecode,
  recordNameFromTarget,
} from '../../../src/node/http/record-name.js';
import {
  canonicalizeSubject,
  deriveScopeSuffixes,
  normalizeAllowlist,
  subjectDomainAllowed,
  TsigScope,
  tsigKeyNameFor,
} from '../../../src/node/registration/index.js';

describe('canonicalizeSubject', () => {
  it.each([
    ['alice@example.com', 'alice@example.com'],
    ['  Alice@Example.COM \n', 'alice@example.com'],
    ['a.b+c_d-e@sub.example.co.uk', 'a.b+c_d-e@sub.example.co.uk'],
    ['\u212Aey@example.com', 'key@example.com'], // Kelvin sign → K via NFKC
    ['ａｌｉｃｅ@example.com', 'alice@example.com'], // full-width
  ])('%j → %s', (raw, expected) => {
    const r = canonicalizeSubject(raw);
    expect(r.ok && r.subject).toBe(expected);
  });

  it('splits local part and domain', () => {
    expect(canonicalizeSubject('Bob@Mesh.Test')).toEqual({
      ok: true,
      subject: 'bob@mesh.test',
      localPart: 'bob',
      domain: 'mesh.test',
    });
  });

  it.each([
    ['', 'subject must be a non-empty string'],
    [42, 'subject must be a non-empty string'],
    [null, 'subject must be a non-empty string'],
    ['ålice@example.com', 'subject must be ASCII; got non-ASCII character at position 0'],
    ['al😀ce@example.com', 'subject must be ASCII; got non-ASCII character at position 2'],
    ['alice@localhost', 'subject does not match <local>@<fqdn> shape'],
    ['alice', 'subject does not match <local>@<fqdn> shape'],
    ['a@b@example.com', 'subject does not match <local>@<fqdn> shape'],
    ['.alice@example.com', 'subject does not match <local>@<fqdn> shape'],
    ['alice@-example.com', 'subject does not match <local>@<fqdn> shape'],
    ['alice@example..com', 'subject does not match <local>@<fqdn> shape'],
  ])('refuses %j', (raw, reason) => {
    expect(canonicalizeSubject(raw)).toEqual({ ok: false, reason });
  });
});

describe('registration allowlist', () => {
  const alice = { subject: 'alice@mesh.test', localPart: 'alice', domain: 'mesh.test' };
  it('allows everything when empty, else only listed domains (case and dots ignored)', () => {
    expect(subjectDomainAllowed(alice, [])).toBe(true);
    expect(subjectDomainAllowed(alice, [' ', ''])).toBe(true);
    expect(subjectDomainAllowed(alice, ['other.test', ' MESH.TEST. '])).toBe(true);
    expect(subjectDomainAllowed(alice, ['other.test'])).toBe(false);
    expect(subjectDomainAllowed(alice, ['test'])).toBe(false); // no suffix matching
    expect(normalizeAllowlist([' A.Test.. ', ''])).toEqual(['a.test']);
  });
});

describe('tsigKeyNameFor limits', () => {
  const base = { spkHex: 'ab'.repeat(32), zone: 'mesh.test' };
  it('accepts a 47-character local part with the subject tag and refuses 48', () => {
    const ok = 'a'.repeat(47);
    const name = tsigKeyNameFor({ ...base, localPart: ok, subject: `${ok}@mesh.test` });
    expect(name?.split('.')[0]).toHaveLength(63);
    const long = 'a'.repeat(48);
    expect(tsigKeyNameFor({ ...base, localPart: long, subject: `${long}@mesh.test` })).toBe(
      undefined,
    );
  });

  it('refuses an empty local part or zone', () => {
    expect(tsigKeyNameFor({ ...base, localPart: ' ', subject: '' })).toBe(undefined);
    expect(tsigKeyNameFor({ ...base, localPart: 'a', zone: '...' })).toBe(undefined);
  });

  it('derives no scope without subject, key or zone', () => {
    const input = { subject: 'a@b.c', localPart: 'a', spkHex: 'ab', zone: 'b.c' };
    expect(deriveScopeSuffixes('default', { ...input, subject: '' })).toEqual([]);
    expect(deriveScopeSuffixes('loose', { ...input, spkHex: '' })).toEqual([]);
    expect(deriveScopeSuffixes('tight', { ...input, zone: '.' })).toEqual([]);
  });

  it('ignores an X25519 key that is not 32 bytes of hex', () => {
    const input = { subject: 'a@b.c', localPart: 'a', spkHex: 'ab'.repeat(32), zone: 'b.c' };
    const plain = deriveScopeSuffixes('tight', input);
    expect(deriveScopeSuffixes('tight', { ...input, x25519PublicHex: 'zz'.repeat(32) })).toEqual(
      plain,
    );
    expect(deriveScopeSuffixes('tight', { ...input, x25519PublicHex: 'ab'.repeat(31) })).toEqual(
      plain,
    );
    expect(
      deriveScopeSuffixes('tight', { ...input, x25519PublicHex: 'ab'.repeat(32) }),
    ).toHaveLength(plain.length + 1);
  });
});

describe('name and scope functions never throw', () => {
  const anyString = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
  );
  const mode = fc.constantFrom('default' as const, 'tight' as const, 'loose' as const);

  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(anyString, anyString, anyString, anyString, mode, (a, b, c, d, m) => {
        canonicalizeSubject(a);
        const name = tsigKeyNameFor({ localPart: a, spkHex: b, zone: c, subject: d });
        if (name !== undefined) expect(name.endsWith('.')).toBe(true);
        const suffixes = deriveScopeSuffixes(m, {
          subject: a,
          localPart: b,
          spkHex: c,
          zone: d,
          x25519PublicHex: a,
        });
        const scope = TsigScope.of([...suffixes, a, b]);
        scope.covers(c);
        scope.allowsDelete(d);
        classifyRecordName(a);
        isValidRecordName(a);
        isSafeTxtValue(a);
        percentDecode(a);
        recordNameFromTarget(`/v1/records/${a}`);
      }),
      { numRuns: 1000 },
    );
  });
});
