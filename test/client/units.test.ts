/**
 * The client's pure pieces: size limits, contacts and pin sets, claim
 * target derivation, concurrency and pacing helpers, address parsing.
 */
import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/client/address.js';
import {
  claimTargetHost,
  endpointHost,
  providerDnsPort,
  resolveTargetAddress,
} from '../../src/client/claim-target.js';
import { createLimiter, createPacer, forEachLimit } from '../../src/client/concurrency.js';
import { ContactBook, makeContact } from '../../src/client/contacts.js';
import { DmpClientError, MessageTooLargeError } from '../../src/client/errors.js';
import {
  checkMessageSize,
  manifestValueLength,
  maxBodyBytes,
} from '../../src/client/message-limits.js';
import { toHex } from '../../src/protocol/bytes.js';

const key = (fill: number) => new Uint8Array(32).fill(fill);
const TS = 1_893_456_000;

describe('message limits', () => {
  it('manifest lengths match core.md §1.5', () => {
    expect([2, 6, 42, 43].map(manifestValueLength)).toEqual([336, 508, 2044, 2084]);
  });

  it('the 2048-byte cap allows 3732 body bytes (k = 32, n = 42); no cap allows 24,724', () => {
    expect(maxBodyBytes({ ts: TS, ttl: 300 })).toBe(3732);
    expect(checkMessageSize(3732, { ts: TS, ttl: 300 })).toEqual({ k: 32, n: 42 });
    expect(() => checkMessageSize(3733, { ts: TS, ttl: 300 })).toThrow(MessageTooLargeError);
    expect(maxBodyBytes({ ts: TS, ttl: 300, maxValueBytes: 0 })).toBe(25_084 - 360);
    // The header carries ttl's digits: a 5-digit ttl costs two bytes.
    expect(maxBodyBytes({ ts: TS, ttl: 86400 })).toBe(3730);
    expect(maxBodyBytes({ ts: TS, ttl: 300, envelopeFrom: 'a@b.c' })).toBe(
      3732 - 'DMPV2:{"from":"a@b.c"}\n'.length,
    );
  });
});

describe('contacts', () => {
  it('validates keys and drops the host part of a user@host username (O4)', () => {
    expect(() => makeContact('x', {}, 'own.test')).toThrow(DmpClientError);
    expect(() => makeContact('x', { x25519Pub: new Uint8Array(31) }, 'own.test')).toThrow(
      /32 bytes/,
    );
    const c = makeContact('bob@bob.test', { x25519Pub: key(1), domain: 'bob.test' }, 'own.test');
    expect(c).toMatchObject({ username: 'bob', domain: 'bob.test', domainExplicit: true });
    const d = makeContact('carol', { ed25519Spk: key(2) }, 'own.test');
    expect(d).toMatchObject({ username: 'carol', domain: 'own.test', domainExplicit: false });
    expect(makeContact('intro-x', { ed25519Spk: key(2), username: '' }, 'o').username).toBe('');
  });

  it('derives pin sets and polled zones as the reference does', () => {
    const book = new ContactBook('own.test');
    book.set('a', { ed25519Spk: key(1), domain: 'z1.test' });
    book.set('b', { ed25519Spk: key(2) });
    book.set('c', { x25519Pub: key(3), domain: 'z2.test' }); // not a pin
    book.set('d', { ed25519Spk: key(4), domain: 'z1.test' });
    expect(book.zonesToPoll()).toEqual(['z1.test', 'own.test', 'z2.test']);
    expect([...book.acceptedIn('own.test')].sort()).toEqual(
      [key(1), key(2), key(4)].map(toHex).sort(),
    );
    expect([...book.acceptedIn('z1.test')].sort()).toEqual([key(1), key(4)].map(toHex).sort());
    expect(book.acceptedIn('Z1.test').size).toBe(0); // exact comparison (O20)
    expect(book.resolve('a@whatever')?.label).toBe('a');
    expect(book.findByKey(key(4))?.label).toBe('d');
  });
});

describe('claim targets (core.md §8.3)', () => {
  it('takes the endpoint host, else the normalised zone; port from the environment', () => {
    expect(endpointHost('https://Node.Example:8443/path')).toBe('node.example');
    expect(endpointHost('node.example')).toBe('node.example');
    expect(endpointHost('http://[::1]:8080')).toBe('::1');
    expect(endpointHost('')).toBeUndefined();
    expect(claimTargetHost(' Mesh.Test. ', '')).toBe('mesh.test');
    expect(providerDnsPort({ DMP_PROVIDER_DNS_PORT: '5353' })).toBe(5353);
    expect(providerDnsPort({ DMP_PROVIDER_DNS_PORT: '70000' })).toBe(53);
    expect(providerDnsPort({})).toBe(53);
  });

  it('resolves directly, then through the zone name servers', async () => {
    const seen: string[] = [];
    const resolver = {
      resolveAddress: async (h: string) => {
        seen.push(h);
        return h === 'ns2.example' ? '192.0.2.2' : undefined;
      },
      resolveNsHosts: async () => ['ns1.example', 'ns2.example'],
    };
    expect(await resolveTargetAddress('10.0.0.1', resolver)).toBe('10.0.0.1');
    expect(await resolveTargetAddress('zone.example', resolver)).toBe('192.0.2.2');
    expect(seen).toEqual(['zone.example', 'ns1.example', 'ns2.example']);
  });
});

describe('concurrency helpers', () => {
  it('createLimiter never exceeds its bound', async () => {
    const limit = createLimiter(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limit(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 2));
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('forEachLimit stops starting work after a failure and waits for running calls', async () => {
    const started: number[] = [];
    let running = 0;
    const err = await forEachLimit([0, 1, 2, 3, 4, 5, 6, 7], 2, async (i) => {
      started.push(i);
      running++;
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (i === 1) throw new Error('boom');
    }).catch((e: Error) => e);
    expect((err as Error).message).toBe('boom');
    expect(running).toBe(0);
    expect(started.length).toBeLessThan(8);
  });

  it('createPacer holds a rate after the burst', async () => {
    const pace = createPacer({ rate: 200, burst: 5 });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 25 }, () => pace()));
    // 5 immediately, 20 more at 200/s ≥ 100 ms.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    expect(() => createPacer({ rate: 0, burst: 1 })).toThrow(RangeError);
  });
});

describe('address parsing (core.md §10.2)', () => {
  it('splits at the first @, trims, strips trailing dots, keeps case', () => {
    expect(parseAddress(' Bob @ Mesh.Test.. ')).toEqual({ user: 'Bob', host: 'Mesh.Test' });
    expect(parseAddress('a@b@c')).toEqual({ user: 'a', host: 'b@c' });
    expect(parseAddress('bob')).toBeUndefined();
    expect(parseAddress('@host')).toBeUndefined();
  });
});
