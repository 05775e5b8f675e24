import { type AddressInfo, createServer } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type DnsListeners,
  startDnsListeners,
} from '../../../../src/node/dns/transport/listeners.js';
import { CountingDnsMetrics } from '../../../../src/node/dns/transport/metrics.js';
import { UdpListener } from '../../../../src/node/dns/transport/udp-listener.js';
import {
  decode,
  query,
  StubResponder,
  silentLogger,
  sleep,
  TcpClient,
  UdpClient,
  waitFor,
} from './helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function start(
  responder: StubResponder,
  extra: Partial<Parameters<typeof startDnsListeners>[1]> = {},
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

async function client(local: string): Promise<UdpClient> {
  const c = await UdpClient.open(local);
  open.push(c);
  return c;
}

describe('DNS listeners: binding', () => {
  it('binds UDP and TCP on one shared port, on IPv4 and IPv6', async () => {
    const listeners = await start(new StubResponder());
    expect(listeners.port).toBeGreaterThan(0);
    const seen = listeners.addresses.map((a) => `${a.transport} ${a.family} ${a.address}`).sort();
    expect(seen).toEqual(['tcp 4 127.0.0.1', 'tcp 6 ::1', 'udp 4 127.0.0.1', 'udp 6 ::1']);
    expect(listeners.addresses.every((a) => a.port === listeners.port)).toBe(true);
  });

  it('with port 0, retries on a new port when TCP cannot have the UDP port', async () => {
    // Occupy TCP on P, then make the first UDP bind land on P (the kernel
    // would pick it only by chance): the start must move to another port.
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise<void>((resolve) => blocker.close(() => resolve())) });
    const taken = (blocker.address() as AddressInfo).port;
    const original = UdpListener.bind.bind(UdpListener);
    const spy = vi.spyOn(UdpListener, 'bind');
    spy.mockImplementationOnce((host, _port, family, options) =>
      original(host, taken, family, options),
    );
    spy.mockImplementation(original);
    try {
      const listeners = await start(new StubResponder(), { hosts: '127.0.0.1' });
      expect(listeners.port).not.toBe(taken);
      // At least one retry (more if a random port collides on its own).
      expect(spy.mock.calls.length).toBeGreaterThanOrEqual(2);
      // With a single attempt the collision is reported instead.
      spy.mockClear();
      spy.mockImplementationOnce((host, _port, family, options) =>
        original(host, taken, family, options),
      );
      await expect(
        startDnsListeners(new StubResponder(), {
          hosts: '127.0.0.1',
          port: 0,
          portAttempts: 1,
          logger: silentLogger,
        }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      spy.mockRestore();
    }
  });

  it('with a fixed port, serves UDP only (with a warning) when TCP is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise<void>((resolve) => blocker.close(() => resolve())) });
    const port = (blocker.address() as AddressInfo).port;
    const lines: string[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const listeners = await startDnsListeners(new StubResponder(), {
      hosts: '127.0.0.1',
      port,
      logger,
    });
    open.push(listeners);
    expect(listeners.addresses.map((a) => a.transport)).toEqual(['udp']);
    expect(lines.join('')).toContain('serving UDP only');
    const c = await client('127.0.0.1');
    expect(decode(await c.ask(query('u.mesh.local', 8), port, '127.0.0.1')).header.id).toBe(8);
  });

  it('fails on a fixed UDP port that is taken', async () => {
    const first = await start(new StubResponder(), { hosts: '127.0.0.1' });
    await expect(
      startDnsListeners(new StubResponder(), {
        hosts: '127.0.0.1',
        port: first.port,
        logger: silentLogger,
      }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('rejects host names that are not IP literals', async () => {
    await expect(
      startDnsListeners(new StubResponder(), { hosts: 'localhost', port: 0, logger: silentLogger }),
    ).rejects.toThrow(TypeError);
  });
});

describe('DNS over UDP', () => {
  it('answers over IPv4 and IPv6 with the transport context', async () => {
    const responder = new StubResponder();
    const listeners = await start(responder);
    for (const [local, server] of [
      ['127.0.0.1', '127.0.0.1'],
      ['::1', '::1'],
    ] as const) {
      const c = await client(local);
      const reply = decode(await c.ask(query('Hello.Mesh.Local', 77), listeners.port, server));
      expect(reply.header.id).toBe(77);
      expect(reply.header.qr).toBe(true);
      expect(reply.questions[0]!.name).toBe('Hello.Mesh.Local');
    }
    expect(responder.contexts.map((c) => [c.transport, c.remoteAddress])).toEqual([
      ['udp', '127.0.0.1'],
      ['udp', '::1'],
    ]);
  });

  it('sends exactly the reply bytes when the reply is a view into a larger buffer', async () => {
    const listeners = await start(new StubResponder());
    const c = await client('127.0.0.1');
    const q = query('view.mesh.local', 5);
    const reply = await c.ask(q, listeners.port, '127.0.0.1');
    expect(reply.length).toBe(q.length); // stub reply = query with QR set, same size
    expect(decode(reply).header.id).toBe(5);
  });

  it('survives garbage, empty datagrams, silent and throwing responders', async () => {
    const metrics = new CountingDnsMetrics();
    const listeners = await start(new StubResponder(), { hosts: '127.0.0.1', metrics });
    const c = await client('127.0.0.1');
    const junk = [
      new Uint8Array(0),
      Uint8Array.from([1]),
      new Uint8Array(11),
      new Uint8Array(1200).fill(0xff),
      query('silent.mesh.local'),
      query('throw.mesh.local'),
    ];
    for (let i = 0; i < 20; i++) {
      for (const j of junk) c.send(j, listeners.port, '127.0.0.1');
    }
    await waitFor(() => metrics.get('udp', 'request') >= 20 * junk.length);
    // Still serving, and nothing was sent for the junk.
    const reply = decode(await c.ask(query('ok.mesh.local', 9), listeners.port, '127.0.0.1'));
    expect(reply.header.id).toBe(9);
    await sleep(20);
    expect(c.received.length).toBe(1);
    expect(metrics.get('udp', 'no-response')).toBe(20 * 5);
    expect(metrics.get('udp', 'error')).toBe(20);
    expect(metrics.get('udp', 'response')).toBe(1);
  });
});

describe('close()', () => {
  it('releases the port and is idempotent', async () => {
    const listeners = await start(new StubResponder(), { hosts: '127.0.0.1' });
    const port = listeners.port;
    await Promise.all([listeners.close(), listeners.close()]);
    // The same port can be bound again at once (UDP and TCP).
    const again = await start(new StubResponder(), { hosts: '127.0.0.1', port });
    expect(again.port).toBe(port);
    const tcp = await TcpClient.open(port, '127.0.0.1');
    open.push({ close: async () => tcp.destroy() });
    expect(decode(await tcp.ask(query('x.mesh.local', 3))).header.id).toBe(3);
  });

  it('stops answering UDP after close', async () => {
    const listeners = await start(new StubResponder(), { hosts: '127.0.0.1' });
    const c = await client('127.0.0.1');
    await c.ask(query('a.mesh.local'), listeners.port, '127.0.0.1');
    await listeners.close();
    c.send(query('b.mesh.local'), listeners.port, '127.0.0.1');
    await sleep(50);
    expect(c.received.length).toBe(1);
  });
});
