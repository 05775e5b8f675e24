/** TsigScope: suffix and glob matching, add/delete rules, and agreement with a regex model. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelGlobMatches, TsigScope } from '../../../src/node/registration/tsig-scope.js';

describe('labelGlobMatches', () => {
  it.each([
    ['slot-*', 'slot-3', true],
    ['slot-*', 'slot-', true], // zero characters
    ['slot-*', 'slot', false],
    ['chunk-*-*', 'chunk--', true],
    ['chunk-*-*', 'chunk-0001-abc', true],
    ['chunk-*-*', 'chunk-0001', false],
    ['*', '', true],
    ['a*a', 'a', false], // parts may not overlap
    ['a*a', 'aa', true],
    ['*b*c*', 'xbyc', true],
    ['*b*c*', 'xcyb', false],
    ['mb-*', 'MB-1', false], // case is folded by the caller, not here
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
  ])('%s vs %s → %s', (pattern, label, expected) => {
    expect(labelGlobMatches(pattern, label)).toBe(expected);
  });
});

describe('TsigScope', () => {
  const scope = TsigScope.of([
    'id-abc.mesh.test',
    'slot-*.mb-*.mesh.test',
    'MB-0123.Mesh.Test.', // normalised: lower-case, dot stripped
  ]);

  it('normalises, dedupes and sorts its suffixes, dropping empty ones', () => {
    expect(TsigScope.of([' B.test ', 'a.test', '.b.test.', '', '...']).suffixes).toEqual([
      'a.test',
      'b.test',
    ]);
    expect(scope.suffixes).toEqual([
      'id-abc.mesh.test',
      'mb-0123.mesh.test',
      'slot-*.mb-*.mesh.test',
    ]);
  });

  it('covers a literal suffix and its sub-names on label boundaries only', () => {
    expect(scope.covers('id-abc.mesh.test')).toBe(true);
    expect(scope.covers('prekeys.id-abc.mesh.test')).toBe(true);
    expect(scope.covers('xid-abc.mesh.test')).toBe(false);
    expect(scope.covers('ID-ABC.MESH.TEST.')).toBe(true);
    expect(scope.covers('mesh.test')).toBe(false);
  });

  it('matches wildcard suffixes right-aligned, allowing extra labels on the left', () => {
    expect(scope.covers('slot-1.mb-ff.mesh.test')).toBe(true);
    expect(scope.covers('x.slot-1.mb-ff.mesh.test')).toBe(true);
    expect(scope.covers('slot-1.mb-ff.other.test')).toBe(false);
    expect(scope.covers('mb-ff.mesh.test')).toBe(false); // fewer labels than the pattern
    expect(scope.covers('slot-1.x.mb-ff.mesh.test')).toBe(false); // * never crosses a dot
  });

  it('lets deletes through literal suffixes only', () => {
    expect(scope.allowsDelete('slot-1.mb-0123.mesh.test')).toBe(true); // via mb-0123 literal
    expect(scope.allowsDelete('slot-1.mb-ffff.mesh.test')).toBe(false); // wildcard only
    expect(scope.allowsAdd('slot-1.mb-ffff.mesh.test')).toBe(true);
    expect(scope.allows('delete', 'id-abc.mesh.test')).toBe(true);
  });

  it('an empty scope allows nothing', () => {
    const none = TsigScope.of([]);
    expect(none.covers('')).toBe(false);
    expect(none.allowsAdd('anything.test')).toBe(false);
  });
});

// Reference model: a literal suffix is equality / ".suffix" ending; a wildcard
// suffix becomes one anchored regex over the owner's trailing labels.
function modelCovers(suffixes: readonly string[], owner: string): boolean {
  const o = owner.trim().toLowerCase().replace(/\.+$/, '');
  return suffixes.some((raw) => {
    const s = raw.toLowerCase();
    if (s === '') return false;
    if (!s.includes('*')) return o === s || o.endsWith(`.${s}`);
    const labelRe = (l: string) =>
      l
        .split('*')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^.]*');
    const re = new RegExp(`^(?:.*\\.)?${s.split('.').map(labelRe).join('\\.')}$`, 's');
    return re.test(o);
  });
}

const LABEL_CHARS = ['a', 'b', '1', '-', '*'];
const label = (chars: string[]) =>
  fc.array(fc.constantFrom(...chars), { maxLength: 5 }).map((cs) => cs.join(''));
const name = (chars: string[]) =>
  fc.array(label(chars), { minLength: 1, maxLength: 5 }).map((ls) => ls.join('.'));

describe('TsigScope agrees with a regex model', () => {
  it('on random owners and suffix lists (add = any cover, delete = literal cover)', () => {
    fc.assert(
      fc.property(
        fc.array(name(LABEL_CHARS), { maxLength: 4 }),
        name(['a', 'b', '1', '-', 'A']),
        fc.constantFrom('', '.', '..'),
        (suffixes, owner, trailing) => {
          const cleaned = suffixes.map((s) => s.replace(/^\.+|\.+$/g, ''));
          const scope = TsigScope.of(cleaned);
          const o = owner + trailing;
          expect(scope.covers(o)).toBe(modelCovers(cleaned, o));
          expect(scope.allowsDelete(o)).toBe(
            modelCovers(
              cleaned.filter((s) => !s.includes('*')),
              o,
            ),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('on owners built from the DMP shapes', () => {
    const dmpScope = [
      '_dnsmesh-claim-*.z.test',
      'slot-*.mb-*.z.test',
      'chunk-*-*.z.test',
      'claim-*.mb-*.z.test',
      'mb-abc.z.test',
    ];
    const scope = TsigScope.of(dmpScope);
    const owners = fc
      .tuple(
        fc.constantFrom('', 'x.', 'slot-3.', 'claim-1.'),
        fc.constantFrom('slot-', 'chunk-', 'claim-', '_dnsmesh-claim-', 'mb-', 'id-'),
        fc.stringMatching(/^[0-9a-f-]{0,6}$/),
        fc.constantFrom('', '.mb-abc', '.mb-fff', '.mb-'),
        fc.constantFrom('.z.test', '.Z.TEST.', '.other.test', ''),
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(owners, (o) => {
        expect(scope.covers(o)).toBe(modelCovers(dmpScope, o));
        expect(scope.allowsDelete(o)).toBe(modelCovers(['mb-abc.z.test'], o));
      }),
      { numRuns: 2000 },
    );
  });
});
