/** Server Cookies (RFC 7873 §5.2, RFC 9018 §4 layout with an HMAC-SHA-256 hash). */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COOKIE_MAX_AGE,
  COOKIE_MAX_FUTURE,
  COOKIE_REFRESH_AGE,
  SERVER_COOKIE_SIZE,
  ServerCookies,
} from '../../../src/node/dns/server-cookies.js';
import { fromHex, toHex } from '../../../src/protocol/bytes.js';

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i);
const CLIENT = fromHex('2464c4abcf10c957');
const T = 1_700_000_000;
const cookies = new ServerCookies(SECRET);

const server = (c: Uint8Array) => c.subarray(8);

describe('server cookies', () => {
  it('mints the RFC 9018 layout: version 1, reserved 0, timestamp, 8-octet hash', () => {
    const sc = cookies.mint(CLIENT, '192.0.2.53', T);
    expect(sc).toHaveLength(SERVER_COOKIE_SIZE);
    expect(toHex(sc.subarray(0, 8))).toBe(`01000000${T.toString(16)}`);
    // Hash = HMAC-SHA-256(secret, client ‖ 01 000000 ‖ timestamp ‖ client IP)[0..8].
    const input = Buffer.concat([CLIENT, sc.subarray(0, 8), Buffer.from([192, 0, 2, 53])]);
    const mac = createHmac('sha256', SECRET).update(input).digest().subarray(0, 8);
    expect(toHex(sc.subarray(8))).toBe(toHex(mac));
  });

  it('a Client Cookie alone gets the client cookie back with a fresh server cookie', () => {
    const r = cookies.check({ client: CLIENT, server: new Uint8Array(0) }, '192.0.2.53', T);
    expect(r.outcome).toBe('client-only');
    expect(toHex(r.reply.subarray(0, 8))).toBe(toHex(CLIENT));
    expect(toHex(server(r.reply))).toBe(toHex(cookies.mint(CLIENT, '192.0.2.53', T)));
  });

  it('accepts its own cookie up to one hour old and 5 minutes ahead, and no further', () => {
    const minted = cookies.mint(CLIENT, '192.0.2.53', T);
    const at = (now: number) =>
      cookies.check({ client: CLIENT, server: minted }, '192.0.2.53', now).outcome;
    expect(at(T)).toBe('valid');
    expect(at(T + COOKIE_MAX_AGE)).toBe('valid');
    expect(at(T + COOKIE_MAX_AGE + 1)).toBe('invalid');
    expect(at(T - COOKIE_MAX_FUTURE)).toBe('valid');
    expect(at(T - COOKIE_MAX_FUTURE - 1)).toBe('invalid');
  });

  it('echoes a cookie younger than half an hour, replaces an older one', () => {
    const minted = cookies.mint(CLIENT, '192.0.2.53', T);
    const young = cookies.check({ client: CLIENT, server: minted }, '192.0.2.53', T + 1799);
    expect(toHex(server(young.reply))).toBe(toHex(minted));
    const old = cookies.check(
      { client: CLIENT, server: minted },
      '192.0.2.53',
      T + COOKIE_REFRESH_AGE,
    );
    expect(old.outcome).toBe('valid');
    expect(toHex(server(old.reply))).toBe(
      toHex(cookies.mint(CLIENT, '192.0.2.53', T + COOKIE_REFRESH_AGE)),
    );
  });

  it('is bound to the client address, the client cookie and the secret', () => {
    const minted = cookies.mint(CLIENT, '192.0.2.53', T);
    const check = (c: ServerCookies, client: Uint8Array, address: string) =>
      c.check({ client, server: minted }, address, T).outcome;
    expect(check(cookies, CLIENT, '192.0.2.54')).toBe('invalid');
    expect(check(cookies, fromHex('2464c4abcf10c958'), '192.0.2.53')).toBe('invalid');
    expect(check(new ServerCookies(), CLIENT, '192.0.2.53')).toBe('invalid');
    // The same IPv4 client seen through a dual-stack socket is the same client.
    expect(check(cookies, CLIENT, '::ffff:192.0.2.53')).toBe('valid');
  });

  it('works for IPv6 clients (zone index ignored)', () => {
    const minted = cookies.mint(CLIENT, '2001:db8::53', T);
    expect(cookies.check({ client: CLIENT, server: minted }, '2001:db8::53%eth0', T).outcome).toBe(
      'valid',
    );
    expect(cookies.check({ client: CLIENT, server: minted }, '2001:db8::54', T).outcome).toBe(
      'invalid',
    );
  });

  it('treats foreign layouts as invalid: other lengths, versions, reserved bits', () => {
    const minted = cookies.mint(CLIENT, '192.0.2.53', T);
    const variants = [
      minted.subarray(0, 8),
      Uint8Array.from([...minted, 0, 0, 0, 0]),
      Uint8Array.from([2, ...minted.subarray(1)]),
      Uint8Array.from([1, 0, 1, ...minted.subarray(3)]),
    ];
    for (const v of variants) {
      expect(cookies.check({ client: CLIENT, server: v }, '192.0.2.53', T).outcome).toBe('invalid');
    }
  });

  it('timestamps wrap with serial-number arithmetic', () => {
    const near = 0xffff_fff0;
    const minted = cookies.mint(CLIENT, '192.0.2.53', near);
    expect(
      cookies.check({ client: CLIENT, server: minted }, '192.0.2.53', near + 100).outcome,
    ).toBe('valid');
  });

  it('property: never throws and always answers with client ‖ 16-octet server cookie', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 8, maxLength: 32 })),
        fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        (client, sc, address, now) => {
          const r = cookies.check({ client, server: sc }, address, now);
          expect(r.reply).toHaveLength(8 + SERVER_COOKIE_SIZE);
          expect(toHex(r.reply.subarray(0, 8))).toBe(toHex(client));
          expect(cookies.check({ client, server: server(r.reply) }, address, now).outcome).toBe(
            'valid',
          );
        },
      ),
    );
  });
});
