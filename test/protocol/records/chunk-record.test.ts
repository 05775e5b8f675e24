import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../../src/protocol/base64.js';
import {
  chunkDataOf,
  encodeChunkRecord,
  parseChunkRecord,
} from '../../../src/protocol/records/chunk-record.js';
import { CHUNK_RECORD_PREFIX } from '../../../src/protocol/records/prefixes.js';
import { valueArb } from './record-arbitraries.js';

const ABC = encodeBase64(Uint8Array.of(1, 2, 3));

describe('chunk record', () => {
  it('round-trips any data through the canonical value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        const value = encodeChunkRecord(data);
        expect(value.startsWith(CHUNK_RECORD_PREFIX)).toBe(true);
        const parsed = parseChunkRecord(value);
        expect(parsed).toEqual({ ok: true, value: { version: 1n, type: 'chunk', data } });
        expect(chunkDataOf(value)).toEqual(data);
      }),
    );
  });

  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(valueArb(CHUNK_RECORD_PREFIX), (value) => {
        expect(typeof parseChunkRecord(value).ok).toBe('boolean');
        chunkDataOf(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads keys like the reference: first "=", stripped, later duplicates win, defaults', () => {
    const read = (value: string) => {
      const r = parseChunkRecord(value);
      return r.ok ? { ...r.value, data: Array.from(r.value.data) } : r.code;
    };
    expect(read(`d=${ABC}`)).toEqual({ version: 1n, type: 'chunk', data: [1, 2, 3] });
    expect(read(`v=dmp1;d=AAAA;d=${ABC};junk;x==y`)).toMatchObject({ data: [1, 2, 3] });
    expect(read(`\u00a0v\t=\u3000dmp7 ;t= manifest\x1c;d=${ABC}`)).toEqual({
      version: 7n,
      type: 'manifest',
      data: [1, 2, 3],
    });
    // '\ufeff' is not Python whitespace, so the key is not "t".
    expect(read('\ufefft=x')).toMatchObject({ type: 'chunk' });
    expect(read('t=a=b')).toMatchObject({ type: 'a=b' });
  });

  it('parses v as a Python int once "dmp" is removed', () => {
    const version = (v: string) => {
      const r = parseChunkRecord(`v=${v};d=`);
      return r.ok ? r.value.version : undefined;
    };
    expect(version('dmp1')).toBe(1n);
    expect(version('dmpdmp2dmp')).toBe(2n);
    expect(version('dmp +3')).toBe(3n);
    expect(version('-4dmp')).toBe(-4n);
    expect(version('1_000')).toBe(1000n);
    expect(version('\u0661\u0662')).toBe(12n); // Arabic-Indic digits
    expect(version('\u{1d7d8}')).toBe(0n); // MATHEMATICAL DOUBLE-STRUCK DIGIT ZERO
    expect(version('\u{1d7e1}')).toBe(9n); // end of the 1D7CE.. run of digit blocks
    expect(version('0001')).toBe(1n);
    expect(version('9'.repeat(4300))).toBe(10n ** 4300n - 1n);
    for (const bad of [
      '',
      'dmp',
      'x1',
      '1_',
      '_1',
      '1__0',
      '+',
      '1 2',
      '\u00b2',
      'dmp\x1c1',
      '9'.repeat(4301),
    ]) {
      expect(version(bad), JSON.stringify(bad)).toBeUndefined();
    }
    expect(parseChunkRecord('v=dmpX;d=')).toMatchObject({ ok: false, code: 'structure' });
  });

  it('yields empty data for undecodable or non-ASCII d, and lenient data otherwise', () => {
    const data = (d: string) => {
      const r = parseChunkRecord(`v=dmp1;t=chunk;d=${d}`);
      return r.ok ? Array.from(r.value.data) : undefined;
    };
    expect(data('QUI')).toEqual([]);
    expect(data(`${ABC}é`)).toEqual([]);
    expect(data('QU-J_D*')).toEqual([0x41, 0x42, 0x43]);
    expect(data('QUI=QUJD')).toEqual([0x41, 0x42]);
  });

  it('gates receive-path use on the v=dmp marker and t=chunk', () => {
    expect(chunkDataOf(`t=chunk;d=${ABC};v=dmp1`)).toBeUndefined();
    expect(chunkDataOf(`v=dmp1;t=manifest;d=${ABC}`)).toBeUndefined();
    expect(chunkDataOf(`v=dmpx;d=${ABC}`)).toBeUndefined();
    expect(chunkDataOf(`v=dmp2;d=${ABC}`)).toEqual(Uint8Array.of(1, 2, 3));
  });
});
