import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64Lenient,
  decodeBase64Strict,
  encodeBase64,
} from '../../src/protocol/base64.js';
import { asciiToString, toHex, utf8 } from '../../src/protocol/bytes.js';

const str = (b: Uint8Array | undefined) => (b === undefined ? undefined : asciiToString(b));

describe('base64', () => {
  it('encodes canonically and round-trips through both decoders', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(btoa(String.fromCharCode(...bytes)));
        expect(toHex(decodeBase64Strict(text)!)).toBe(toHex(bytes));
        expect(toHex(decodeBase64Lenient(text)!)).toBe(toHex(bytes));
      }),
    );
  });

  it('lenient decoding follows CPython non-validating rules', () => {
    expect(str(decodeBase64Lenient('QU JD'))).toBe('ABC');
    expect(str(decodeBase64Lenient('QUI=QUJD'))).toBe('AB');
    expect(decodeBase64Lenient('QUI')).toBeUndefined();
    expect(decodeBase64Lenient('Q')).toBeUndefined();
    expect(str(decodeBase64Lenient('=QUJD'))).toBe('ABC');
    expect(str(decodeBase64Lenient('QU-J_D*'))).toBe('ABC');
  });

  it('strict decoding refuses junk but tolerates pads after a full group', () => {
    expect(str(decodeBase64Strict('QUJD'))).toBe('ABC');
    expect(str(decodeBase64Strict('QUJD='))).toBe('ABC');
    expect(str(decodeBase64Strict('QUJD===='))).toBe('ABC');
    expect(decodeBase64Strict('QU JD')).toBeUndefined();
    expect(decodeBase64Strict('=QUJD')).toBeUndefined();
    expect(decodeBase64Strict('QUI=QUJD')).toBeUndefined();
    expect(decodeBase64Strict('QUI')).toBeUndefined();
    expect(decodeBase64Strict('QUJD=Q')).toBeUndefined();
    expect(str(decodeBase64Strict('QUI='))).toBe('AB');
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        decodeBase64Lenient(s);
        decodeBase64Strict(s);
      }),
    );
    expect(utf8('x').length).toBe(1);
  });
});
