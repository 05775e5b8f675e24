/**
 * ResolverPool against real resolvers on loopback: an honest unbound (two
 * ports), a lying unbound, a dead port and fault servers. Lookups must keep
 * succeeding while the dead and lying upstreams sink in the health order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DnsAbortedError,
  DnsNoResolverError,
  DnsUntrustedAnswerError,
} from '../../../src/dns/client/errors.js';
import { ResolverPool } from '../../../src/dns/client/resolver-pool.js';
import { type DnsServer, formatServer } from '../../../src/dns/client/server-address.js';
import { answerTo, FaultServer, txtRecord } from './fault-server.js';
import { PROBE_NAME, type ReaderWorld, SLOT_NAME, startReaderWorld } from './reader-fixtures.js';
import { haveTool, UNBOUND } from './unbound.js';

const label = (s: DnsServer) => formatServer(s);

describe.runIf(haveTool(UNBOUND))('ResolverPool', () => {
  let w: ReaderWorld;
  beforeAll(async () => {
    w = await startReaderWorld();
  });
  afterAll(async () => {
    await w?.stop();
  });

  it('keeps answering with a dead and a lying resolver, and demotes both', async () => {
    const pool = new ResolverPool([w.dead, w.liar, w.good[0]!], { timeoutMs: 5000 });
    for (let i = 0; i < 6; i++) {
      const answer = await pool.readTxt(SLOT_NAME, { validate: w.validate });
      expect(answer).toEqual({ status: 'found', values: [w.manifest], server: label(w.good[0]!) });
    }
    const list = pool.list();
    expect(list.map((s) => s.server)).toEqual([label(w.good[0]!), label(w.dead), label(w.liar)]);
    expect(list.map((s) => s.state)).toEqual(['preferred', 'cooling-down', 'distrusted']);
    const [good, dead, liar] = list;
    expect(good!.queries).toBe(6);
    expect(dead!.queries).toBe(1);
    expect(dead!.lastError).toContain('connection refused');
    expect(liar!.queries).toBe(1);
    expect(liar!.lies).toBe(1);
    expect(liar!.lastError).toContain('fail verification');
  });

  it('without a validator, a cross-check majority convicts the odd one out', async () => {
    const pool = new ResolverPool([w.liar, ...w.good], { crossCheck: 3, timeoutMs: 5000 });
    const answer = await pool.readTxt('plain.mesh.test');
    expect(answer.status).toBe('found');
    expect(answer.status === 'found' && [...answer.values].sort()).toEqual(['v1', 'v2']);
    // Equally healthy resolvers are ordered by observed latency, which on a
    // loaded machine can go either way: the contract is that the honest two
    // come first (in any order) and the convicted liar last.
    const list = pool.list();
    expect(new Set(list.slice(0, 2).map((s) => s.server))).toEqual(new Set(w.good.map(label)));
    expect(list.slice(0, 2).every((s) => s.state === 'preferred')).toBe(true);
    expect(list[2]!.server).toBe(label(w.liar));
    expect(list[2]!.state).toBe('distrusted');
  });

  it('charges a resolver that denied a record another one returned (oracle rule)', async () => {
    const pool = new ResolverPool([w.liar, w.good[0]!], { timeoutMs: 5000 });
    const answer = await pool.readTxt('only-good.mesh.test');
    expect(answer).toMatchObject({ status: 'found', values: ['yes'] });
    const liar = pool.list().find((s) => s.server === label(w.liar))!;
    expect(liar.state).toBe('cooling-down');
    expect(liar.lies).toBe(0);
  });

  it('treats agreement on absence as healthy and keeps NXDOMAIN and NODATA apart', async () => {
    const pool = new ResolverPool([w.liar, w.good[0]!], { timeoutMs: 5000 });
    expect(await pool.readTxt('missing.mesh.test')).toEqual({
      status: 'nxdomain',
      server: label(w.liar),
    });
    expect(pool.list().every((s) => s.state === 'preferred' && s.failures === 0)).toBe(true);
  });

  it('reports NODATA for a name that exists without TXT', async () => {
    const pool = new ResolverPool([w.good[0]!], { timeoutMs: 5000 });
    expect(await pool.readTxt('a.mesh.test')).toEqual({
      status: 'nodata',
      server: label(w.good[0]!),
    });
  });

  it('blames nobody when every answer fails validation', async () => {
    const pool = new ResolverPool([w.liar], { timeoutMs: 5000 });
    const answer = await pool.readTxt(SLOT_NAME, { validate: w.validate });
    expect(answer.status === 'error' && answer.error).toBeInstanceOf(DnsUntrustedAnswerError);
    expect(pool.list()[0]!.state).toBe('preferred');
  });

  it('reports every failure, within the deadline, when no resolver answers', async () => {
    const pool = new ResolverPool([w.dead, w.blackhole.server], { timeoutMs: 300 });
    const answer = await pool.readTxt(SLOT_NAME);
    expect(answer.status).toBe('error');
    const error = answer.status === 'error' ? answer.error : undefined;
    expect(error).toBeInstanceOf(DnsNoResolverError);
    expect((error as DnsNoResolverError).failures).toHaveLength(2);
    expect(error!.message).toContain('connection refused');
    expect(error!.message).toContain('timeout after 300 ms');
  });

  it('stops at the lookup deadline and names the upstreams it never tried', async () => {
    const pool = new ResolverPool([w.blackhole.server, w.good[0]!], {
      timeoutMs: 5000,
      deadlineMs: 200,
    });
    const answer = await pool.readTxt(PROBE_NAME);
    const error = answer.status === 'error' ? (answer.error as DnsNoResolverError) : undefined;
    expect(error?.untried).toEqual([label(w.good[0]!)]);
    expect(error?.message).toContain('deadline passed before trying');
  });

  it('resolves UPDATE target addresses through the pool', async () => {
    const pool = new ResolverPool([w.dead, w.liar, w.good[0]!], { timeoutMs: 5000 });
    expect(await pool.resolveAddress('a.mesh.test')).toBe('192.0.2.1');
    expect(await pool.resolveAddress('198.51.100.7')).toBe('198.51.100.7');
    expect(await pool.resolveAddress('missing.mesh.test')).toBeUndefined();
    // No oracle rule for addresses: only the dead upstream is charged.
    expect(pool.list().map((s) => s.state)).toEqual(['preferred', 'preferred', 'cooling-down']);
  });

  it('fails over on SERVFAIL and REFUSED', async () => {
    const pool = new ResolverPool([w.servfail.server, w.good[0]!], { timeoutMs: 5000 });
    expect((await pool.readTxt(PROBE_NAME)).status).toBe('found');
    expect(pool.list()[1]!.lastError).toContain('SERVFAIL');
    const refused = await pool.readTxt('example.org');
    expect(refused.status).toBe('error');
    expect(refused.status === 'error' && refused.error.message).toContain('REFUSED');
  });

  it('prefers a materially faster resolver', async () => {
    const slow = await FaultServer.start((r) => ({
      kind: 'delay',
      ms: 80,
      action: {
        kind: 'reply',
        message: answerTo(r.message!, { answers: [txtRecord(PROBE_NAME, 'ok')] }),
      },
    }));
    try {
      const pool = new ResolverPool([slow.server, w.good[0]!], { timeoutMs: 5000 });
      await pool.readTxt(PROBE_NAME);
      expect(pool.list()[0]!.server).toBe(label(w.good[0]!));
      await pool.readTxt(PROBE_NAME);
      expect(pool.list()[0]!.queries).toBe(1);
      expect(pool.list()[1]!.latencyMs).toBeGreaterThanOrEqual(75);
    } finally {
      await slow.close();
    }
  });

  it('lets a cooldown and a distrust period expire on the pool clock', async () => {
    let now = 1_000_000;
    const pool = new ResolverPool([w.dead, w.liar, w.good[0]!], {
      timeoutMs: 5000,
      clock: () => now,
    });
    await pool.readTxt(SLOT_NAME, { validate: w.validate });
    expect(pool.list().map((s) => s.state)).toEqual(['preferred', 'cooling-down', 'distrusted']);
    now += 61_000;
    expect(pool.list().map((s) => s.server)).toEqual([
      label(w.dead),
      label(w.good[0]!),
      label(w.liar),
    ]);
    now += 600_000;
    expect(pool.list().map((s) => s.server)).toEqual([
      label(w.dead),
      label(w.liar),
      label(w.good[0]!),
    ]);
  });

  it('returns an aborted error without charging anyone', async () => {
    const pool = new ResolverPool([w.blackhole.server], { timeoutMs: 2000 });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 30);
    const answer = await pool.readTxt(PROBE_NAME, { signal: ctl.signal });
    expect(answer.status === 'error' && answer.error).toBeInstanceOf(DnsAbortedError);
    expect(pool.list()[0]!.failures).toBe(0);
  });

  it('with dnssecRequired, demotes a resolver whose answers lack AD', async () => {
    const ad = await FaultServer.start((r) => ({
      kind: 'reply',
      message: answerTo(r.message!, { ad: true, answers: [txtRecord(PROBE_NAME, 'signed')] }),
    }));
    try {
      const pool = new ResolverPool([w.good[0]!, ad.server], {
        timeoutMs: 5000,
        dnssecRequired: true,
      });
      expect(await pool.readTxt(PROBE_NAME)).toMatchObject({ status: 'found', values: ['signed'] });
      expect(pool.list()[1]!.lastError).toContain('AD clear');
      expect(ad.requests[0]!.message!.additionals[0]!.ttl & 0x8000).toBe(0x8000);
    } finally {
      await ad.close();
    }
  });

  it('lists JSON-safe health and validates its configuration', () => {
    const pool = new ResolverPool(['127.0.0.1:5353', '127.0.0.1:5353', '[::1]']);
    const list = pool.list();
    expect(JSON.parse(JSON.stringify(list))).toEqual(list);
    expect(list.map((s) => s.server)).toEqual(['127.0.0.1:5353', '[::1]:53']);
    expect(() => new ResolverPool([])).toThrow(RangeError);
    expect(() => new ResolverPool(['dns.google'])).toThrow(/hostnames/);
  });
});
