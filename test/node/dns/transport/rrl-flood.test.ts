import { afterEach, describe, expect, it } from 'vitest';
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

describe('RRL on the UDP listener', () => {
  it('limits a flooding network with TC=1 slips and drops; others and TCP are unaffected', async () => {
    const metrics = new CountingDnsMetrics();
    // RRL's clock stands still: no credit is earned while the flood is sent,
    // however slowly a loaded machine sends it.
    const listeners = await startDnsListeners(new StubResponder(), {
      hosts: ['127.0.0.1', '::1'],
      port: 0,
      logger: silentLogger,
      metrics,
      rrl: { responsesPerSecond: 10, slip: 2, windowSeconds: 5, now: () => 1_000 },
    });
    open.push(listeners);
    const flooder = await UdpClient.open('127.0.0.1');
    const bystander = await UdpClient.open('127.0.1.1'); // another /24
    const v6 = await UdpClient.open('::1');
    open.push(flooder, bystander, v6);

    const n = 200;
    for (let i = 0; i < n; i++)
      flooder.send(query('flood.mesh.local', i), listeners.port, '127.0.0.1');
    await waitFor(() => metrics.get('udp', 'request') >= n);
    // Every reply the listener sent has arrived (loopback loses none).
    await waitFor(() => flooder.received.length === metrics.get('udp', 'response'));

    const replies = flooder.received.map(decode);
    const full = replies.filter((r) => !r.header.tc).length;
    const slipped = replies.filter((r) => r.header.tc).length;
    expect(full).toBeGreaterThanOrEqual(10);
    expect(full).toBeLessThanOrEqual(11); // the rate (credit may reach zero, not below)
    expect(slipped).toBeGreaterThan(50);
    expect(full + slipped).toBeLessThan(n); // the rest dropped
    const counters = listeners.rrl!.counters;
    expect(counters.slipped).toBe(slipped);
    expect(counters.dropped).toBe(n - full - slipped);
    expect(metrics.get('udp', 'rrl-drop')).toBe(counters.dropped);
    expect(metrics.get('udp', 'rrl-slip')).toBe(slipped);

    // A client of another network, over UDP (IPv4 and IPv6): full answers.
    for (let i = 0; i < 5; i++) {
      const reply = decode(
        await bystander.ask(query('flood.mesh.local', 1000 + i), listeners.port, '127.0.0.1'),
      );
      expect(reply.header.tc).toBe(false);
      expect(reply.header.id).toBe(1000 + i);
      expect(
        decode(await v6.ask(query('flood.mesh.local', i), listeners.port, '::1')).header.tc,
      ).toBe(false);
    }

    // The flooding client's network is still limited over UDP …
    const before = flooder.received.length;
    const requestsBefore = metrics.get('udp', 'request');
    for (let i = 0; i < 20; i++)
      flooder.send(query('flood.mesh.local', i), listeners.port, '127.0.0.1');
    await waitFor(() => metrics.get('udp', 'request') >= requestsBefore + 20);
    await waitFor(() => flooder.received.length === metrics.get('udp', 'response') - 10);
    expect(flooder.received.length - before).toBeGreaterThan(0);
    expect(flooder.received.slice(before).every((m) => decode(m).header.tc)).toBe(true);
    // … but TCP, where a slip sends it, answers in full every time.
    const tcp = await TcpClient.open(listeners.port, '127.0.0.1');
    open.push({ close: async () => tcp.destroy() });
    for (let i = 0; i < 50; i++) {
      const reply = decode(await tcp.ask(query('flood.mesh.local', i)));
      expect(reply.header.tc).toBe(false);
      expect(reply.header.id).toBe(i);
    }
  });

  it('never withholds the reply to a TSIG-verified request or an UPDATE', async () => {
    const metrics = new CountingDnsMetrics();
    const listeners = await startDnsListeners(new StubResponder(), {
      hosts: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      metrics,
      rrl: { responsesPerSecond: 1, slip: 0, windowSeconds: 5, now: () => 1_000 },
    });
    open.push(listeners);
    const c = await UdpClient.open('127.0.0.1');
    open.push(c);
    // Drain the network's buckets with unsigned queries: these are dropped …
    for (let i = 0; i < 50; i++) c.send(query('flood.mesh.local', i), listeners.port, '127.0.0.1');
    await waitFor(() => metrics.get('udp', 'request') >= 50);
    expect(metrics.get('udp', 'rrl-drop')).toBeGreaterThanOrEqual(48);
    // … while every signed request and every UPDATE still gets its reply.
    const ids = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const name = i % 2 === 0 ? 'auth.flood.mesh.local' : 'upd.flood.mesh.local';
      ids.add(decode(await c.ask(query(name, 1000 + i), listeners.port, '127.0.0.1')).header.id);
    }
    expect(ids.size).toBe(200);
  });

  it('sends every reply when RRL is disabled', async () => {
    const listeners = await startDnsListeners(new StubResponder(), {
      hosts: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      rrl: { responsesPerSecond: 0 },
    });
    open.push(listeners);
    const c = await UdpClient.open('127.0.0.1');
    open.push(c);
    for (let i = 0; i < 300; i++) c.send(query('x.mesh.local', i), listeners.port, '127.0.0.1');
    await waitFor(() => c.received.length === 300);
    expect(c.received.some((m) => decode(m).header.tc)).toBe(false);
  });
});
