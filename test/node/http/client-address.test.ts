/**
 * The client address behind reverse proxies (hardening: per-IP limits must
 * not turn node-wide behind the proxy the deploy docs recommend, and a
 * client must not choose its own address by writing the header).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClientAddressResolver,
  limiterKey,
  normalizeAddress,
} from '../../../src/node/http/client-address.js';
import { call, startApi } from './harness.js';

describe('client address', () => {
  it('believes X-Forwarded-For only from a trusted proxy, right to left', () => {
    const r = new ClientAddressResolver(['10.0.0.0/8', '::1']);
    expect(r.resolve('10.1.2.3', '198.51.100.7')).toBe('198.51.100.7');
    expect(r.resolve('::ffff:10.1.2.3', '198.51.100.7')).toBe('198.51.100.7');
    // The client wrote a fake left-most hop; the proxy appended the real one.
    expect(r.resolve('10.1.2.3', '1.2.3.4, 198.51.100.7')).toBe('198.51.100.7');
    // A chain of trusted proxies is skipped.
    expect(r.resolve('::1', '198.51.100.7, 10.9.9.9')).toBe('198.51.100.7');
    // From anyone else the header is ignored.
    expect(r.resolve('203.0.113.9', '1.2.3.4')).toBe('203.0.113.9');
    // Garbage in the header: the proxy itself, nothing beyond it.
    expect(r.resolve('10.1.2.3', 'not-an-ip')).toBe('10.1.2.3');
    expect(new ClientAddressResolver().resolve('10.1.2.3', '1.2.3.4')).toBe('10.1.2.3');
  });

  it('refuses a trusted-proxy entry that is neither an address nor a prefix', () => {
    for (const bad of ['proxy.example', '10.0.0.0/33', '::/129', '10.0.0.1/x']) {
      expect(() => new ClientAddressResolver([bad])).toThrow(RangeError);
    }
  });

  it('keys limits by IPv4 address and IPv6 /64, IPv4-mapped as IPv4', () => {
    expect(normalizeAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(limiterKey('192.0.2.1')).toBe('192.0.2.1');
    expect(limiterKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(limiterKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(limiterKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(limiterKey('::1')).toBe('0:0:0:0::/64');
    expect(limiterKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('never throws, and a resolved address is the peer or a header hop', () => {
    const r = new ClientAddressResolver(['10.0.0.0/8']);
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), fc.string(), (peer, header) => {
        const got = r.resolve(peer, header);
        const hops = header.split(',').map((h) => normalizeAddress(h));
        return got === normalizeAddress(peer) || hops.includes(got);
      }),
    );
    fc.assert(fc.property(fc.ipV6(), (a) => limiterKey(a).endsWith('::/64')));
  });

  it('behind a trusted proxy, the records limit applies per client, not to the proxy', async () => {
    const api = await startApi({
      trustedProxies: ['127.0.0.1'],
      recordsRate: { ratePerSecond: 0.001, burst: 2 },
    });
    try {
      const get = (client: string) =>
        call(api.url('/v1/records/a.mesh.test'), { headers: { 'x-forwarded-for': client } });
      // Client A spends its burst; B, through the same proxy, still gets through.
      expect((await get('198.51.100.1')).status).not.toBe(429);
      expect((await get('198.51.100.1')).status).not.toBe(429);
      expect((await get('198.51.100.1')).status).toBe(429);
      expect((await get('198.51.100.2')).status).not.toBe(429);
    } finally {
      await api.close();
    }
  });

  it('registration has a node-wide budget that spread addresses cannot exceed', async () => {
    const api = await startApi({
      trustedProxies: ['127.0.0.1'],
      registration: { globalRate: { ratePerSecond: 0.001, burst: 2 } },
    });
    try {
      const challenge = (client: string) =>
        call(api.url('/v1/registration/challenge'), { headers: { 'x-forwarded-for': client } });
      expect((await challenge('198.51.100.1')).status).toBe(200);
      expect((await challenge('198.51.100.2')).status).toBe(200);
      expect(await challenge('198.51.100.3')).toMatchObject({
        status: 429,
        body: { error: 'registration rate limit exceeded' },
      });
    } finally {
      await api.close();
    }
  });
});
