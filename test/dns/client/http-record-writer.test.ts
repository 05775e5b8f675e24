/**
 * HttpRecordWriter against a tiny node:http server speaking the node's
 * /v1/records API (node spec §4.4): request shape, bearer auth and the
 * status-to-error mapping.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpRecordWriter } from '../../../src/dns/client/http-record-writer.js';
import { RecordWriteError } from '../../../src/dns/client/record-writer.js';
import { deadPort } from './fault-server.js';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: string;
}

type Responder = (req: Seen, res: ServerResponse) => void;

async function failure(p: Promise<unknown>): Promise<RecordWriteError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RecordWriteError);
  return err as RecordWriteError;
}

function json(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

describe('HttpRecordWriter', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let respond: Responder = (_, res) => json(res, 201, { ok: true });

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const s = { method: req.method!, url: req.url!, auth: req.headers.authorization, body };
        seen.push(s);
        respond(s, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it('POSTs {value, ttl} with the bearer token and accepts 201', async () => {
    respond = (_, res) => json(res, 201, { ok: true });
    await new HttpRecordWriter({ baseUrl: `${base}/`, token: 'dmp_v1_TOKEN' }).publish(
      'id-ab.mesh.test',
      'v=dmp1;x',
      300,
    );
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/v1/records/id-ab.mesh.test',
        auth: 'Bearer dmp_v1_TOKEN',
        body: '{"value":"v=dmp1;x","ttl":300}',
      },
    ]);
  });

  it('DELETEs one value or the whole RRset and accepts 204', async () => {
    respond = (_, res) => {
      res.writeHead(204);
      res.end();
    };
    const w = new HttpRecordWriter({ baseUrl: base });
    await w.delete('slot-1.mb-abc.mesh.test', 'v1');
    await w.delete('slot-1.mb-abc.mesh.test');
    expect(seen.map((s) => [s.method, s.body, s.auth])).toEqual([
      ['DELETE', '{"value":"v1"}', undefined],
      ['DELETE', '', undefined],
    ]);
  });

  it('percent-encodes the name into one path segment', async () => {
    respond = (_, res) => json(res, 201, { ok: true });
    await new HttpRecordWriter({ baseUrl: base }).publish('a/b c.mesh.test', 'v', 60);
    expect(seen[0]!.url).toBe('/v1/records/a%2Fb%20c.mesh.test');
  });

  it.each([
    [
      400,
      { error: 'value exceeds cap of 2048 bytes' },
      'rejected',
      'value exceeds cap of 2048 bytes',
    ],
    [401, { error: 'unauthorized' }, 'unauthorized', 'dnsmesh register'],
    [413, { error: 'RRset at x already holds 64 values' }, 'rejected', 'delete old values first'],
    [429, { error: 'per-token rate limit exceeded' }, 'rate-limited', 'retry later'],
    [502, { ok: false }, 'server-error', 'failed to store'],
    [500, undefined, 'server-error', 'HTTP 500'],
  ])('maps HTTP %i on publish', async (status, body, code, text) => {
    respond = (_, res) => json(res, status, body);
    const err = await failure(
      new HttpRecordWriter({ baseUrl: base, token: 't' }).publish('n.mesh.test', 'v', 60),
    );
    expect(err.code).toBe(code);
    expect(err.message).toContain(text);
    expect(err.message).toContain(`${base}/v1/records/n.mesh.test`);
  });

  it('maps 404 on delete to not-found', async () => {
    respond = (_, res) => {
      res.writeHead(404);
      res.end();
    };
    expect(
      (await failure(new HttpRecordWriter({ baseUrl: base }).delete('n.mesh.test'))).code,
    ).toBe('not-found');
  });

  it('reports refused connections, timeouts and bad TTLs as typed errors', async () => {
    const port = await deadPort();
    const refused = await failure(
      new HttpRecordWriter({ baseUrl: `http://127.0.0.1:${port}` }).publish('n.mesh.test', 'v', 60),
    );
    expect(refused.code).toBe('unreachable');
    respond = () => {}; // never answers
    const slow = await failure(
      new HttpRecordWriter({ baseUrl: base, timeoutMs: 200 }).publish('n.mesh.test', 'v', 60),
    );
    expect(slow.code).toBe('unreachable');
    expect(slow.message).toContain('no response within 200 ms');
    server.closeAllConnections();
    seen.length = 0;
    expect(
      (await failure(new HttpRecordWriter({ baseUrl: base }).publish('n.mesh.test', 'v', 0))).code,
    ).toBe('invalid');
    expect(seen).toHaveLength(0);
  });

  it('treats a base URL without a scheme as https', () => {
    expect(new HttpRecordWriter({ baseUrl: 'node.example:8053/' }).recordUrl('x')).toBe(
      'https://node.example:8053/v1/records/x',
    );
  });
});
