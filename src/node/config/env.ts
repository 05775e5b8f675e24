/**
 * Reads the reference node's `DMP_*` environment variables (node.md §7.1)
 * into a partial {@link NodeConfig}, so an operator's existing environment
 * file works unchanged. Malformed numbers are collected as errors rather than
 * thrown, so startup can report all of them at once.
 */
import type { UpdateBudgets } from '../dns/update-budgets.js';
import type { SqliteSynchronous } from '../store/sqlite/synchronous.js';
import type { AuthMode, NodeConfigInput, ScopeMode } from './node-config.js';
import { unreadVariableNotices } from './unread-variables.js';

const TRUTHY = new Set(['1', 'true', 'yes', 'on']);
const FALSY = new Set(['0', 'false', 'no', 'off']);

export interface EnvReadResult {
  readonly config: NodeConfigInput;
  readonly errors: readonly string[];
  /**
   * Reference settings this node reads differently, one sentence each, for
   * the operator to see at start-up (never silently ignored).
   */
  readonly notices: readonly string[];
}

/** Builds a partial configuration from `env` (usually `process.env`). */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): EnvReadResult {
  const errors: string[] = [];
  const notices: string[] = [];
  // Every name asked for, so variables nobody asked for can be reported.
  const read = new Set<string>();
  const str = (key: string): string | undefined => {
    read.add(key);
    const v = env[key]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const num = (key: string): number | undefined => {
    const v = str(key);
    if (v === undefined) return undefined;
    const n = Number(v.includes('/') ? divide(v) : v);
    if (!Number.isFinite(n)) {
      errors.push(`${key}: not a number: ${JSON.stringify(v)}`);
      return undefined;
    }
    return n;
  };
  /** The first of `keys` that is set; the others, if set too, are reported as shadowed. */
  const firstSet = (keys: readonly string[], what: string): string | undefined => {
    const set = keys.filter((k) => str(k) !== undefined);
    if (set.length > 1) {
      notices.push(`${set.slice(1).join(', ')} ignored for ${what}: ${set[0]} is set and wins`);
    }
    return set.length > 0 ? str(set[0]!) : undefined;
  };
  /**
   * `name` as the reference spells it, else this node's earlier spelling
   * (still honoured, with a notice to move to the reference's name).
   */
  const renamed = (name: string, oldName: string): number | undefined => {
    const value = num(name);
    const old = num(oldName);
    if (value !== undefined) return value;
    if (old !== undefined) {
      notices.push(`${oldName} is this node's old name for ${name} (the reference's); use ${name}`);
    }
    return old;
  };
  const bool = (key: string): boolean | undefined => {
    const v = str(key)?.toLowerCase();
    if (v === undefined) return undefined;
    if (TRUTHY.has(v)) return true;
    if (FALSY.has(v)) return false;
    errors.push(`${key}: expected one of 1/true/yes/on or 0/false/no/off`);
    return undefined;
  };

  const zone = firstSet(
    [
      'DMP_SERVED_ZONE',
      'DMP_CLAIM_PROVIDER_ZONE',
      'DMP_CLUSTER_BASE_DOMAIN',
      'DMP_DOMAIN',
      'DMP_NODE_HOSTNAME',
    ],
    'the served zone',
  );
  const dnsHost = str('DMP_DNS_HOST');
  const authMode = str('DMP_AUTH_MODE') as AuthMode | undefined;
  if (authMode && !['open', 'legacy', 'multi-tenant'].includes(authMode)) {
    errors.push(`DMP_AUTH_MODE: expected open, legacy or multi-tenant`);
  }
  const loose = bool('DMP_TSIG_LOOSE_SCOPE');
  const tight = bool('DMP_TSIG_TIGHT_SCOPE');
  const scopeMode: ScopeMode | undefined = loose ? 'loose' : tight ? 'tight' : undefined;
  const dnsRrl = dnsRateLimit(num('DMP_DNS_RATE'), num('DMP_DNS_BURST'), num('DMP_DNS_RRL_RATE'));
  const dbPath = str('DMP_DB_PATH');
  // The reference reads DMP_SYNC_INTERVAL, else DMP_SYNC_INTERVAL_SECONDS.
  const syncIntervalKey = firstSet(
    ['DMP_SYNC_INTERVAL', 'DMP_SYNC_INTERVAL_SECONDS'],
    'the sync interval',
  )
    ? str('DMP_SYNC_INTERVAL') !== undefined
      ? 'DMP_SYNC_INTERVAL'
      : 'DMP_SYNC_INTERVAL_SECONDS'
    : undefined;
  const logFormat = str('DMP_LOG_FORMAT')?.toLowerCase();

  const config: NodeConfigInput = {
    dbPath,
    // Checked (normal or full) with the merged configuration, as a YAML value is.
    store: prune({
      synchronous: str('DMP_SQLITE_SYNCHRONOUS')?.toLowerCase() as SqliteSynchronous | undefined,
    }),
    zone: zone?.toLowerCase().replace(/\.+$/, ''),
    dns: prune({
      hosts: dnsHost ? dnsHost.split(',').map((h) => h.trim()) : undefined,
      port: num('DMP_DNS_PORT'),
      ttl: num('DMP_DNS_TTL'),
      rrlResponsesPerSecond: dnsRrl.responsesPerSecond,
      rrlSlip: num('DMP_DNS_RRL_SLIP'),
      // DMP_DNS_RATE/BURST = 0 switch this off too, unless it is set itself.
      responseBytesPerNetwork:
        num('DMP_DNS_RESPONSE_BYTES_PER_NETWORK') ?? (dnsRrl.off ? 0 : undefined),
      cookies: bool('DMP_DNS_COOKIES'),
    }),
    apex: prune({
      a: str('DMP_DNS_APEX_A'),
      aaaa: str('DMP_DNS_APEX_AAAA'),
      ns: str('DMP_DNS_APEX_NS'),
      soaRname: str('DMP_DNS_APEX_SOA_RNAME'),
    }),
    http: prune({
      host: str('DMP_HTTP_HOST'),
      port: num('DMP_HTTP_PORT'),
      ratePerSecond: num('DMP_HTTP_RATE'),
      burst: num('DMP_HTTP_BURST'),
      trustedProxies: str('DMP_TRUSTED_PROXIES')
        ?.split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
      allowedHosts: str('DMP_HTTP_ALLOWED_HOSTS')
        ?.split(',')
        .map((h) => h.trim())
        .filter((h) => h !== ''),
    }),
    update: prune({
      enabled: bool('DMP_DNS_UPDATE_ENABLED'),
      claimProvider: bool('DMP_CLAIM_PROVIDER'),
      receiverClaims: bool('DMP_RECEIVER_CLAIM_NOTIFICATIONS'),
      claimMaxTtl: num('DMP_CLAIM_MAX_TTL'),
      claimRatePerSecond: num('DMP_CLAIM_RATE_PER_USER_PER_SEC'),
      claimBurst: num('DMP_CLAIM_RATE_BURST'),
      // Deep-merged over the defaults (mergeConfig), so a partial object is
      // complete by the time anything reads it.
      budgets: prune({
        global: rateLimit(num('DMP_UPDATE_RATE'), num('DMP_UPDATE_BURST')),
        perNetwork: rateLimit(
          num('DMP_UPDATE_RATE_PER_NETWORK'),
          num('DMP_UPDATE_BURST_PER_NETWORK'),
        ),
        perKey: rateLimit(num('DMP_TSIG_KEY_RATE'), num('DMP_TSIG_KEY_BURST')),
        claimsPerNetwork: rateLimit(
          num('DMP_CLAIM_RATE_PER_NETWORK'),
          num('DMP_CLAIM_BURST_PER_NETWORK'),
        ),
        maxClaimsPerUpdate: num('DMP_MAX_CLAIMS_PER_UPDATE'),
      }) as UpdateBudgets,
    }),
    caps: prune({
      maxTtl: num('DMP_MAX_TTL'),
      maxValueBytes: num('DMP_MAX_VALUE_BYTES'),
      maxValuesPerName: num('DMP_MAX_VALUES_PER_NAME'),
      maxRecords: num('DMP_MAX_RECORDS'),
      maxRecordsPerWriter: num('DMP_MAX_RECORDS_PER_WRITER'),
      maxBytesPerWriter: num('DMP_MAX_BYTES_PER_WRITER'),
      maxValuesPerNamePerWriter: num('DMP_MAX_VALUES_PER_NAME_PER_WRITER'),
      maxAnonymousClaimRecords: num('DMP_MAX_CLAIM_RECORDS'),
    }),
    auth: prune({
      mode: authMode,
      operatorToken: firstSet(['DMP_OPERATOR_TOKEN', 'DMP_HTTP_TOKEN'], 'the operator token'),
      allowOpenPublicBind: bool('DMP_ALLOW_OPEN_PUBLIC_BIND'),
    }),
    registration: prune({
      // The reference compares this one case-sensitively.
      enabled: str('DMP_REGISTRATION_ENABLED')
        ? TRUTHY.has(env.DMP_REGISTRATION_ENABLED!.trim())
        : undefined,
      nodeHostname: str('DMP_NODE_HOSTNAME'),
      allowlist: str('DMP_REGISTRATION_ALLOWLIST')
        ?.split(',')
        .map((d) => d.trim().toLowerCase())
        .filter((d) => d.length > 0),
      tokenTtlSeconds: num('DMP_REGISTRATION_TOKEN_TTL_SECONDS'),
      issuedRatePerSecond: num('DMP_REGISTRATION_ISSUED_RATE_PER_SEC'),
      issuedBurst: renamed('DMP_REGISTRATION_ISSUED_RATE_BURST', 'DMP_REGISTRATION_ISSUED_BURST'),
      endpointRatePerSecond: num('DMP_REGISTRATION_ENDPOINT_RATE_PER_SEC'),
      endpointBurst: renamed(
        'DMP_REGISTRATION_ENDPOINT_RATE_BURST',
        'DMP_REGISTRATION_ENDPOINT_BURST',
      ),
      globalRatePerSecond: num('DMP_REGISTRATION_GLOBAL_RATE_PER_SEC'),
      globalBurst: num('DMP_REGISTRATION_GLOBAL_BURST'),
      scopeMode,
    }),
    heartbeat: prune({
      // The reference compares this one case-sensitively.
      enabled: str('DMP_HEARTBEAT_ENABLED')
        ? TRUTHY.has(env.DMP_HEARTBEAT_ENABLED!.trim())
        : undefined,
      selfEndpoint: str('DMP_HEARTBEAT_SELF_ENDPOINT'),
      operatorKeyPath: firstSet(
        ['DMP_HEARTBEAT_OPERATOR_KEY_PATH', 'DMP_NODE_OPERATOR_KEY_PATH'],
        'the heartbeat operator key',
      ),
      version: str('DMP_HEARTBEAT_VERSION'),
      seeds: list(str('DMP_HEARTBEAT_SEEDS')),
      publicSeedUrls: list(str('DMP_HEARTBEAT_PUBLIC_SEED_URLS')),
      publicSeedsDisabled: bool('DMP_HEARTBEAT_PUBLIC_SEED_URLS_DISABLED'),
      intervalSeconds: num('DMP_HEARTBEAT_INTERVAL_SECONDS'),
      ttlSeconds: num('DMP_HEARTBEAT_TTL_SECONDS'),
      maxPeers: num('DMP_HEARTBEAT_MAX_PEERS'),
      seenMaxRows: num('DMP_HEARTBEAT_SEEN_MAX_ROWS'),
      retentionHours: num('DMP_HEARTBEAT_RETENTION_HOURS'),
      gossipLimit: num('DMP_HEARTBEAT_GOSSIP_LIMIT'),
      dnsResolvers: list(str('DMP_HEARTBEAT_DNS_RESOLVERS')),
      dnssecRequired: bool('DMP_HEARTBEAT_DNSSEC_REQUIRED'),
    }),
    cleanupIntervalSeconds: num('DMP_CLEANUP_INTERVAL'),
    sync: prune({
      peers: str('DMP_SYNC_PEERS')
        ?.split(',')
        .map((u) => u.trim())
        .filter((u) => u !== ''),
      peerToken: str('DMP_SYNC_PEER_TOKEN'),
      intervalSeconds: syncIntervalKey === undefined ? undefined : num(syncIntervalKey),
      httpRatePerSecond: num('DMP_SYNC_HTTP_RATE'),
      httpBurst: num('DMP_SYNC_HTTP_BURST'),
      clusterFile: firstSet(['DMP_CLUSTER_FILE', 'DMP_CLUSTER_MANIFEST_PATH'], 'the cluster file'),
      nodeId: str('DMP_NODE_ID'),
      selfEndpoint: str('DMP_SYNC_SELF_ENDPOINT'),
      operatorSpk: str('DMP_SYNC_OPERATOR_SPK'),
      clusterBaseDomain: str('DMP_CLUSTER_BASE_DOMAIN')?.toLowerCase(),
    }),
    log: prune({
      level: str('DMP_LOG_LEVEL')?.toLowerCase(),
      format:
        logFormat === 'json' || logFormat === 'text' ? (logFormat as 'json' | 'text') : undefined,
    }),
    allowPublicBind: bool('DMP_ALLOW_PUBLIC_BIND'),
  };
  return {
    config: prune(config),
    errors,
    notices: [...dnsRrl.notices, ...notices, ...unreadVariableNotices(env, read)],
  };
}

/**
 * The reference limits DNS per source address with a token bucket
 * (`DMP_DNS_RATE`/`DMP_DNS_BURST`, node spec §1.7) and silently drops the
 * excess; this node uses response-rate limiting per client network instead
 * (see src/node/dns/rrl.ts for why). Both variables set to 0 mean "no
 * limit" in the reference, and do here: RRL is turned off unless
 * `DMP_DNS_RRL_RATE` says otherwise, and so is the per-network response
 * byte budget (`off`) unless `DMP_DNS_RESPONSE_BYTES_PER_NETWORK` is set.
 * Any other value cannot be honoured as such and is reported.
 */
function dnsRateLimit(
  rate: number | undefined,
  burst: number | undefined,
  rrlRate: number | undefined,
): { responsesPerSecond: number | undefined; off: boolean; notices: string[] } {
  if (rate === undefined && burst === undefined) {
    return { responsesPerSecond: rrlRate, off: false, notices: [] };
  }
  const disables = (rate !== undefined && rate <= 0) || (burst !== undefined && burst <= 0);
  if (disables && rrlRate === undefined) {
    return {
      responsesPerSecond: 0,
      off: true,
      notices: [
        'DMP_DNS_RATE/DMP_DNS_BURST = 0: DNS rate limiting is off (response-rate limiting ' +
          'and, unless DMP_DNS_RESPONSE_BYTES_PER_NETWORK is set, the per-network response ' +
          'byte budget disabled), as in the reference',
      ],
    };
  }
  return {
    responsesPerSecond: rrlRate,
    off: disables,
    notices: [
      `DMP_DNS_RATE/DMP_DNS_BURST are not honoured as a per-address query limit: this node ` +
        `limits UDP responses per client network (RRL, DMP_DNS_RRL_RATE); ` +
        `TSIG-signed requests and UPDATE replies are never rate-limited`,
    ],
  };
}

/**
 * A rate limit from a pair of variables (new in this node; the reference
 * ignores them). One set alone keeps the other at its default: the caller
 * merges this over the defaults, so a missing half is left out here.
 */
function rateLimit(
  ratePerSecond: number | undefined,
  burst: number | undefined,
): { ratePerSecond?: number; burst?: number } | undefined {
  if (ratePerSecond === undefined && burst === undefined) return undefined;
  return prune({ ratePerSecond, burst });
}

/** A comma list, items trimmed, empty ones dropped. */
function list(v: string | undefined): string[] | undefined {
  return v
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Accepts the reference's `5/3600`-style rates. */
function divide(v: string): number {
  const [a, b] = v.split('/');
  return Number(a) / Number(b);
}

/** Drops undefined members so a partial config never overrides with `undefined`. */
export function prune<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const inner = prune(v as object);
      if (Object.keys(inner).length > 0) out[k] = inner;
    } else {
      out[k] = v;
    }
  }
  return out as T;
}
