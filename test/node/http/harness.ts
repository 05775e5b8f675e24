/**
 * Test harness of the HTTP API: the real server on 127.0.0.1 port 0 over
 * the real sqlite stores (in memory), a manual clock, a fresh Prometheus
 * registry and a captured JSON log. Also the client half of the
 * registration ceremony, done the way the reference CLI does it.
 */
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { DEFAULT_HTTP_LIMITS, type HttpApiConfig } from '../../../src/node/http/config.js';
import type { HttpApiDeps } from '../../../src/node/http/deps.js';
import { createHttpApi, type HttpApi } from '../../../src/node/http/server.js';
import { createNodeLogger } from '../../../src/node/log.js';
import { DEFAULT_REGISTRATION_POLICY } from '../../../src/node/registration/policy.js';
import { registrationPayload } from '../../../src/node/registration/signed-request.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { type NodeStores, openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import { fromHex, toHex } from '../../../src/protocol/bytes.js';
import { signEd25519 } from '../../../src/protocol/crypto/ed25519.js';
import type { IdentityKeys } from '../../../src/protocol/crypto/identity.js';
import { registrationProof } from '../../../src/protocol/crypto/registration-pop.js';

/** Wall-clock start of every test (2030-01-01). */
export const T0 = 1_893_456_000;
export const OPERATOR_TOKEN = 'op-token-for-tests-0123456789';
export const NODE_HOSTNAME = 'api.mesh.test';
export const ZONE = 'mesh.test';

export interface ManualClock {
  now: number;
  monotonic: number;
}

/** Everything a config override may replace (nested registration settings merge). */
export type ConfigOverrides = Partial<Omit<HttpApiConfig, 'registration' | 'limits'>> & {
  readonly registration?: Partial<Omit<HttpApiConfig['registration'], 'policy'>> & {
    readonly policy?: Partial<HttpApiConfig['registration']['policy']>;
  };
  readonly limits?: Partial<HttpApiConfig['limits']>;
};

/** A multi-tenant node with registration and UPDATE on; limits generous unless overridden. */
export function testConfig(over: ConfigOverrides = {}): HttpApiConfig {
  const { registration = {}, limits = {}, ...top } = over;
  const { policy = {}, ...reg } = registration;
  return {
    host: '127.0.0.1',
    port: 0,
    authMode: 'multi-tenant',
    operatorToken: OPERATOR_TOKEN,
    allowOpenPublicBind: false,
    recordsRate: { ratePerSecond: 10, burst: 1000 },
    caps: { maxTtl: 86_400, maxValueBytes: 2048, maxValuesPerName: 64 },
    updateEnabled: true,
    ...top,
    registration: {
      enabled: true,
      endpointRate: { ratePerSecond: 5 / 3600, burst: 1000 },
      ...reg,
      policy: {
        ...DEFAULT_REGISTRATION_POLICY,
        nodeHostname: NODE_HOSTNAME,
        servedZone: ZONE,
        ...policy,
      },
    },
    limits: { ...DEFAULT_HTTP_LIMITS, ...limits },
  };
}

export interface ApiHarness {
  readonly api: HttpApi;
  readonly base: string;
  readonly port: number;
  readonly stores: NodeStores;
  readonly registry: Registry;
  readonly clock: ManualClock;
  /** Every log line written so far (JSON). */
  readonly logs: string[];
  url(path: string): string;
  close(): Promise<void>;
}

/** Extra or replacement deps, possibly built from the harness's stores (e.g. a failing wrapper). */
export type DepsOverrides = Partial<HttpApiDeps> | ((stores: NodeStores) => Partial<HttpApiDeps>);

export async function startApi(
  over: ConfigOverrides = {},
  depsOver: DepsOverrides = {},
): Promise<ApiHarness> {
  const stores = openNodeStores(MEMORY_PATH);
  const deps = typeof depsOver === 'function' ? depsOver(stores) : depsOver;
  const registry = new Registry();
  const clock: ManualClock = { now: T0, monotonic: 0 };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const api = createHttpApi(
    {
      records: stores.records,
      tokens: stores.tokens,
      tsigKeys: stores.tsigKeys,
      tokenAudit: stores.tokens,
      registry,
      logger: createNodeLogger({ level: 'debug', format: 'json', destination: sink }),
      clock: { now: () => clock.now, monotonic: () => clock.monotonic },
      ...deps,
    },
    testConfig(over),
  );
  const address = await api.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${address.port}`;
  return {
    api,
    base,
    port: address.port,
    stores,
    registry,
    clock,
    logs,
    url: (path) => base + path,
    async close() {
      await api.close();
      stores.close();
    },
  };
}

/** A parsed response body; tests assert its shape with toEqual / toMatchObject. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted structurally.
export type ResponseJson = any;

/** `fetch` + JSON body (or null when there is none). */
export async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: ResponseJson; text: string; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: ResponseJson = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body, text, headers: res.headers };
}

export const bearer = (token: string): Record<string, string> => ({
  Authorization: `Bearer ${token}`,
});

/** The content type every POST (and DELETE with a body) must declare. */
export const JSON_TYPE: Readonly<Record<string, string>> = { 'Content-Type': 'application/json' };

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return call(url, {
    method: 'POST',
    headers: { ...JSON_TYPE, ...headers },
    body: JSON.stringify(body),
  });
}

/** The challenge response fields the CLI uses. */
export interface ChallengeResponse {
  challenge: string;
  node: string;
  expires_at: number;
  server_x25519_pub: string;
  version: number;
}

export async function getChallenge(h: ApiHarness): Promise<ChallengeResponse> {
  const r = await call(h.url('/v1/registration/challenge'));
  if (r.status !== 200) throw new Error(`challenge: ${r.status} ${r.text}`);
  return r.body as ChallengeResponse;
}

/** The confirm body: `challenge ‖ subject ‖ node ‖ 0x01` signed with the identity's Ed25519 key. */
export function confirmBody(id: IdentityKeys, ch: ChallengeResponse, subject: string) {
  const payload = registrationPayload(fromHex(ch.challenge), subject, ch.node);
  return {
    subject,
    ed25519_spk: toHex(id.ed25519Public),
    challenge: ch.challenge,
    signature: toHex(signEd25519(id.ed25519Seed, payload)),
  };
}

/** The tsig-confirm body: the confirm fields plus the X25519 key and its proof of possession. */
export function tsigConfirmBody(id: IdentityKeys, ch: ChallengeResponse, subject: string) {
  const pop = registrationProof(
    id.x25519Private,
    fromHex(ch.server_x25519_pub),
    ch.challenge,
    subject,
    id.x25519Public,
  );
  return {
    ...confirmBody(id, ch, subject),
    x25519_pub: toHex(id.x25519Public),
    x25519_pop: toHex(pop),
  };
}

/** Current value of `dmp_http_requests_total{method,status}` (0 when absent). */
export async function requestCount(h: ApiHarness, method: string, status: number): Promise<number> {
  const metric = await h.registry.getSingleMetric('dmp_http_requests_total')?.get();
  const sample = metric?.values.find(
    (v) => v.labels.method === method && v.labels.status === String(status),
  );
  return sample?.value ?? 0;
}
