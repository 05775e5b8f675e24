/** The EDNS COOKIE option codec (RFC 7873 §4, §5.2.2). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CookieOption,
  EDNS_COOKIE,
  encodeCookieOption,
  findCookie,
  isCookieLength,
  parseCookieOption,
} from '../../src/dns/wire/cookie.js';
import { ednsRecord } from '../../src/dns/wire/edns.js';
import { DnsEncodeError } from '../../src/dns/wire/errors.js';
import { makeHeader } from '../../src/dns/wire/header.js';
import { decodeMessage, encodeMessage } from '../../src/dns/wire/message.js';
import { fromHex, toHex } from '../../src/protocol/bytes.js';

const CLIENT = fromHex('0102030405060708');
const SERVER = fromHex('01000000651a2b3c1122334455667788');

const cookieArb: fc.Arbitrary<CookieOption> = fc.record({
  client: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  server: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 8, maxLength: 32 })),
});

describe('COOKIE option', () => {
  it('parses a Client Cookie alone and a Client + Server Cookie', () => {
    const alone = parseCookieOption(CLIENT)!;
    expect([toHex(alone.client), alone.server.length]).toEqual(['0102030405060708', 0]);
    const both = parseCookieOption(Uint8Array.from([...CLIENT, ...SERVER]))!;
    expect([toHex(both.client), toHex(both.server)]).toEqual([
      '0102030405060708',
      '01000000651a2b3c1122334455667788',
    ]);
  });

  it('accepts exactly the lengths 8 and 16–40 (RFC 7873 §5.2.2)', () => {
    const good = Array.from({ length: 64 }, (_, n) => n).filter(isCookieLength);
    expect(good).toEqual([8, ...Array.from({ length: 25 }, (_, i) => 16 + i)]);
    for (const n of [0, 1, 7, 9, 15, 41, 64]) {
      expect(parseCookieOption(new Uint8Array(n)), `length ${n}`).toBeUndefined();
    }
  });

  it('encodes Client ‖ Server and refuses what the wire cannot carry', () => {
    expect(toHex(encodeCookieOption({ client: CLIENT, server: SERVER }))).toBe(
      '010203040506070801000000651a2b3c1122334455667788',
    );
    expect(toHex(encodeCookieOption({ client: CLIENT, server: new Uint8Array(0) }))).toBe(
      '0102030405060708',
    );
    for (const [c, s] of [
      [7, 0],
      [8, 7],
      [8, 33],
      [9, 8],
    ] as const) {
      expect(() =>
        encodeCookieOption({ client: new Uint8Array(c), server: new Uint8Array(s) }),
      ).toThrow(DnsEncodeError);
    }
  });

  it('finds COOKIE among options: first one wins, any malformed one is malformed', () => {
    const other = { code: 12, data: new Uint8Array(3) }; // padding
    expect(findCookie([other]).status).toBe('absent');
    const first = findCookie([other, { code: EDNS_COOKIE, data: CLIENT }]);
    expect(first.status === 'present' && toHex(first.cookie.client)).toBe('0102030405060708');
    const two = findCookie([
      { code: EDNS_COOKIE, data: CLIENT },
      { code: EDNS_COOKIE, data: new Uint8Array(8).fill(9) },
    ]);
    expect(two.status === 'present' && toHex(two.cookie.client)).toBe('0102030405060708');
    expect(
      findCookie([
        { code: EDNS_COOKIE, data: CLIENT },
        { code: EDNS_COOKIE, data: new Uint8Array(12) },
      ]).status,
    ).toBe('malformed');
  });

  it('survives the message codec inside OPT', () => {
    const wire = encodeMessage({
      header: makeHeader({ id: 7 }),
      questions: [{ name: 'a.mesh.test', type: 16, class: 1 }],
      answers: [],
      authorities: [],
      additionals: [
        ednsRecord({
          udpSize: 1232,
          options: [
            { code: EDNS_COOKIE, data: encodeCookieOption({ client: CLIENT, server: SERVER }) },
          ],
        }),
      ],
    });
    const msg = decodeMessage(wire);
    expect(msg.ok).toBe(true);
    const opt = msg.ok ? msg.value.additionals[0]! : undefined;
    const found = findCookie(opt?.data.kind === 'OPT' ? opt.data.options : []);
    expect(found.status === 'present' && toHex(found.cookie.server)).toBe(toHex(SERVER));
  });

  it('property: the parser never throws on arbitrary bytes and round-trips what it accepts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const parsed = parseCookieOption(bytes);
        expect(parsed === undefined).toBe(!isCookieLength(bytes.length));
        if (parsed !== undefined) expect(toHex(encodeCookieOption(parsed))).toBe(toHex(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: encode then parse gives the same cookie', () => {
    fc.assert(
      fc.property(cookieArb, (cookie) => {
        const parsed = parseCookieOption(encodeCookieOption(cookie))!;
        expect(toHex(parsed.client)).toBe(toHex(cookie.client));
        expect(toHex(parsed.server)).toBe(toHex(cookie.server));
      }),
    );
  });

  it('property: findCookie never throws on arbitrary option lists', () => {
    const option = fc.record({
      code: fc.oneof(fc.constant(EDNS_COOKIE), fc.integer({ min: 0, max: 0xffff })),
      data: fc.uint8Array({ maxLength: 48 }),
    });
    fc.assert(
      fc.property(fc.array(option, { maxLength: 6 }), (options) => {
        const found = findCookie(options);
        const cookies = options.filter((o) => o.code === EDNS_COOKIE);
        const bad = cookies.some((o) => !isCookieLength(o.data.length));
        expect(found.status).toBe(bad ? 'malformed' : cookies.length > 0 ? 'present' : 'absent');
      }),
    );
  });
});
