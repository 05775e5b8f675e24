/**
 * DirectReader (one server) and resolver discovery against real unbound
 * instances and fault servers on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectReader } from '../../../src/dns/client/direct-reader.js';
import {
  DnsConnectionError,
  DnsRcodeError,
  DnsUntrustedAnswerError,
} from '../../../src/dns/client/errors.js';
import {
  DnsDiscoveryError,
  discoverResolvers,
} from '../../../src/dns/client/resolver-discovery.js';
import { ResolverPool } from '../../../src/dns/client/resolver-pool.js';
import { formatServer } from '../../../src/dns/client/server-address.js';
import { PROBE_NAME, type ReaderWorld, SLOT_NAME, startReaderWorld } from './reader-fixtures.js';
import { haveTool, UNBOUND } from './unbound.js';

describe.runIf(haveTool(UNBOUND))('readers against unbound', () => {
  let w: ReaderWorld;
  beforeAll(async () => {
    w = await startReaderWorld();
  });
  afterAll(async () => {
    await w?.stop();
  });

  describe('DirectReader', () => {
    it('reads logical values and tells the kinds of "none" apart', async () => {
      const reader = new DirectReader({ server: w.good[0]! });
      expect(await reader.readTxt(SLOT_NAME, { validate: w.validate })).toEqual({
        status: 'found',
        values: [w.manifest],
        server: formatServer(w.good[0]!),
      });
      expect((await reader.readTxt('missing.mesh.test')).status).toBe('nxdomain');
      expect((await reader.readTxt('a.mesh.test')).status).toBe('nodata');
      const refused = await reader.readTxt('example.org');
      expect(refused.status === 'error' && refused.error).toBeInstanceOf(DnsRcodeError);
    });

    it('reports values that fail validation as an untrusted answer', async () => {
      const answer = await new DirectReader({ server: w.liar }).readTxt(SLOT_NAME, {
        validate: w.validate,
      });
      expect(answer.status === 'error' && answer.error).toBeInstanceOf(DnsUntrustedAnswerError);
    });

    it('reports a dead server as a typed error, never a rejection', async () => {
      const answer = await new DirectReader({ server: w.dead }).readTxt(SLOT_NAME);
      expect(answer.status === 'error' && answer.error).toBeInstanceOf(DnsConnectionError);
      const bad = await new DirectReader({ server: w.good[0]! }).readTxt('bad..name');
      expect(bad.status).toBe('error');
    });
  });

  describe('discovery', () => {
    it('keeps resolvers that answer or say NXDOMAIN and drops the rest, saying why', async () => {
      const probes = await discoverResolvers(
        [
          formatServer(w.good[0]!),
          w.liar,
          w.filter.server,
          w.blackhole.server,
          w.dead,
          w.servfail.server,
          'dns.google',
          formatServer(w.good[0]!),
        ],
        { probeName: PROBE_NAME, timeoutMs: 2000 },
      );
      expect(probes.map((p) => [p.verdict, p.usable])).toEqual([
        ['answers', true],
        ['nxdomain', true],
        ['filters-txt', false],
        ['timeout', false],
        ['unreachable', false],
        ['rcode', false],
        ['invalid-address', false],
      ]);
      expect(JSON.parse(JSON.stringify(probes))).toEqual(probes);
    });

    it('builds a pool over the survivors, or fails with every reason', async () => {
      const { pool } = await ResolverPool.discover([w.dead, w.good[0]!, w.liar], {
        probeName: PROBE_NAME,
        timeoutMs: 5000,
      });
      expect(pool.servers).toEqual([w.good[0]!, w.liar]);
      const err = await ResolverPool.discover([w.dead, w.filter.server], {
        probeName: PROBE_NAME,
        timeoutMs: 5000,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DnsDiscoveryError);
      expect((err as DnsDiscoveryError).probes).toHaveLength(2);
      expect((err as Error).message).toContain('filters-txt');
    });
  });
});
