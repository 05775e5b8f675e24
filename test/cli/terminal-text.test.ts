/**
 * terminal-text: nothing a sender writes reaches the terminal as a control
 * character; everything else passes unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terminalSafeField, terminalSafeText } from '../../src/cli/terminal-text.js';

// What a terminal would obey: C0 (bodies keep \t and \n), DEL, C1, bidi controls.
const OBEYED =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const OBEYED_IN_FIELD = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

const anyText = fc.string({ unit: 'binary', maxLength: 200 });

describe('terminalSafeText / terminalSafeField', () => {
  it('never leaves a character a terminal would obey', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(terminalSafeText(s)).not.toMatch(OBEYED);
        expect(terminalSafeField(s)).not.toMatch(OBEYED_IN_FIELD);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves text without such characters unchanged', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const clean = s.replace(new RegExp(OBEYED.source, 'gu'), '');
        expect(terminalSafeText(clean)).toBe(clean);
      }),
    );
  });

  it('shows what was there, in the notation of cat -v', () => {
    expect(terminalSafeText('a\x1b[2J\x07\r\x7f\n\tb')).toBe('a^[[2J^G^M^?\n\tb');
    expect(terminalSafeField('a\nb\tc')).toBe('a^Jb^Ic');
    expect(terminalSafeText('\u202Eevil\u202C\x9b')).toBe('<U+202E>evil<U+202C><U+009B>');
    expect(terminalSafeText('héllo wörld ✓ 😀')).toBe('héllo wörld ✓ 😀');
  });
});
