/**
 * The type of every key of the node's YAML configuration file: the keys of
 * {@link NodeConfig}, nested as there (`dns: { port: 53 }`). The mapped type
 * makes this table complete: a key added to NodeConfig does not compile
 * until it is given a type here (and docs/configuration.md, which a test
 * checks, says what it means).
 */
import { SQLITE_SYNCHRONOUS_MODES } from '../store/sqlite/synchronous.js';
import type { NodeConfig } from './node-config.js';

export type LeafType = 'string' | 'number' | 'boolean' | 'strings' | 'enum';

/** One value's type; `values` for an enum. */
export class Leaf {
  constructor(
    readonly type: LeafType,
    readonly values: readonly string[] = [],
  ) {}

  /** How the type reads in a message: "a number", "one of normal, full". */
  describe(): string {
    switch (this.type) {
      case 'string':
        return 'a string';
      case 'number':
        return 'a number';
      case 'boolean':
        return 'true or false';
      case 'strings':
        return 'a list of strings';
      case 'enum':
        return `one of ${this.values.join(', ')}`;
    }
  }
}

/** A section of the file: its keys and their types, mirroring `T`. */
export type Schema<T> = {
  readonly [K in keyof T]-?: NonNullable<T[K]> extends readonly unknown[]
    ? Leaf
    : NonNullable<T[K]> extends object
      ? Schema<NonNullable<T[K]>>
      : Leaf;
};

/** A section as the checker walks it. */
export type AnySchema = { readonly [key: string]: Leaf | AnySchema };

const string = new Leaf('string');
const number = new Leaf('number');
const boolean = new Leaf('boolean');
const strings = new Leaf('strings');
const oneOf = (values: readonly string[]) => new Leaf('enum', values);
const rate = { ratePerSecond: number, burst: number };

export const NODE_CONFIG_SCHEMA: Schema<NodeConfig> = {
  dataDir: string,
  dbPath: string,
  store: { synchronous: oneOf(SQLITE_SYNCHRONOUS_MODES) },
  zone: string,
  dns: {
    hosts: strings,
    port: number,
    ttl: number,
    rrlResponsesPerSecond: number,
    rrlSlip: number,
    responseBytesPerNetwork: number,
    cookies: boolean,
    maxTcpConnections: number,
    tcpIdleTimeoutMs: number,
  },
  apex: { a: string, aaaa: string, ns: string, soaRname: string },
  http: {
    enabled: boolean,
    host: string,
    port: number,
    ratePerSecond: number,
    burst: number,
    trustedProxies: strings,
    allowedHosts: strings,
  },
  update: {
    enabled: boolean,
    claimProvider: boolean,
    receiverClaims: boolean,
    claimMaxTtl: number,
    claimRatePerSecond: number,
    claimBurst: number,
    budgets: {
      global: rate,
      perNetwork: rate,
      perKey: rate,
      claimsPerNetwork: rate,
      maxClaimsPerUpdate: number,
    },
  },
  caps: {
    maxTtl: number,
    maxValueBytes: number,
    maxValuesPerName: number,
    maxRecords: number,
    maxRecordsPerWriter: number,
    maxBytesPerWriter: number,
    maxValuesPerNamePerWriter: number,
    maxAnonymousClaimRecords: number,
  },
  auth: {
    mode: oneOf(['open', 'legacy', 'multi-tenant']),
    operatorToken: string,
    allowOpenPublicBind: boolean,
  },
  registration: {
    enabled: boolean,
    nodeHostname: string,
    allowlist: strings,
    tokenTtlSeconds: number,
    issuedRatePerSecond: number,
    issuedBurst: number,
    endpointRatePerSecond: number,
    endpointBurst: number,
    globalRatePerSecond: number,
    globalBurst: number,
    scopeMode: oneOf(['default', 'tight', 'loose']),
  },
  heartbeat: {
    enabled: boolean,
    selfEndpoint: string,
    operatorKeyPath: string,
    version: string,
    seeds: strings,
    publicSeedUrls: strings,
    publicSeedsDisabled: boolean,
    intervalSeconds: number,
    ttlSeconds: number,
    maxPeers: number,
    seenMaxRows: number,
    retentionHours: number,
    gossipLimit: number,
    dnsResolvers: strings,
    dnssecRequired: boolean,
  },
  cleanupIntervalSeconds: number,
  sync: {
    peers: strings,
    peerToken: string,
    intervalSeconds: number,
    httpRatePerSecond: number,
    httpBurst: number,
    clusterFile: string,
    nodeId: string,
    selfEndpoint: string,
    operatorSpk: string,
    clusterBaseDomain: string,
  },
  log: { level: string, format: oneOf(['text', 'json']) },
  allowPublicBind: boolean,
};

/** Every key path of a schema (`dns.port`, `update.budgets.global.burst`), in order. */
export function schemaPaths(schema: AnySchema, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, node] of Object.entries(schema)) {
    const path = `${prefix}${key}`;
    if (node instanceof Leaf) out.push(path);
    else out.push(...schemaPaths(node, `${path}.`));
  }
  return out;
}
