import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIPv6, parseIPv4, parseIPv6 } from '../../../src/dns/wire/ip.js';
import { clientNetwork, newClientNetwork } from '../../../src/node/dns/client-network.js';

function net(address: string, v4 = 24, v6 = 56) {
  const out = newClientNetwork();
  clientNetwork(address, v4, v6, out);
  return { ...out };
}

/** Reference computation from the (allocating) codec parsers. */
function expected(address: string, v4: number, v6: number) {
  const mask = (bits: number) =>
    bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  const u32 = (b: Uint8Array, o: number) =>
    ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  const a4 = parseIPv4(address);
  if (a4) return { family: 4, hi: (u32(a4, 0) & mask(v4)) >>> 0, lo: 0 };
  const a6 = parseIPv6(address);
  if (!a6) return { family: 0, hi: 0, lo: 0 };
  if (a6.subarray(0, 10).every((b) => b === 0) && a6[10] === 0xff && a6[11] === 0xff) {
    return { family: 4, hi: (u32(a6, 12) & mask(v4)) >>> 0, lo: 0 };
  }
  return { family: 6, hi: (u32(a6, 0) & mask(v6)) >>> 0, lo: (u32(a6, 4) & mask(v6 - 32)) >>> 0 };
}

describe('client networks', () => {
  it('masks IPv4 to /24 and IPv6 to /56 by default', () => {
    expect(net('192.0.2.77')).toEqual({ family: 4, hi: 0xc0000200, lo: 0 });
    expect(net('192.0.2.200')).toEqual(net('192.0.2.1'));
    expect(net('192.0.3.1')).not.toEqual(net('192.0.2.1'));
    expect(net('2001:db8:0:ff::1')).toEqual(net('2001:db8::1'));
    expect(net('2001:db8:0:100::1')).not.toEqual(net('2001:db8::1'));
    expect(net('2001:db8:0:1ab:1:2:3:4')).toEqual({ family: 6, hi: 0x20010db8, lo: 0x00000100 });
  });

  it('treats IPv4-mapped IPv6 as IPv4 and ignores zone ids', () => {
    expect(net('::ffff:192.0.2.9')).toEqual(net('192.0.2.1'));
    expect(net('::FFFF:c000:0209')).toEqual(net('192.0.2.1'));
    expect(net('fe80::1%eth0')).toEqual(net('fe80::1'));
  });

  it('honours other prefix lengths', () => {
    expect(net('192.0.2.77', 32)).toEqual({ family: 4, hi: 0xc000024d, lo: 0 });
    expect(net('192.0.2.77', 0)).toEqual({ family: 4, hi: 0, lo: 0 });
    expect(net('2001:db8:1:2:3::', 24, 64)).toEqual({ family: 6, hi: 0x20010db8, lo: 0x00010002 });
    expect(net('2001:db8:1:2:3::', 24, 16)).toEqual({ family: 6, hi: 0x20010000, lo: 0 });
  });

  it('puts malformed text in the shared family-0 bucket', () => {
    for (const bad of [
      '',
      'localhost',
      '1.2.3',
      '01.2.3.4',
      '1.2.3.4.5',
      '256.1.1.1',
      '1..2.3',
      '1:2:3',
      ':1::2',
      '1::2::3',
      '1:::2',
      '1:2:3:4:5:6:7:8:9',
      '12345::',
      '1::2:',
      '::1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
    ]) {
      expect(net(bad), bad).toEqual({ family: 0, hi: 0, lo: 0 });
    }
  });

  it('agrees with the codec parsers on arbitrary addresses', () => {
    const v6text = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIPv6(b));
    const mapped = fc.ipV4().map((a) => `::ffff:${a}`);
    const near = fc.stringMatching(/^[0-9a-fA-F:.]{0,24}$/);
    const address = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      v6text,
      mapped,
      near,
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(
        address,
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 64 }),
        (a, v4, v6) => {
          expect(net(a, v4, v6)).toEqual(expected(a, v4, v6));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
