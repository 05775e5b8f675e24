import { afterEach, describe, expect, it } from 'vitest';
import { frameTcp } from '../../../../src/dns/index.js';
import {
  type DnsListenerOptions,
  type DnsListeners,
  startDnsListeners,
} from '../../../../src/node/dns/transport/listeners.js';
import { CountingDnsMetrics } from '../../../../src/node/dns/transport/metrics.js';
import { concatBytes } from '../../../../src/protocol/bytes.js';
import {
  decode,
  query,
  StubResponder,
  silentLogger,
  sleep,
  TcpClient,
  waitFor,
  waitForSteady,
} from './helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function start(
  responder = new StubResponder(),
  extra: Partial<DnsListenerOptions> = {},
): Promise<DnsListeners> {
  const listeners = await startDnsListeners(responder, {
    hosts: ['127.0.0.1', '::1'],
    port: 0,
    logger: silentLogger,
    ...extra,
  });
  open.push(listeners);
  return listeners;
}

async function connect(port: number, host = '127.0.0.1'): Promise<TcpClient> {
  const c = await TcpClient.open(port, host);
  open.push({ close: async () => c.destroy() });
  return c;
}

/** Queries whose 60 kB replies (12 MB) overflow loopback socket buffers, so writes block. */
const BEYOND_BUFFERS = 200;

const ids = (c: TcpClient) => c.messages.map((m) => decode(m).header.id);

describe('DNS over TCP', () => {
  it('answers over IPv4 and IPv6 with the TCP context', async () => {
    const responder = new StubResponder();
    const listeners = await start(responder);
    for (const host of ['127.0.0.1', '::1']) {
      const c = await connect(listeners.port, host);
      const reply = decode(await c.ask(query('Tcp.Mesh.Local', 40)));
      expect(reply.header.id).toBe(40);
      expect(reply.questions[0]!.name).toBe('Tcp.Mesh.Local');
    }
    expect(responder.contexts).toEqual([
      { transport: 'tcp', remoteAddress: '127.0.0.1', maxResponseBytes: 65535 },
      { transport: 'tcp', remoteAddress: '::1', maxResponseBytes: 65535 },
    ]);
  });

  it('answers pipelined queries in order on one connection', async () => {
    const listeners = await start();
    const c = await connect(listeners.port);
    const batch = Array.from({ length: 50 }, (_, i) => frameTcp(query(`q${i}.mesh.local`, i + 1)));
    c.write(concatBytes(...batch));
    await waitFor(() => c.messages.length === 50);
    expect(ids(c)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // The connection stays open for more.
    expect(decode(await c.ask(query('more.mesh.local', 99))).header.id).toBe(99);
  });

  it('reassembles split and coalesced segments', async () => {
    const listeners = await start();
    const c = await connect(listeners.port);
    const stream = concatBytes(...[1, 2, 3].map((id) => frameTcp(query(`s${id}.mesh.local`, id))));
    // First message dribbled an octet at a time, then 1.5 messages, then the rest.
    const first = frameTcp(query('s1.mesh.local', 1)).length;
    for (let i = 0; i < first; i++) {
      c.write(stream.subarray(i, i + 1));
      await sleep(1);
    }
    await waitFor(() => c.messages.length === 1);
    const cut = first + Math.floor((stream.length - first) * 0.75);
    c.write(stream.subarray(first, cut));
    await sleep(10);
    c.write(stream.subarray(cut));
    await waitFor(() => c.messages.length === 3);
    expect(ids(c)).toEqual([1, 2, 3]);
  });

  it('closes on a zero-length or oversize frame', async () => {
    const metrics = new CountingDnsMetrics();
    const listeners = await start(undefined, { tcpMaxMessageBytes: 512, metrics });
    const zero = await connect(listeners.port);
    zero.write(Uint8Array.from([0, 0]));
    await zero.waitClosed();
    const big = await connect(listeners.port);
    big.write(Uint8Array.from([0x02, 0x01])); // 513 > 512
    await big.waitClosed();
    // After a valid exchange too: the stream cannot be resynchronised.
    const late = await connect(listeners.port);
    await late.ask(query('ok.mesh.local', 1));
    late.write(Uint8Array.from([0, 0]));
    await late.waitClosed();
    expect(metrics.get('tcp', 'tcp-protocol-error')).toBe(3);
  });

  it('answers nothing for garbage messages but keeps the connection', async () => {
    const listeners = await start();
    const c = await connect(listeners.port);
    c.write(frameTcp(Uint8Array.from([1, 2, 3])));
    c.write(frameTcp(query('silent.mesh.local', 2)));
    c.write(frameTcp(query('throw.mesh.local', 3)));
    expect(decode(await c.ask(query('fine.mesh.local', 4))).header.id).toBe(4);
    expect(ids(c)).toEqual([4]);
  });

  it('closes idle connections: sooner before the first message', async () => {
    const metrics = new CountingDnsMetrics();
    // The two timeouts are far apart so the order of the closes holds however
    // slowly a loaded machine runs the timers; no wall-clock bound is asserted.
    const listeners = await start(undefined, {
      tcpInitialTimeoutMs: 100,
      tcpIdleTimeoutMs: 1_500,
      metrics,
    });
    const silent = await connect(listeners.port);
    const talker = await connect(listeners.port);
    await talker.ask(query('t.mesh.local'));
    await silent.waitClosed();
    expect(talker.closed).toBe(false);
    await talker.waitClosed();
    expect(metrics.get('tcp', 'tcp-timeout')).toBe(2);
    await waitFor(() => listeners.tcpConnections === 0);
  });

  it('when full, closes the oldest idle connection to admit a new one', async () => {
    const metrics = new CountingDnsMetrics();
    const listeners = await start(undefined, { maxTcpConnections: 2, metrics });
    const a = await connect(listeners.port);
    expect(decode(await a.ask(query('a.mesh.local', 1))).header.id).toBe(1);
    const b = await connect(listeners.port, '::1'); // the cap spans listeners
    expect(decode(await b.ask(query('b.mesh.local', 2))).header.id).toBe(2);
    const c = await connect(listeners.port);
    expect(decode(await c.ask(query('c.mesh.local', 3))).header.id).toBe(3);
    await a.waitClosed(); // the oldest idle one made room
    expect(b.closed).toBe(false);
    expect(metrics.get('tcp', 'tcp-reject')).toBe(0);
    expect(listeners.tcpConnections).toBe(2);
  });

  it('refuses a newcomer when no connection is idle, and admits again after', async () => {
    const metrics = new CountingDnsMetrics();
    const listeners = await start(undefined, { maxTcpConnections: 2, metrics });
    // Half a message each: busy, not idle.
    const a = await connect(listeners.port);
    const b = await connect(listeners.port, '::1');
    a.write(Uint8Array.from([0, 40, 1]));
    b.write(Uint8Array.from([0, 40, 1]));
    await waitFor(() => listeners.tcpConnections === 2 && listeners.tcpIdleConnections === 0);
    const extra = await connect(listeners.port);
    await extra.waitClosed();
    expect(extra.messages).toEqual([]);
    expect(metrics.get('tcp', 'tcp-reject')).toBe(1);
    expect(a.closed || b.closed).toBe(false);
    a.destroy();
    await waitFor(() => listeners.tcpConnections === 1);
    const c = await connect(listeners.port);
    expect(decode(await c.ask(query('c.mesh.local', 3))).header.id).toBe(3);
  });

  it('caps connections per client network', async () => {
    const metrics = new CountingDnsMetrics();
    const listeners = await start(undefined, { maxTcpConnectionsPerNetwork: 2, metrics });
    const first = [await connect(listeners.port), await connect(listeners.port, '127.0.0.1')];
    await waitFor(() => listeners.tcpConnections === 2);
    const third = await connect(listeners.port);
    await third.waitClosed();
    expect(metrics.get('tcp', 'tcp-reject')).toBe(1);
    // Another network (::1) is not affected.
    const v6 = await connect(listeners.port, '::1');
    expect(decode(await v6.ask(query('v6.mesh.local', 6))).header.id).toBe(6);
    expect(first.every((c) => !c.closed)).toBe(true);
  });

  it('cuts a client that dribbles its first message past the deadline (slowloris)', async () => {
    const metrics = new CountingDnsMetrics();
    const listeners = await start(undefined, { tcpInitialTimeoutMs: 300, metrics });
    const slow = await connect(listeners.port);
    // A 40-byte message announced, then one byte of it every 50 ms: never
    // idle for long, never done (with 40 bytes it would take 2 s).
    slow.write(Uint8Array.from([0, 40]));
    const drip = setInterval(() => {
      if (!slow.closed) slow.write(Uint8Array.from([1]));
    }, 50);
    try {
      await slow.waitClosed();
    } finally {
      clearInterval(drip);
    }
    expect(metrics.get('tcp', 'tcp-timeout')).toBe(1);
  });

  it('holds queries while the client does not read, and answers them all later', async () => {
    const metrics = new CountingDnsMetrics();
    const listeners = await start(undefined, { metrics });
    const c = await connect(listeners.port);
    c.socket.pause();
    const n = BEYOND_BUFFERS;
    c.write(
      concatBytes(...Array.from({ length: n }, (_, i) => frameTcp(query(`big.${i}`, i + 1)))),
    );
    await sleep(100);
    c.socket.resume();
    expect(metrics.get('tcp', 'response')).toBeLessThan(n); // really held back
    await waitFor(() => c.messages.length === n, 10_000);
    expect(c.messages.map((m) => (m[0]! << 8) | m[1]!)).toEqual(
      Array.from({ length: n }, (_, i) => i + 1),
    );
  });

  it('closes a connection that queues too many unanswered queries', async () => {
    const metrics = new CountingDnsMetrics();
    const listeners = await start(undefined, { tcpMaxPendingQueries: 8, metrics });
    const c = await connect(listeners.port);
    c.socket.pause();
    const n = BEYOND_BUFFERS;
    c.write(concatBytes(...Array.from({ length: n }, (_, i) => frameTcp(query(`big.${i}`, i)))));
    await waitFor(() => metrics.get('tcp', 'tcp-protocol-error') === 1);
    await waitFor(() => listeners.tcpConnections === 0);
  });
});

describe('TCP close()', () => {
  it('finishes replies in flight, then closes connections', async () => {
    const metrics = new CountingDnsMetrics();
    const listeners = await startDnsListeners(new StubResponder(), {
      hosts: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      metrics,
    });
    const idle = await connect(listeners.port);
    const busy = await connect(listeners.port);
    await idle.ask(query('idle.mesh.local'));
    busy.socket.pause();
    const n = BEYOND_BUFFERS;
    busy.write(
      concatBytes(...Array.from({ length: n }, (_, i) => frameTcp(query(`big.${i}`, i + 1)))),
    );
    await waitForSteady(() => metrics.get('tcp', 'request')); // blocked on back-pressure
    const closed = listeners.close();
    await idle.waitClosed();
    expect(busy.closed).toBe(false);
    busy.socket.resume();
    await closed; // default close timeout 5 s
    await busy.waitClosed();
    expect(busy.messages.length).toBe(n);
    // Not accepting any more.
    await expect(TcpClient.open(listeners.port, '127.0.0.1')).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('cuts connections that do not finish within the close timeout', async () => {
    const listeners = await startDnsListeners(new StubResponder(), {
      hosts: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      closeTimeoutMs: 200,
    });
    const stuck = await connect(listeners.port);
    stuck.socket.pause();
    stuck.write(
      concatBytes(...Array.from({ length: BEYOND_BUFFERS }, (_, i) => frameTcp(query(`big.${i}`)))),
    );
    await sleep(50);
    const t0 = Date.now();
    await listeners.close();
    // Far below the 5 s default: the 200 ms close timeout was the one applied.
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(listeners.tcpConnections).toBe(0);
  });
});
