/**
 * A web page cannot write to a node through the visitor's browser: the
 * cross-site checks (`src/node/http/cross-site.ts`) against the real server
 * on loopback — text/plain and form "simple requests" (415), DNS rebinding
 * (421 for a foreign Host), foreign Origins on writes (403) — while the
 * node's own clients (the CLI's registration POSTs and its HTTP record
 * writer, over both `fetch` implementations) keep working.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeHttpFetchAsFetch } from '../../../src/cli/node-http-fetch.js';
import { postJson as cliPostJson } from '../../../src/cli/registration.js';
import { HttpRecordWriter } from '../../../src/dns/client/http-record-writer.js';
import { loadNodeConfig, NodeConfigError } from '../../../src/node/config/load.js';
import { CrossSiteGuard, isJsonContentType, parseHost } from '../../../src/node/http/cross-site.js';
import { fromHex } from '../../../src/protocol/bytes.js';
import { identityFromPrivateKey } from '../../../src/protocol/crypto/identity.js';
import {
  type ApiHarness,
  type ConfigOverrides,
  getChallenge,
  NODE_HOSTNAME,
  OPERATOR_TOKEN,
  type ResponseJson,
  startApi,
  T0,
  tsigConfirmBody,
} from './harness.js';

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const OPEN: ConfigOverrides = { authMode: 'open', operatorToken: undefined };
const NAME = 'a.mesh.test';
const PATH = `/v1/records/${NAME}`;

async function start(over: ConfigOverrides = OPEN): Promise<ApiHarness> {
  h = await startApi(over);
  return h;
}

interface Reply {
  readonly status: number;
  readonly body: ResponseJson;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** One request with exactly these headers (`node:http`, which lets a test set Host). */
function send(
  api: ApiHarness,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  // node:http sends a DELETE body unframed unless told its length.
  const framed =
    body === undefined
      ? headers
      : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: api.port, method, path, headers: framed, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? null : JSON.parse(text),
            headers: res.headers,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const stored = (api: ApiHarness): readonly string[] => api.stores.records.query(NAME, T0);
const VALUE = JSON.stringify({ value: 'v', ttl: 60 });

describe('Content-Type: every POST, and every DELETE with a body, is application/json', () => {
  it('refuses simple requests a page may send without a preflight; nothing is stored', async () => {
    const api = await start();
    const host = `127.0.0.1:${api.port}`;
    for (const type of [
      'text/plain;charset=UTF-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      undefined,
    ]) {
      const headers: Record<string, string> = { host };
      if (type !== undefined) headers['content-type'] = type;
      const r = await send(api, 'POST', PATH, headers, VALUE);
      expect(r, String(type)).toMatchObject({
        status: 415,
        body: { error: 'content-type must be application/json' },
      });
      // The unread body is never parsed as a next request.
      expect(r.headers.connection).toBe('close');
    }
    // An empty POST is no exception.
    expect((await send(api, 'POST', PATH, { host })).status).toBe(415);
    expect(stored(api)).toEqual([]);
  });

  it('accepts application/json with parameters, in any case', async () => {
    const api = await start();
    const host = `127.0.0.1:${api.port}`;
    for (const [i, type] of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON;charset=UTF-8',
    ].entries()) {
      const body = JSON.stringify({ value: `v${i}`, ttl: 60 });
      const r = await send(api, 'POST', PATH, { host, 'content-type': type }, body);
      expect(r, type).toMatchObject({ status: 201, body: { ok: true } });
    }
    expect(stored(api)).toEqual(['v0', 'v1', 'v2']);
  });

  it('refuses a DELETE whose body is not JSON-typed, and deletes without a body', async () => {
    const api = await start();
    const host = `127.0.0.1:${api.port}`;
    const json = { host, 'content-type': 'application/json' };
    await send(api, 'POST', PATH, json, VALUE);
    const plain = await send(
      api,
      'DELETE',
      PATH,
      { host, 'content-type': 'text/plain' },
      '{"value": "v"}',
    );
    expect(plain.status).toBe(415);
    expect(stored(api)).toEqual(['v']);
    expect((await send(api, 'DELETE', PATH, json, '{"value": "v"}')).status).toBe(204);
    await send(api, 'POST', PATH, json, VALUE);
    // No body (as `requests` and our writer send a whole-RRset delete): no type needed.
    expect((await send(api, 'DELETE', PATH, { host })).status).toBe(204);
    expect((await send(api, 'DELETE', PATH, { host, 'content-length': '0' })).status).toBe(404);
    expect(stored(api)).toEqual([]);
  });
});

describe('Host: DNS rebinding onto a loopback node', () => {
  it('answers 421 to a foreign Host, for reads and writes; nothing is stored', async () => {
    const api = await start();
    for (const host of [
      `rebind.attacker.example:${api.port}`,
      'rebind.attacker.example',
      `localhost.attacker.example:${api.port}`,
      `127.0.0.1.attacker.example:${api.port}`,
      'evil@127.0.0.1',
    ]) {
      const write = await send(
        api,
        'POST',
        PATH,
        { host, 'content-type': 'application/json' },
        VALUE,
      );
      expect(write, host).toMatchObject({ status: 421, body: { error: 'misdirected request' } });
      expect((await send(api, 'GET', '/health', { host })).status, host).toBe(421);
    }
    expect(stored(api)).toEqual([]);
    expect(api.logs.filter((l) => l.includes('DMP_HTTP_ALLOWED_HOSTS'))).toHaveLength(1);
  });

  it('accepts loopback literals with any port, the node hostname and listed names', async () => {
    const api = await start({ ...OPEN, allowedHosts: ['Node.Example.', '2001:db8::1'] });
    for (const host of [
      `127.0.0.1:${api.port}`,
      '127.0.0.1',
      `localhost:${api.port}`,
      'LOCALHOST.',
      `[::1]:${api.port}`,
      '[::1]',
      NODE_HOSTNAME,
      `${NODE_HOSTNAME}:443`,
      'node.example',
      'node.example:8443',
      '[2001:db8::1]:8053',
    ]) {
      expect((await send(api, 'GET', '/health', { host })).status, host).toBe(200);
    }
    const r = await send(
      api,
      'POST',
      PATH,
      { host: 'node.example', 'content-type': 'application/json' },
      VALUE,
    );
    expect(r.status).toBe(201);
    expect((await send(api, 'GET', '/health', { host: 'other.example' })).status).toBe(421);
  });

  it('`*` in DMP_HTTP_ALLOWED_HOSTS turns the check off', async () => {
    const api = await start({ ...OPEN, allowedHosts: ['*'] });
    expect((await send(api, 'GET', '/health', { host: 'anything.example' })).status).toBe(200);
  });
});

describe('Origin: writes from another origin are 403', () => {
  it('refuses foreign and opaque origins on POST and DELETE; nothing changes', async () => {
    const api = await start();
    const host = `127.0.0.1:${api.port}`;
    const json = { host, 'content-type': 'application/json' };
    await send(api, 'POST', PATH, json, VALUE);
    for (const origin of [
      'https://attacker.example',
      `http://127.0.0.1:${api.port + 1}`,
      'http://127.0.0.1',
      `http://localhost:${api.port}`,
      'null',
      'file://',
    ]) {
      const post = await send(
        api,
        'POST',
        PATH,
        { ...json, origin },
        JSON.stringify({ value: 'w', ttl: 60 }),
      );
      expect(post, origin).toMatchObject({ status: 403, body: { error: 'cross-origin request' } });
      expect((await send(api, 'DELETE', PATH, { host, origin })).status, origin).toBe(403);
    }
    expect(stored(api)).toEqual(['v']);
  });

  it('accepts the node’s own origin, and never checks or answers CORS on GETs', async () => {
    const api = await start({ ...OPEN, allowedHosts: ['node.example'] });
    const host = `127.0.0.1:${api.port}`;
    const own = await send(
      api,
      'POST',
      PATH,
      { host, 'content-type': 'application/json', origin: `http://${host}` },
      VALUE,
    );
    expect(own.status).toBe(201);
    // Behind a TLS proxy on the configured name.
    const proxied = await send(
      api,
      'POST',
      PATH,
      { host, 'content-type': 'application/json', origin: 'https://node.example' },
      JSON.stringify({ value: 'p', ttl: 60 }),
    );
    expect(proxied.status).toBe(201);
    const read = await send(api, 'GET', PATH, { host, origin: 'https://attacker.example' });
    expect(read).toMatchObject({ status: 200, body: { values: ['v', 'p'] } });
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe("the node's own clients still work", () => {
  it('the HTTP record writer publishes and deletes, over fetch and node:http', async () => {
    const api = await start();
    for (const fetchImpl of [fetch, nodeHttpFetchAsFetch]) {
      const writer = new HttpRecordWriter({ baseUrl: api.base, fetch: fetchImpl });
      await writer.publish(NAME, 'one', 60);
      await writer.publish(NAME, 'two', 60);
      await writer.delete(NAME, 'one');
      expect(stored(api)).toEqual(['two']);
      await writer.delete(NAME);
      expect(stored(api)).toEqual([]);
    }
  });

  it('the CLI registration POST (tsig-confirm) is accepted', async () => {
    const api = await start({});
    const id = identityFromPrivateKey(fromHex('22'.repeat(32)));
    const body = tsigConfirmBody(id, await getChallenge(api), 'alice@mesh.test');
    const r = await cliPostJson(api.url('/v1/registration/tsig-confirm'), body, 'tsig-confirm');
    expect(r.status).toBe(200);
    expect(api.stores.tsigKeys.listActive(T0).map((k) => k.subject)).toEqual(['alice@mesh.test']);
    // And the operator token still writes over plain fetch with a JSON type.
    const w = await fetch(api.url(PATH), {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: VALUE,
    });
    expect(w.status).toBe(201);
  });
});

describe('the rules, unit by unit', () => {
  it('parses Host values and media types', () => {
    expect(parseHost('Example.COM.:8053')).toEqual({ name: 'example.com', port: '8053' });
    expect(parseHost('[::1]')).toEqual({ name: '[::1]' });
    expect(parseHost('2001:db8::1')).toEqual({ name: '[2001:db8::1]' });
    for (const bad of ['', ':80', 'a b', 'a@b', '[zz]:1', 'a:b', 'a:123456', 'a/b']) {
      expect(parseHost(bad), bad).toBeUndefined();
    }
    expect(isJsonContentType('application/json ; charset=utf-8')).toBe(true);
    expect(isJsonContentType('text/plain; application/json')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });

  it('checks Host on loopback binds, and elsewhere only when names are listed', () => {
    const get = { method: 'GET', headers: { host: 'rebind.example' } };
    expect(new CrossSiteGuard({ bindHost: '127.0.0.1' }).check(get)?.status).toBe(421);
    expect(new CrossSiteGuard({ bindHost: '::1' }).check(get)?.status).toBe(421);
    expect(new CrossSiteGuard({ bindHost: 'localhost' }).check(get)?.status).toBe(421);
    // Behind a proxy on a public bind nothing changes unless the operator lists names.
    expect(new CrossSiteGuard({ bindHost: '0.0.0.0' }).check(get)).toBeUndefined();
    expect(new CrossSiteGuard({ bindHost: '::' }).check(get)).toBeUndefined();
    const listed = new CrossSiteGuard({ bindHost: '0.0.0.0', allowedHosts: ['node.example'] });
    expect(listed.check(get)?.status).toBe(421);
    expect(listed.check({ method: 'GET', headers: { host: 'node.example' } })).toBeUndefined();
    // A request without Host (HTTP/1.0) is not a browser's.
    const noHost = new CrossSiteGuard({ bindHost: '127.0.0.1' }).check({
      method: 'GET',
      headers: {},
    });
    expect(noHost).toBeUndefined();
    // Origin and Content-Type apply on every bind.
    const open = new CrossSiteGuard({ bindHost: '0.0.0.0' });
    const post = { host: 'node.example', 'content-type': 'application/json' };
    expect(
      open.check({ method: 'POST', headers: { ...post, origin: 'https://x.example' } }),
    ).toMatchObject({ status: 403 });
    expect(open.check({ method: 'POST', headers: { host: 'node.example' } })?.status).toBe(415);
    expect(open.check({ method: 'POST', headers: post })).toBeUndefined();
    expect(
      open.check({ method: 'DELETE', headers: { host: 'x', 'transfer-encoding': 'chunked' } })
        ?.status,
    ).toBe(415);
  });

  it('reads DMP_HTTP_ALLOWED_HOSTS and refuses entries that are not host names', () => {
    const c = loadNodeConfig({ env: { DMP_HTTP_ALLOWED_HOSTS: ' node.example , [::1]:80,' } });
    expect(c.http.allowedHosts).toEqual(['node.example', '[::1]:80']);
    expect(() =>
      loadNodeConfig({ env: { DMP_HTTP_ALLOWED_HOSTS: 'https://node.example' } }),
    ).toThrow(NodeConfigError);
    let error: unknown;
    try {
      loadNodeConfig({ env: { DMP_HTTP_ALLOWED_HOSTS: 'ok.example,bad host' } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NodeConfigError);
    expect((error as NodeConfigError).problems).toEqual([
      'DMP_HTTP_ALLOWED_HOSTS: not a host name: "bad host"',
    ]);
  });
});
