import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  heartbeatEndpointError,
  isValidHeartbeatEndpoint,
} from '../../../src/protocol/records/heartbeat-endpoint.js';
import {
  isNonPublicIp,
  parseIPv4,
  parseIPv6,
  parseIpLiteral,
} from '../../../src/protocol/records/ip-literal.js';
import { labelArb } from './operator-arbitraries.js';

const nonPublic = (text: string): boolean => {
  const ip = parseIpLiteral(text);
  if (ip === undefined) throw new Error(`not an IP literal: ${text}`);
  return isNonPublicIp(ip);
};

describe('IP literals (Python ipaddress rules)', () => {
  it('parses strict dotted quads only', () => {
    expect(parseIPv4('203.0.113.7')).toBe(0xcb007107);
    expect(parseIPv4('0.0.0.0')).toBe(0);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    for (const text of [
      '127.1',
      '010.0.0.1',
      '1.2.3.256',
      '1.2.3.4.',
      '0x7f.0.0.1',
      '1.2.3.-4',
      '',
      '1..2.3',
    ]) {
      expect(parseIPv4(text), text).toBeUndefined();
    }
  });

  it('parses IPv6 text forms', () => {
    expect(parseIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('2606:4700:4700::1111')).toEqual([0x2606, 0x4700, 0x4700, 0, 0, 0, 0, 0x1111]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIPv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    const bad = [
      '',
      ':',
      '1:2',
      '1::2::3',
      ':1::2',
      '1::2:',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '12345::1',
      'g::1',
      '1:2:3:4:5:6:7::8',
      '::1%',
      '::1%a%b',
      '::1.2.3',
      '1:2:3:4:5:6:7:8::',
    ];
    for (const text of bad) expect(parseIPv6(text), text).toBeUndefined();
  });

  it('round-trips random addresses in full and compressed form', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
        fc.nat(7),
        fc.nat(8),
        (groups, start, len) => {
          expect(parseIPv6(groups.map((g) => g.toString(16)).join(':'))).toEqual(groups);
          const run = Math.max(1, Math.min(len, 8 - start));
          const zeroed = groups.map((g, i) => (i >= start && i < start + run ? 0 : g));
          const hex = zeroed.map((g) => g.toString(16));
          const text = `${hex.slice(0, start).join(':')}::${hex.slice(start + run).join(':')}`;
          expect(parseIPv6(text)).toEqual(zeroed);
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
        const text = [24, 16, 8, 0].map((s) => (v >>> s) & 0xff).join('.');
        expect(parseIPv4(text)).toBe(v);
      }),
    );
  });

  it('classifies like CPython 3.11 (documentation, shared and special ranges)', () => {
    const refused = [
      '10.1.2.3',
      '172.31.255.255',
      '192.168.1.1',
      '127.0.0.1',
      '0.1.2.3',
      '169.254.9.9',
      '192.0.0.8',
      '192.0.0.170',
      '192.0.2.1',
      '198.18.0.1',
      '198.51.100.1',
      '203.0.113.7',
      '224.0.0.1',
      '239.255.255.255',
      '240.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
      '100::1',
      '2001::1',
      '2001:2::1',
      '2001:db8::1',
      '2002::1',
      '3fff::1',
      'fc00::1',
      'fd12::1',
      'fe80::1',
      'ff02::1',
      'fe00::1',
      '4000::1',
      'e000::1',
    ];
    const allowed = [
      '8.8.8.8',
      '93.184.216.34',
      '100.64.0.1',
      '172.32.0.1',
      '192.0.0.9',
      '192.0.0.10',
      '223.255.255.255',
      '2606:4700:4700::1111',
      '2001:4860::8888',
      '2001:3::1',
      '2001:20::1',
      '2001:1::1',
      '2001:4:112::1',
      'fec0::1',
      '3000::1',
    ];
    for (const text of refused) expect(nonPublic(text), text).toBe(true);
    for (const text of allowed) expect(nonPublic(text), text).toBe(false);
  });
});

describe('heartbeat endpoint rule', () => {
  it('follows urlsplit quirks', () => {
    const valid = [
      'https://node.mesh.test?',
      'https://node.mesh.test#',
      'https://n.test:99999',
      'https://n.test:x',
      'HTTP://N.TEST',
      'https://127.1',
      'https://010.0.0.1',
      'https://[2606:4700::1]:443',
      'https://[v1.future]',
      'https://[2606::1%25zone]',
    ];
    const invalid = [
      'https://n.test/',
      'https://@n.test',
      'https://u:p@n.test',
      'https:n.test',
      'https:///x',
      'https://:443',
      'https://[::1',
      'https://::1]',
      'https://[1.2.3.4]',
      'https://[vz.x]',
      'https://[2606::1]x',
      'https://a[2606::1]',
      'https://[fe80::1%eth0]',
      'https://Localhost:80',
      'https://n.test?x',
      'mailto://n.test',
      'https://n\ttest',
      'https://n.test\u007f',
    ];
    for (const e of valid) expect(heartbeatEndpointError(e), e).toBeUndefined();
    for (const e of invalid) expect(isValidHeartbeatEndpoint(e), e).toBe(false);
    expect(isValidHeartbeatEndpoint(`https://${'a'.repeat(247)}`)).toBe(true); // 255 characters
    expect(isValidHeartbeatEndpoint(`https://${'a'.repeat(248)}`)).toBe(false);
  });

  it('accepts public host names and refuses them with a path, query, fragment or userinfo', () => {
    const hostArb = fc
      .array(labelArb, { minLength: 1, maxLength: 4 })
      .map((labels) => `${labels.join('.')}.example`);
    fc.assert(
      fc.property(hostArb, fc.constantFrom('/', '/v1', '?a', '#f', '/?#'), (host, tail) => {
        expect(isValidHeartbeatEndpoint(`https://${host}`)).toBe(true);
        expect(isValidHeartbeatEndpoint(`https://${host}${tail}`)).toBe(false);
        expect(isValidHeartbeatEndpoint(`https://user@${host}`)).toBe(false);
      }),
    );
  });
});
