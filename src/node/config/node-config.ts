/**
 * The node's configuration: one typed object built from, in increasing
 * precedence, built-in defaults, an optional YAML file, the reference's
 * `DMP_*` environment variables (node.md §7.1) and command-line flags.
 *
 * Defaults are for a safe first run: loopback only, DNS on 5353, HTTP on
 * 8053, data under ./dnsmesh-data, zone `mesh.local`, UPDATE on (it is
 * TSIG-protected and the bind is loopback). Binding anything but loopback
 * needs `allowPublicBind`.
 */
import { DEFAULT_UPDATE_BUDGETS, type UpdateBudgets } from '../dns/update-budgets.js';
import { DEFAULT_SQLITE_SYNCHRONOUS, type SqliteSynchronous } from '../store/sqlite/synchronous.js';
import { DEFAULT_WRITER_LIMITS, type WriterLimits } from '../writer-limits.js';

export type AuthMode = 'open' | 'legacy' | 'multi-tenant';
export type ScopeMode = 'default' | 'tight' | 'loose';

export interface NodeConfig {
  /** Directory for the database and other state. */
  readonly dataDir: string;
  /** The sqlite database file (records, TSIG keys, tokens). */
  readonly dbPath: string;
  readonly store: {
    /**
     * `DMP_SQLITE_SYNCHRONOUS`: `normal` (acknowledged writes survive a
     * crash of the process) or `full` (also power loss); see
     * `store/sqlite/synchronous.ts`.
     */
    readonly synchronous: SqliteSynchronous;
  };
  /** The served zone, lower-case, no trailing dot. */
  readonly zone: string;
  readonly dns: {
    /** Addresses to bind (UDP and TCP on each). */
    readonly hosts: readonly string[];
    readonly port: number;
    /** TTL of every answer and the SOA minimum. */
    readonly ttl: number;
    /** Response-rate limiting: responses per second per client network (0 disables). */
    readonly rrlResponsesPerSecond: number;
    /** Every Nth rate-limited response is sent truncated (TC=1) instead of dropped. */
    readonly rrlSlip: number;
    /**
     * UDP reply octets per second per client network (IPv4 /24, IPv6 /56),
     * over all replies, before RRL (0 disables; docs/security.md).
     */
    readonly responseBytesPerNetwork: number;
    /** Answer DNS Cookies (RFC 7873); a valid server cookie exempts a request from UDP limits. */
    readonly cookies: boolean;
    readonly maxTcpConnections: number;
    readonly tcpIdleTimeoutMs: number;
  };
  readonly apex: {
    readonly a?: string;
    readonly aaaa?: string;
    readonly ns?: string;
    readonly soaRname?: string;
  };
  readonly http: {
    readonly enabled: boolean;
    readonly host: string;
    readonly port: number;
    readonly ratePerSecond: number;
    readonly burst: number;
    /** `DMP_TRUSTED_PROXIES`: reverse proxies whose `X-Forwarded-For` is believed. */
    readonly trustedProxies?: readonly string[];
    /**
     * `DMP_HTTP_ALLOWED_HOSTS`: Host names the API is reached by besides
     * loopback literals and `registration.nodeHostname` (DNS-rebinding check).
     */
    readonly allowedHosts?: readonly string[];
  };
  readonly update: {
    readonly enabled: boolean;
    /** Accept unsigned claim UPDATEs from anyone (first-contact provider). */
    readonly claimProvider: boolean;
    /** Accept unsigned M10 claims addressed to registered recipients. */
    readonly receiverClaims: boolean;
    readonly claimMaxTtl: number;
    readonly claimRatePerSecond: number;
    readonly claimBurst: number;
    /** UPDATE budgets before any work (docs/security.md). */
    readonly budgets: UpdateBudgets;
  };
  readonly caps: {
    readonly maxTtl: number;
    readonly maxValueBytes: number;
    readonly maxValuesPerName: number;
    /** Upper bound on stored rows (0 = unbounded; default 1,000,000). */
    readonly maxRecords: number;
  } & WriterLimits;
  readonly auth: {
    readonly mode: AuthMode;
    readonly operatorToken?: string;
    readonly allowOpenPublicBind: boolean;
  };
  readonly registration: {
    readonly enabled: boolean;
    /** The `node` string clients sign; required for registration. */
    readonly nodeHostname?: string;
    readonly allowlist: readonly string[];
    readonly tokenTtlSeconds: number;
    readonly issuedRatePerSecond: number;
    readonly issuedBurst: number;
    readonly endpointRatePerSecond: number;
    readonly endpointBurst: number;
    /** Registrations (challenge + confirms) per second for the whole node. */
    readonly globalRatePerSecond: number;
    readonly globalBurst: number;
    readonly scopeMode: ScopeMode;
  };
  /** Heartbeats and discovery (node spec §6.5; docs/node.md "Heartbeats and discovery"). */
  readonly heartbeat: {
    /** Publish a signed heartbeat and harvest peers (needs selfEndpoint and operatorKeyPath). */
    readonly enabled: boolean;
    /** The public `http(s)://host[:port]` written into the heartbeat. */
    readonly selfEndpoint?: string;
    /** File with the operator's Ed25519 seed: 32 raw bytes or 64 hex; must not be group/world-readable. */
    readonly operatorKeyPath?: string;
    /** Version field of the heartbeat (default: the package version). */
    readonly version?: string;
    /** Zones to harvest first (a URL or `host:port` is reduced to its host). */
    readonly seeds: readonly string[];
    /** HTTPS seed lists (one zone a line), fetched at most every 6 h under SSRF guards. */
    readonly publicSeedUrls: readonly string[];
    /** Do not fetch `publicSeedUrls`. */
    readonly publicSeedsDisabled: boolean;
    readonly intervalSeconds: number;
    /** `exp − ts` of the heartbeat and TTL of what the worker publishes. */
    readonly ttlSeconds: number;
    /** Zones harvested per tick. */
    readonly maxPeers: number;
    /** Seen-store row cap. */
    readonly seenMaxRows: number;
    /** Seen rows received longer ago are dropped (0 = only on expiry). */
    readonly retentionHours: number;
    /** Wires published under `_dnsmesh-seen.<zone>` (at most 50). */
    readonly gossipLimit: number;
    /** Resolvers (`ip[:port]`) the harvest asks; empty = the system's (/etc/resolv.conf). */
    readonly dnsResolvers: readonly string[];
    /** Drop harvested answers without the AD bit. */
    readonly dnssecRequired: boolean;
  };
  readonly cleanupIntervalSeconds: number;
  /** Cluster anti-entropy (node spec §5.4; docs/node.md "Cluster sync"). */
  readonly sync: {
    /** `DMP_SYNC_PEERS`: peer base URLs; when set, the cluster file is not read for peers. */
    readonly peers: readonly string[];
    /** `DMP_SYNC_PEER_TOKEN`: bearer of the sync routes and of this node's sync requests. */
    readonly peerToken?: string;
    /** Seconds between anti-entropy ticks (the first runs at start). */
    readonly intervalSeconds: number;
    /**
     * Per-client limit of the `/v1/sync/*` routes (requests/s and burst). The
     * reference charges them to the records limit (10/s), which holds a
     * follower catching up to ~2,000 records/s; sync calls get their own,
     * larger bucket, still checked before the token.
     */
    readonly httpRatePerSecond: number;
    readonly httpBurst: number;
    /** `DMP_CLUSTER_FILE`: manifest or peer file (default `cluster.json` beside the database). */
    readonly clusterFile?: string;
    /** `DMP_NODE_ID`: this node's id in the cluster file (dropped from the peers). */
    readonly nodeId?: string;
    /** `DMP_SYNC_SELF_ENDPOINT`: this node's own peer URL (dropped from the peers). */
    readonly selfEndpoint?: string;
    /** `DMP_SYNC_OPERATOR_SPK`: hex Ed25519 key pulled cluster manifests must verify under. */
    readonly operatorSpk?: string;
    /** `DMP_CLUSTER_BASE_DOMAIN`: the cluster whose `cluster.<base>` manifest is served and gossiped. */
    readonly clusterBaseDomain?: string;
  };
  readonly log: { readonly level: string; readonly format: 'text' | 'json' };
  /** Permit non-loopback binds. */
  readonly allowPublicBind: boolean;
}

/** A partial configuration, as read from a YAML file or flags. */
export type NodeConfigInput = {
  [K in keyof NodeConfig]?: NodeConfig[K] extends readonly unknown[]
    ? NodeConfig[K]
    : NodeConfig[K] extends object
      ? Partial<NodeConfig[K]>
      : NodeConfig[K];
};

export const DEFAULT_DATA_DIR = './dnsmesh-data';

export const DEFAULT_NODE_CONFIG: NodeConfig = {
  dataDir: DEFAULT_DATA_DIR,
  dbPath: `${DEFAULT_DATA_DIR}/dnsmesh.db`,
  store: { synchronous: DEFAULT_SQLITE_SYNCHRONOUS },
  zone: 'mesh.local',
  dns: {
    hosts: ['127.0.0.1', '::1'],
    port: 5353,
    ttl: 60,
    rrlResponsesPerSecond: 200,
    rrlSlip: 2,
    // 1 MB/s to one network is ~800 maximal (1,232 B) DMP answers a second,
    // more than a resolver farm behind one /24 asks for (answers are cached
    // for their TTL); over budget, a resolver is sent to TCP, never refused.
    responseBytesPerNetwork: 1_000_000,
    cookies: true,
    maxTcpConnections: 1024,
    tcpIdleTimeoutMs: 10_000,
  },
  apex: {},
  http: { enabled: true, host: '127.0.0.1', port: 8053, ratePerSecond: 10, burst: 100 },
  update: {
    enabled: true,
    claimProvider: true,
    receiverClaims: false,
    claimMaxTtl: 86_400,
    claimRatePerSecond: 0.5,
    claimBurst: 30,
    budgets: DEFAULT_UPDATE_BUDGETS,
  },
  // maxRecords: a ceiling for the disk (~1 M rows ≈ 1–2 GB at DMP value
  // sizes), reached only after the per-network and per-key UPDATE budgets
  // have long refused a single abuser; 0 (the reference's default) = none.
  caps: {
    maxTtl: 86_400,
    maxValueBytes: 2048,
    maxValuesPerName: 64,
    maxRecords: 1_000_000,
    ...DEFAULT_WRITER_LIMITS,
  },
  auth: { mode: 'open', allowOpenPublicBind: false },
  registration: {
    enabled: false,
    allowlist: [],
    tokenTtlSeconds: 7_776_000,
    issuedRatePerSecond: 10,
    issuedBurst: 50,
    endpointRatePerSecond: 5 / 3600,
    endpointBurst: 5,
    globalRatePerSecond: 1,
    globalBurst: 100,
    scopeMode: 'default',
  },
  heartbeat: {
    enabled: false,
    seeds: [],
    publicSeedUrls: [
      'https://raw.githubusercontent.com/oscarvalenzuelab/DNSMeshProtocol/main/directory/seeds.txt',
    ],
    publicSeedsDisabled: false,
    intervalSeconds: 300,
    ttlSeconds: 86_400,
    maxPeers: 25,
    seenMaxRows: 10_000,
    retentionHours: 72,
    gossipLimit: 50,
    dnsResolvers: [],
    dnssecRequired: false,
  },
  cleanupIntervalSeconds: 60,
  sync: { peers: [], intervalSeconds: 10, httpRatePerSecond: 200, httpBurst: 1000 },
  log: { level: 'info', format: 'text' },
  allowPublicBind: false,
};
