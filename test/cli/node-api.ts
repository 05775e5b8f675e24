/**
 * A real node for CLI tests: the HTTP API (`createHttpApi`) and, on request,
 * the DNS responder with UDP/TCP listeners, both over `openNodeStores` on a
 * temp sqlite file; multi-tenant with self-service registration, DNS UPDATE
 * and the claim-provider path enabled, on 127.0.0.1 with random ports and
 * the real clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { createNodeResponder } from '../../src/node/dns/node-responder.js';
import { type DnsListeners, startDnsListeners } from '../../src/node/dns/transport/index.js';
import { DEFAULT_HTTP_LIMITS, type HttpApiConfig } from '../../src/node/http/config.js';
import { createHttpApi } from '../../src/node/http/server.js';
import { createNodeLogger } from '../../src/node/log.js';
import { DEFAULT_REGISTRATION_POLICY } from '../../src/node/registration/policy.js';
import { type NodeStores, openNodeStores } from '../../src/node/store/sqlite/node-stores.js';

export const NODE_HOSTNAME = 'api.mesh.test';
export const ZONE = 'mesh.test';
export const OPERATOR_TOKEN = 'operator-token-for-cli-tests';

export interface TestNode {
  readonly port: number;
  /** DNS port (UDP and TCP on 127.0.0.1) when started with `dns: true`. */
  readonly dnsPort: number;
  readonly base: string;
  readonly stores: NodeStores;
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startTestNode(
  over: Partial<HttpApiConfig> = {},
  options: { dns?: boolean } = {},
): Promise<TestNode> {
  const dir = await mkdtemp(join(tmpdir(), 'dnsmesh-node-'));
  const stores = openNodeStores(join(dir, 'dmp.db'));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const config: HttpApiConfig = {
    host: '127.0.0.1',
    port: 0,
    authMode: 'multi-tenant',
    operatorToken: OPERATOR_TOKEN,
    allowOpenPublicBind: false,
    recordsRate: { ratePerSecond: 100, burst: 1000 },
    caps: { maxTtl: 86_400, maxValueBytes: 2048, maxValuesPerName: 64 },
    updateEnabled: true,
    registration: {
      enabled: true,
      endpointRate: { ratePerSecond: 100, burst: 1000 },
      policy: { ...DEFAULT_REGISTRATION_POLICY, nodeHostname: NODE_HOSTNAME, servedZone: ZONE },
    },
    limits: DEFAULT_HTTP_LIMITS,
    ...over,
  };
  const logger = createNodeLogger({ level: 'info', format: 'json', destination: sink });
  let dns: DnsListeners | undefined;
  if (options.dns) {
    const responder = createNodeResponder(
      { records: stores.records, tsigKeys: stores.tsigKeys },
      {
        zone: ZONE,
        dns: { ttl: 60 },
        apex: { ns: `ns1.${ZONE}`, soaRname: `hostmaster.${ZONE}`, a: '127.0.0.1' },
        update: { enabled: true, claimProvider: true, receiverClaims: true, claimMaxTtl: 86_400 },
        caps: { maxTtl: 86_400, maxValueBytes: 2048, maxValuesPerName: 64 },
      },
    );
    dns = await startDnsListeners(responder, { hosts: ['127.0.0.1'], port: 0, logger });
  }
  const api = createHttpApi(
    {
      records: stores.records,
      tokens: stores.tokens,
      tsigKeys: stores.tsigKeys,
      tokenAudit: stores.tokens,
      registry: new Registry(),
      logger,
    },
    config,
  );
  const address = await api.listen(0, '127.0.0.1');
  return {
    port: address.port,
    dnsPort: dns?.port ?? 0,
    base: `http://127.0.0.1:${address.port}`,
    stores,
    logs,
    async close() {
      await api.close();
      await dns?.close();
      stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
