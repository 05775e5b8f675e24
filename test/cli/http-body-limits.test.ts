/**
 * Response bodies the client reads are bounded (hardening): a server that
 * streams an endless or oversized body gets a prompt, typed failure from
 * the CLI's HTTP reader (`HttpBodyTooLargeError`; `tsig register` exits 2
 * naming the limit), and the record writer never reads more than its
 * error excerpt. Every server here is a real loopback HTTP server; the
 * endless one stops on its own only after 256 MiB, so a client that
 * buffered the whole body would show it.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  HttpBodyTooLargeError,
  MAX_RESPONSE_BODY_BYTES,
  nodeHttpFetch,
  nodeHttpFetchAsFetch,
} from '../../src/cli/node-http-fetch.js';
import { HttpRecordWriter } from '../../src/dns/client/http-record-writer.js';
import { RecordWriteError } from '../../src/dns/client/record-writer.js';
import { type CliHome, makeCliHome } from './harness.js';

/** Catches a hang; not a performance assertion. */
const PROMPT_MS = 10_000;
/** Where the endless server gives up by itself. */
const GUARD_BYTES = 256 * 1024 * 1024;
/** Far more than the client may read, far less than the guard (socket buffers hold a few MiB). */
const READ_BOUND = 32 * 1024 * 1024;

/** One streamed response: octets written so far, and whether the client hung up. */
interface Stream {
  sent: number;
  closed: boolean;
}

function streamEndless(res: ServerResponse, status: number, stream: Stream): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  const pump = (): void => {
    while (!res.destroyed && stream.sent < GUARD_BYTES) {
      stream.sent += chunk.length;
      if (!res.write(chunk)) return;
    }
    if (!res.destroyed) res.end();
  };
  res.on('drain', pump);
  res.on('close', () => {
    stream.closed = true;
  });
  pump();
}

describe('bounded HTTP response bodies', () => {
  let server: Server;
  let base: string;
  const streams: Stream[] = [];
  const lastStream = () => streams[streams.length - 1]!;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/declared') {
        // Declares 10 GiB and sends a little: the client must not start reading.
        res.writeHead(200, { 'Content-Length': String(10 * 1024 ** 3) });
        res.write('{"challenge":');
        return;
      }
      const exact = /^\/exact\/(\d+)$/.exec(url);
      if (exact) {
        const body = Buffer.alloc(Number(exact[1]), 0x62);
        res.writeHead(200, { 'Content-Length': body.length }).end(body);
        return;
      }
      const stream: Stream = { sent: 0, closed: false };
      streams.push(stream);
      const status = url.startsWith('/v1/records/') ? (req.method === 'POST' ? 500 : 204) : 200;
      streamEndless(res, url.includes('created') ? 201 : status, stream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const settled = async <T>(p: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> => {
    const started = performance.now();
    try {
      return { value: await p, ms: performance.now() - started };
    } catch (error) {
      return { error, ms: performance.now() - started };
    }
  };

  it('text() stops an endless body at the cap with a typed error and hangs up', async () => {
    const res = await nodeHttpFetch(`${base}/endless`);
    const got = await settled(res.text());
    expect(got.ms).toBeLessThan(PROMPT_MS);
    expect(got.error).toBeInstanceOf(HttpBodyTooLargeError);
    expect(got.error).toMatchObject({ url: `${base}/endless`, limit: MAX_RESPONSE_BODY_BYTES });
    await vi.waitFor(() => expect(lastStream().closed).toBe(true), { timeout: PROMPT_MS });
    expect(lastStream().sent).toBeLessThan(READ_BOUND);
  });

  it('text() refuses a declared oversized body before reading it', async () => {
    const res = await nodeHttpFetch(`${base}/declared`);
    const got = await settled(res.text());
    expect(got.error).toBeInstanceOf(HttpBodyTooLargeError);
    expect(got.error).toMatchObject({ declared: 10 * 1024 ** 3 });
    expect((got.error as Error).message).toMatch(/10737418240 octets, more than the 65536-octet/);
  });

  it('text() reads a body of exactly the cap, and a smaller cap when asked', async () => {
    const at = await nodeHttpFetch(`${base}/exact/${MAX_RESPONSE_BODY_BYTES}`);
    expect((await at.text()).length).toBe(MAX_RESPONSE_BODY_BYTES);
    const over = await nodeHttpFetch(`${base}/exact/101`);
    await expect(over.text(100)).rejects.toBeInstanceOf(HttpBodyTooLargeError);
  });

  it('the record writer reads no more than its excerpt of an endless error body', async () => {
    for (const fetch of [nodeHttpFetchAsFetch, globalThis.fetch]) {
      const writer = new HttpRecordWriter({ baseUrl: base, fetch, timeoutMs: PROMPT_MS });
      const got = await settled(writer.publish('a.mesh.test', 'v', 60));
      expect(got.ms).toBeLessThan(PROMPT_MS);
      expect(got.error).toBeInstanceOf(RecordWriteError);
      const error = got.error as RecordWriteError;
      expect(error.code).toBe('server-error');
      expect(error.message).toMatch(/HTTP 500: a{200}/);
      await vi.waitFor(() => expect(lastStream().closed).toBe(true), { timeout: PROMPT_MS });
      expect(lastStream().sent).toBeLessThan(READ_BOUND);
    }
  });

  it('the record writer does not read the body of a success at all', async () => {
    for (const fetch of [nodeHttpFetchAsFetch, globalThis.fetch]) {
      const writer = new HttpRecordWriter({
        baseUrl: `${base}/created`,
        fetch,
        timeoutMs: PROMPT_MS,
      });
      const got = await settled(writer.publish('b.mesh.test', 'v', 60));
      expect(got.ms).toBeLessThan(PROMPT_MS);
      expect(got.error).toBeUndefined();
      await vi.waitFor(() => expect(lastStream().closed).toBe(true), { timeout: PROMPT_MS });
      expect(lastStream().sent).toBeLessThan(READ_BOUND);
    }
  });

  describe('tsig register against a node that answers endlessly', () => {
    let home: CliHome;
    const PASS = { DMP_PASSPHRASE: 'body limit test passphrase' };
    beforeAll(async () => {
      home = await makeCliHome();
      const init = await home.run([
        'init',
        'alice',
        '--domain',
        'mesh.test',
        '--no-probe-local-dns',
      ]);
      expect(init.code).toBe(0);
    });
    afterAll(async () => home?.cleanup());

    it('exits 2 naming the limit, promptly, and changes nothing', async () => {
      const before = await home.readConfig();
      const started = performance.now();
      const r = await home.run(
        ['tsig', 'register', '--node', base.replace('http://', ''), '--scheme', 'http'],
        PASS,
      );
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^dnsmesh: challenge request: the answer from http:\/\/127\.0\.0\.1:\d+\/v1\/registration\/challenge is larger than 64 KiB/,
      );
      expect(await home.readConfig()).toBe(before);
      expect(lastStream().sent).toBeLessThan(READ_BOUND);
    });
  });
});
