import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../src/dns/wire/ip.js';
import { toHex } from '../../src/protocol/bytes.js';

describe('address text', () => {
  it('formats IPv6 per RFC 5952', () => {
    const cases: [string, string][] = [
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['fe80:0:0:0:0:0:0:0', 'fe80::'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ];
    for (const [input, canonical] of cases) expect(formatIPv6(parseIPv6(input)!)).toBe(canonical);
  });

  it('round-trips every address', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        expect(toHex(parseIPv6(formatIPv6(b))!)).toBe(toHex(b));
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
        expect(toHex(parseIPv4(formatIPv4(b))!)).toBe(toHex(b));
      }),
    );
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        expect(parseIPv6(text)).toBeDefined();
      }),
    );
  });

  it('refuses malformed text', () => {
    for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', '1.2.3.4.5', 'a.b.c.d', '']) {
      expect(parseIPv4(bad)).toBeUndefined();
    }
    for (const bad of [
      '1::2::3',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      'g::',
      '12345::',
      ':1',
      '1:2:3:4:5:6:7::8',
    ]) {
      expect(parseIPv6(bad)).toBeUndefined();
    }
  });
});
