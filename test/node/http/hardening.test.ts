/**
 * The server survives hostile clients: oversized and chunked bodies,
 * slowloris headers, stalled bodies, idle keep-alive, connection floods,
 * malformed requests — and refuses open mode on public binds.
 *
 * Documented choice: a body over 16 KiB is answered 400 `invalid body` (the
 * reference node's answer) and the connection is closed, so the rest of the
 * upload is never read.
 */
import { connect, type Server, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assertSafeBind,
  isLoopbackHost,
  OpenPublicBindError,
} from '../../../src/node/http/config.js';
import { createHttpApi } from '../../../src/node/http/server.js';
import { createNodeLogger } from '../../../src/node/log.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import {
  type ApiHarness,
  type ConfigOverrides,
  call,
  JSON_TYPE,
  OPERATOR_TOKEN,
  startApi,
  T0,
  testConfig,
} from './harness.js';

let h: ApiHarness | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await h?.close();
  h = undefined;
});

async function start(over: ConfigOverrides = {}) {
  h = await startApi({ authMode: 'open', operatorToken: undefined, ...over });
  return h;
}

interface RawResult {
  /** Everything the server sent. */
  readonly data: string;
  /** The server closed the connection. */
  readonly closed: boolean;
  readonly ms: number;
}

/** Opens a raw TCP connection, writes `chunks` (with `gapMs` between them), collects until close or `waitMs`. */
function raw(
  port: number,
  chunks: (string | Buffer)[],
  waitMs: number,
  gapMs = 0,
): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let data = '';
    let settled = false;
    const settle = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ data, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => settle(false), waitMs);
    socket.on('data', (d) => {
      data += d.toString('latin1');
    });
    socket.on('close', () => settle(true));
    socket.on('error', () => settle(true));
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed) return;
        socket.write(c);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

function connectionCount(server: Server): Promise<number> {
  return new Promise((r, j) => server.getConnections((err, n) => (err ? j(err) : r(n))));
}

/** Polls `ok` every 10 ms, for at most 10 s (only a failing test waits that long). */
async function waitUntil(ok: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const FAST_TIMEOUTS: ConfigOverrides = {
  limits: {
    headersTimeoutMs: 300,
    requestTimeoutMs: 600,
    keepAliveTimeoutMs: 200,
    connectionsCheckingIntervalMs: 50,
  },
};

describe('served zone', () => {
  it('refuses to write or delete names outside the served zone, even for the operator', async () => {
    const api = await start();
    const auth = { authorization: `Bearer ${OPERATOR_TOKEN}`, ...JSON_TYPE };
    for (const name of [
      'chunk-0001-0123456789ab.evil.example',
      'mesh.test.evil.example',
      'xmesh.test',
    ]) {
      const post = await call(api.url(`/v1/records/${name}`), {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ value: 'v', ttl: 60 }),
      });
      expect(post).toMatchObject({ status: 403, body: { error: 'name outside the served zone' } });
      const del = await call(api.url(`/v1/records/${name}`), { method: 'DELETE', headers: auth });
      expect(del.status).toBe(403);
      expect(api.stores.records.query(name, T0)).toEqual([]);
    }
    const inside = await call(api.url('/v1/records/a.MESH.test.'), {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ value: 'v', ttl: 60 }),
    });
    expect(inside.status).toBe(201);
  });
});

describe('request bodies', () => {
  it('refuses a declared body over 16 KiB with 400 invalid body and closes the connection', async () => {
    const api = await start();
    const big = JSON.stringify({ value: 'x'.repeat(17 * 1024) });
    const res = await fetch(api.url('/v1/records/a.mesh.test'), {
      method: 'POST',
      headers: JSON_TYPE,
      body: big,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid body' });
    expect(res.headers.get('connection')).toBe('close');
    expect((await call(api.url('/v1/records/a.mesh.test'))).status).toBe(404);
  });

  it('cuts off a chunked body as soon as it crosses 16 KiB', async () => {
    const api = await start();
    const head =
      'POST /v1/records/a.mesh.test HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const chunk = `1000\r\n${'a'.repeat(0x1000)}\r\n`;
    const r = await raw(api.port, [head, ...Array.from({ length: 6 }, () => chunk)], 2000, 5);
    expect(r.data).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.data).toContain('{"error": "invalid body"}');
    expect(r.closed).toBe(true);
    expect((await call(api.url('/v1/records/a.mesh.test'))).status).toBe(404);
  });

  it('accepts a body of exactly 16 KiB', async () => {
    const api = await start({ caps: { maxTtl: 0, maxValueBytes: 0, maxValuesPerName: 0 } });
    const prefix = '{"value": "';
    const body = `${prefix}${'v'.repeat(16 * 1024 - prefix.length - 2)}"}`;
    expect(Buffer.byteLength(body)).toBe(16 * 1024);
    const r = await call(api.url('/v1/records/a.mesh.test'), {
      method: 'POST',
      headers: JSON_TYPE,
      body,
    });
    expect(r.status).toBe(201);
  });

  it('rejects a body that is not UTF-8 or carries a BOM', async () => {
    const api = await start();
    for (const body of [Buffer.from([0x7b, 0xff, 0x7d]), Buffer.from('\ufeff{"value": "v"}')]) {
      const r = await call(api.url('/v1/records/a.mesh.test'), {
        method: 'POST',
        headers: JSON_TYPE,
        body,
      });
      expect(r).toMatchObject({ status: 400, body: { error: 'invalid body' } });
    }
  });
});

// In these tests the client waits up to 8 s, while the server's timeouts are
// 0.2–0.6 s: `closed` is true only if the server hung up first. No wall-clock
// bound is asserted, so a loaded machine cannot fail them.
describe('slow and idle clients', () => {
  it('drops a client that never finishes its headers (slowloris) with 408', async () => {
    const api = await start(FAST_TIMEOUTS);
    const r = await raw(
      api.port,
      ['GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n'],
      8000,
      100,
    );
    expect(r.closed).toBe(true);
    expect(r.data).toMatch(/^HTTP\/1\.1 408 /);
    expect((await call(api.url('/health'))).status).toBe(200);
  });

  it('drops a client whose body stalls', async () => {
    const api = await start(FAST_TIMEOUTS);
    const head =
      'POST /v1/records/a.mesh.test HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"va';
    const r = await raw(api.port, [head], 8000);
    expect(r.closed).toBe(true);
  });

  it('closes idle keep-alive connections', async () => {
    const api = await start(FAST_TIMEOUTS);
    const r = await raw(api.port, ['GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'], 8000);
    expect(r.data).toMatch(/^HTTP\/1\.1 200 /);
    expect(r.closed).toBe(true);
  });

  it('bounds concurrent connections; the server recovers afterwards', async () => {
    const api = await start({ limits: { maxConnections: 2 } });
    const idle = [raw(api.port, [], 5000), raw(api.port, [], 5000)];
    // Both idle connections are accepted before the third one tries.
    await waitUntil(async () => (await connectionCount(api.api.server)) === 2);
    const third = await raw(api.port, ['GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'], 2000);
    expect(third.closed).toBe(true);
    expect(third.data).toBe('');
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(idle);
    await waitUntil(async () => (await connectionCount(api.api.server)) === 0);
    expect((await call(api.url('/health'))).status).toBe(200);
  });
});

describe('malformed requests', () => {
  it.each([
    ['a garbage request line', 'GARBAGE\r\n\r\n', /^HTTP\/1\.1 400 /],
    [
      'oversized headers',
      `GET /health HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      /^HTTP\/1\.1 431 /,
    ],
    [
      'a bad Content-Length',
      'POST /health HTTP/1.1\r\nContent-Length: abc\r\n\r\n',
      /^HTTP\/1\.1 400 /,
    ],
  ])('answers %s and keeps serving', async (_what, request, expected) => {
    const api = await start();
    const r = await raw(api.port, [request], 2000);
    expect(r.data).toMatch(expected);
    expect((await call(api.url('/health'))).status).toBe(200);
  });

  it('survives clients that disconnect mid-body', async () => {
    const api = await start();
    const socket = connect(api.port, '127.0.0.1');
    sockets.push(socket);
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      'POST /v1/records/a.mesh.test HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/json\r\nContent-Length: 50\r\n\r\n{"v',
    );
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    await waitUntil(async () => (await connectionCount(api.api.server)) === 0);
    expect((await call(api.url('/health'))).status).toBe(200);
  });
});

describe('bind safety', () => {
  it('refuses open mode on a public bind unless explicitly allowed', async () => {
    const stores = openNodeStores(MEMORY_PATH);
    try {
      const deps = {
        records: stores.records,
        registry: new Registry(),
        logger: createNodeLogger({ level: 'silent', format: 'json' }),
      };
      const open = createHttpApi(deps, testConfig({ authMode: 'open', operatorToken: undefined }));
      await expect(open.listen(0, '0.0.0.0')).rejects.toBeInstanceOf(OpenPublicBindError);
      expect(open.server.listening).toBe(false);
      const allowed = createHttpApi(
        { ...deps, registry: new Registry() },
        testConfig({ authMode: 'open', operatorToken: undefined, allowOpenPublicBind: true }),
      );
      const addr = await allowed.listen(0, '0.0.0.0');
      expect(addr.port).toBeGreaterThan(0);
      await allowed.close();
    } finally {
      stores.close();
    }
  });

  it('classifies loopback hosts', () => {
    for (const host of [
      'localhost',
      '127.0.0.1',
      '127.9.9.9',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '', '10.0.0.1', 'example.com', '128.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
    expect(() =>
      assertSafeBind({ authMode: 'legacy', allowOpenPublicBind: false }, '0.0.0.0'),
    ).not.toThrow();
  });
});
