/**
 * The long-lived state one HTTP API instance shares across requests: its
 * configuration, stores, clocks, rate limiters and the registration
 * challenge book. Built once by `createHttpApi`, handed to each route
 * factory.
 */

import type { Logger } from 'pino';
import type { TokenAuditSink } from '../auth/record-write-auth.js';
import { TokenBucketLimiter, TokenBuckets } from '../rate-limit/token-bucket.js';
import { ChallengeBook, type RandomBytes } from '../registration/challenge-book.js';
import type { RecordStore, TokenStore, TsigKeyStore } from '../store/types.js';
import { ClientAddressResolver } from './client-address.js';
import type { HttpApiConfig } from './config.js';
import { type HttpApiDeps, type HttpClock, systemClock } from './deps.js';

/** Per-instance state shared by the route handlers. */
export interface ApiServices {
  readonly config: HttpApiConfig;
  readonly records: RecordStore;
  readonly tokens: TokenStore | undefined;
  readonly tsigKeys: TsigKeyStore | undefined;
  readonly tokenAudit: TokenAuditSink | undefined;
  readonly log: Logger;
  readonly clock: HttpClock;
  readonly random: RandomBytes | undefined;
  /** Per-IP limiter of `/v1/records/*`. */
  readonly recordsLimiter: TokenBucketLimiter;
  /** Per-client limiter shared by the three registration routes. */
  readonly registrationLimiter: TokenBucketLimiter;
  /** Node-wide limiter of the registration routes. */
  readonly registrationGlobal: TokenBucketLimiter;
  /** Client address of a request (trusted proxies). */
  readonly clientAddress: ClientAddressResolver;
  /** Per-token buckets of multi-tenant writes, keyed by token hash. */
  readonly tokenBuckets: TokenBuckets;
  readonly challenges: ChallengeBook;
  /** Known peers for the landing page, when heartbeats are on. */
  readonly peers: HttpApiDeps['peers'];
  /** Monotonic seconds when the API was built (the node's start), for `/health`'s uptime. */
  readonly startedAt: number;
}

/** Builds the shared state: limiters on the injected monotonic clock, an empty challenge book. */
export function createServices(deps: HttpApiDeps, config: HttpApiConfig): ApiServices {
  const clock = deps.clock ?? systemClock;
  const bucketOptions = { clock: clock.monotonic };
  return {
    config,
    records: deps.records,
    tokens: deps.tokens,
    tsigKeys: deps.tsigKeys,
    tokenAudit: deps.tokenAudit,
    log: deps.logger,
    clock,
    random: deps.random,
    recordsLimiter: new TokenBucketLimiter(config.recordsRate, bucketOptions),
    registrationLimiter: new TokenBucketLimiter(config.registration.endpointRate, bucketOptions),
    registrationGlobal: new TokenBucketLimiter(
      config.registration.globalRate ?? { ratePerSecond: 0, burst: 0 },
      { ...bucketOptions, maxKeys: 1 },
    ),
    clientAddress: new ClientAddressResolver(config.trustedProxies ?? []),
    tokenBuckets: new TokenBuckets(bucketOptions),
    challenges: new ChallengeBook({ random: deps.random }),
    peers: deps.peers,
    startedAt: clock.monotonic(),
  };
}
