/**
 * The per-network response byte budget on the UDP listener: what a flooding
 * network receives is bounded in octets, the excess is slipped (TC=1) or
 * dropped, and replies whose source is proven (valid server cookie, TSIG)
 * or that cannot amplify (UPDATE) pass; other networks and TCP are untouched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DnsRequestContext, DnsResponse } from '../../../../src/node/dns/responder.js';
import { startDnsListeners } from '../../../../src/node/dns/transport/listeners.js';
import { CountingDnsMetrics } from '../../../../src/node/dns/transport/metrics.js';
import {
  decode,
  query,
  StubResponder,
  silentLogger,
  TcpClient,
  UdpClient,
  waitFor,
} from './helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

/** The stub, plus: names under `verified.` come with a valid server cookie. */
class CookieStub extends StubResponder {
  override respond(request: Uint8Array, context: DnsRequestContext): DnsResponse | undefined {
    const r = super.respond(request, context);
    if (r === undefined || !r.qname?.startsWith('verified.')) return r;
    return { ...r, addressVerified: true, truncated: r.truncated };
  }
}

async function start(rrl = false) {
  const metrics = new CountingDnsMetrics();
  // The budget's clock stands still: no credit is earned while the flood is
  // sent, however slowly a loaded machine sends it. 1 B/s: the burst is the
  // floor of one full reply, 1,232 octets.
  const listeners = await startDnsListeners(new CookieStub(), {
    hosts: ['127.0.0.1', '::1'],
    port: 0,
    logger: silentLogger,
    metrics,
    responseBudget: { bytesPerSecond: 1, slip: 2, now: () => 5_000 },
    ...(rrl ? { rrl: { responsesPerSecond: 1000, now: () => 5_000 } } : {}),
  });
  open.push(listeners);
  return { listeners, metrics };
}

describe('response byte budget on the UDP listener', () => {
  it('bounds the octets a flooding network receives; slips and drops the rest', async () => {
    const { listeners, metrics } = await start(true);
    const flooder = await UdpClient.open('127.0.0.1');
    const bystander = await UdpClient.open('127.0.1.1'); // another /24
    open.push(flooder, bystander);

    const n = 300;
    for (let i = 0; i < n; i++)
      flooder.send(query('flood.mesh.local', i), listeners.port, '127.0.0.1');
    await waitFor(() => metrics.get('udp', 'request') >= n);
    await waitFor(() => flooder.received.length === metrics.get('udp', 'response'));

    const full = flooder.received.filter((m) => !decode(m).header.tc);
    const fullBytes = full.reduce((sum, m) => sum + m.length, 0);
    const size = full[0]!.length;
    expect(fullBytes).toBeLessThanOrEqual(1232);
    expect(full).toHaveLength(Math.floor(1232 / size));
    const slipped = flooder.received.length - full.length;
    const limited = n - full.length;
    expect(slipped).toBe(Math.floor(limited / 2));
    expect(metrics.get('udp', 'budget-slip')).toBe(slipped);
    expect(metrics.get('udp', 'budget-drop')).toBe(limited - slipped);
    // RRL saw only what the budget let through, and let it all pass.
    expect(listeners.rrl!.counters.sent).toBe(full.length);
    expect(listeners.responseBudget!.counters).toMatchObject({
      sent: full.length,
      sentBytes: fullBytes,
      slipped,
    });

    // Another network is untouched.
    const other = decode(
      await bystander.ask(query('flood.mesh.local', 9), listeners.port, '127.0.0.1'),
    );
    expect(other.header.tc).toBe(false);
  });

  it('never limits proven sources (server cookie, TSIG) or UPDATE replies', async () => {
    const { listeners, metrics } = await start();
    const c = await UdpClient.open('127.0.0.1');
    open.push(c);
    for (let i = 0; i < 100; i++) c.send(query('flood.mesh.local', i), listeners.port, '127.0.0.1');
    await waitFor(() => metrics.get('udp', 'request') >= 100);
    expect(metrics.get('udp', 'budget-drop')).toBeGreaterThan(0);
    const slipsBefore = metrics.get('udp', 'budget-slip');
    for (let i = 0; i < 90; i++) {
      const prefix = ['verified.', 'auth.', 'upd.'][i % 3]!;
      const reply = decode(
        await c.ask(query(`${prefix}flood.mesh.local`, 2000 + i), listeners.port, '127.0.0.1'),
      );
      expect([reply.header.id, reply.header.tc]).toEqual([2000 + i, false]);
    }
    expect(metrics.get('udp', 'budget-slip')).toBe(slipsBefore);
  });

  it('TCP is not limited by it', async () => {
    const { listeners, metrics } = await start();
    const c = await UdpClient.open('127.0.0.1');
    open.push(c);
    for (let i = 0; i < 100; i++) c.send(query('flood.mesh.local', i), listeners.port, '127.0.0.1');
    await waitFor(() => metrics.get('udp', 'request') >= 100);
    const tcp = await TcpClient.open(listeners.port, '127.0.0.1');
    open.push({ close: async () => tcp.destroy() });
    for (let i = 0; i < 100; i++) {
      expect(decode(await tcp.ask(query('flood.mesh.local', i))).header.tc).toBe(false);
    }
  });
});
