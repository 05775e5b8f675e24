/**
 * Configuration of the HTTP API (node spec §4, §7.1) and the bind-safety
 * rule: `open` auth mode on anything but a loopback address is refused
 * unless explicitly allowed, since it lets anyone write records.
 */
import { BlockList, isIP } from 'node:net';
import type { NodeConfig } from '../config/node-config.js';
import type { RateLimit } from '../rate-limit/token-bucket.js';
import type { RegistrationPolicy } from '../registration/policy.js';
import { type WriterLimits, writerLimitsFrom } from '../writer-limits.js';
import { MAX_BODY_BYTES } from './body.js';

/** Resource caps on record writes; a cap ≤ 0 is disabled. */
export interface RecordCaps {
  readonly maxTtl: number;
  readonly maxValueBytes: number;
  readonly maxValuesPerName: number;
  /** What one writer may hold (`writer-limits.ts`); absent: the defaults. */
  readonly writerLimits?: WriterLimits | undefined;
}

/** Connection-level limits that keep slow or greedy clients from exhausting the node. */
export interface HttpLimits {
  readonly maxBodyBytes: number;
  /** Concurrent connections; further ones are dropped without a response. */
  readonly maxConnections: number;
  /** Whole request header must arrive within this (slowloris). */
  readonly headersTimeoutMs: number;
  /** Whole request (headers and body) must arrive within this. */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** How often the two timeouts above are enforced. */
  readonly connectionsCheckingIntervalMs: number;
  /** Largest request header block, bytes. */
  readonly maxHeaderBytes: number;
}

/** Everything configurable about the HTTP API; see {@link httpApiConfigFromNode}. */
export interface HttpApiConfig {
  readonly host: string;
  readonly port: number;
  /** `open`, `legacy` or `multi-tenant`; any other value admits the operator token only. */
  readonly authMode: string;
  readonly operatorToken?: string | undefined;
  /** Permit `open` mode on a non-loopback bind (`DMP_ALLOW_OPEN_PUBLIC_BIND`). */
  readonly allowOpenPublicBind: boolean;
  /** Per-client limit of `/v1/records/*` (`DMP_HTTP_RATE` / `DMP_HTTP_BURST`). */
  readonly recordsRate: RateLimit;
  /**
   * Reverse proxies whose `X-Forwarded-For` names the client
   * (`DMP_TRUSTED_PROXIES`: addresses or CIDR prefixes); see `client-address.ts`.
   */
  readonly trustedProxies?: readonly string[] | undefined;
  /**
   * `DMP_HTTP_ALLOWED_HOSTS`: Host names accepted besides loopback literals
   * and the node hostname (`*` = any); see `cross-site.ts`.
   */
  readonly allowedHosts?: readonly string[] | undefined;
  readonly caps: RecordCaps;
  /** DNS UPDATE is on: TSIG registration is available. */
  readonly updateEnabled: boolean;
  readonly registration: {
    /** `DMP_REGISTRATION_ENABLED`; routes also need multi-tenant mode and a node hostname. */
    readonly enabled: boolean;
    /** Per-client limit shared by the three registration routes. */
    readonly endpointRate: RateLimit;
    /** Node-wide limit of the registration routes (spread addresses cannot exceed it). */
    readonly globalRate?: RateLimit | undefined;
    readonly policy: RegistrationPolicy;
  };
  readonly limits: HttpLimits;
}

/** Connection limits used unless overridden. */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: MAX_BODY_BYTES,
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  connectionsCheckingIntervalMs: 1_000,
  maxHeaderBytes: 16 * 1024,
};

/** The HTTP API's view of the node configuration. */
export function httpApiConfigFromNode(
  node: NodeConfig,
  limits: Partial<HttpLimits> = {},
): HttpApiConfig {
  const reg = node.registration;
  return {
    host: node.http.host,
    port: node.http.port,
    authMode: node.auth.mode,
    operatorToken: node.auth.operatorToken,
    allowOpenPublicBind: node.auth.allowOpenPublicBind,
    recordsRate: { ratePerSecond: node.http.ratePerSecond, burst: node.http.burst },
    trustedProxies: node.http.trustedProxies,
    allowedHosts: node.http.allowedHosts,
    caps: {
      maxTtl: node.caps.maxTtl,
      maxValueBytes: node.caps.maxValueBytes,
      maxValuesPerName: node.caps.maxValuesPerName,
      writerLimits: writerLimitsFrom(node.caps),
    },
    updateEnabled: node.update.enabled,
    registration: {
      enabled: reg.enabled,
      endpointRate: { ratePerSecond: reg.endpointRatePerSecond, burst: reg.endpointBurst },
      globalRate: { ratePerSecond: reg.globalRatePerSecond, burst: reg.globalBurst },
      policy: {
        nodeHostname: reg.nodeHostname ?? '',
        servedZone: node.zone,
        allowlist: reg.allowlist,
        tokenTtlSeconds: reg.tokenTtlSeconds,
        issuedRatePerSecond: reg.issuedRatePerSecond,
        issuedBurst: reg.issuedBurst,
        scopeMode: reg.scopeMode,
      },
    },
    limits: { ...DEFAULT_HTTP_LIMITS, ...limits },
  };
}

// BlockList also matches IPv4-mapped IPv6 forms (`::ffff:127.0.0.1`).
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for `localhost` and loopback IP literals (IPv6 with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  const family = isIP(h);
  if (family === 0) return false;
  return LOOPBACK.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

/** Startup refusal of `open` mode on a public bind. */
export class OpenPublicBindError extends Error {
  override readonly name = 'OpenPublicBindError';

  constructor(readonly host: string) {
    super(
      `refusing to serve the HTTP API in auth mode "open" on ${JSON.stringify(host)}: ` +
        'anyone could write records. Bind to a loopback address, configure an operator token, ' +
        'or set DMP_ALLOW_OPEN_PUBLIC_BIND=1 if this is really intended.',
    );
  }
}

/** Throws {@link OpenPublicBindError} when `config` would expose open writes publicly. */
export function assertSafeBind(
  config: Pick<HttpApiConfig, 'authMode' | 'allowOpenPublicBind'>,
  host: string,
): void {
  if (config.authMode === 'open' && !config.allowOpenPublicBind && !isLoopbackHost(host)) {
    throw new OpenPublicBindError(host);
  }
}
