/**
 * What the HTTP API is built from: stores, metrics registry, logger, clocks
 * and randomness — all injected, so tests run the real server against real
 * stores with controlled time.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TokenAuditSink } from '../auth/record-write-auth.js';
import { type MonotonicClock, monotonicSeconds } from '../rate-limit/token-bucket.js';
import type { RandomBytes } from '../registration/challenge-book.js';
import type { RecordStore, TokenStore, TsigKeyStore } from '../store/types.js';
import type { Route } from './router.js';

/** Time sources of the API. */
export interface HttpClock {
  /** Wall-clock unix seconds (integer): expiry of records, tokens, challenges. */
  readonly now: () => number;
  /** Monotonic seconds: rate-limit refill. */
  readonly monotonic: MonotonicClock;
}

/** Real time: `Date.now()` and `performance.now()`. */
export const systemClock: HttpClock = {
  now: () => Math.floor(Date.now() / 1000),
  monotonic: monotonicSeconds,
};

/** A peer as the landing page shows it (a seen heartbeat). */
export interface LandingPeer {
  readonly endpoint: string;
  readonly operatorSpkHex: string;
  readonly version: string;
  readonly claimProviderZone: string;
  readonly ts: number;
}

/** Collaborators of the HTTP API. */
export interface HttpApiDeps {
  readonly records: RecordStore;
  /** Needed for multi-tenant user tokens and registration. */
  readonly tokens?: TokenStore | undefined;
  /** Needed for TSIG registration. */
  readonly tsigKeys?: TsigKeyStore | undefined;
  /** Token audit trail (the sqlite token store is one). */
  readonly tokenAudit?: TokenAuditSink | undefined;
  /** Registry `/metrics` renders; the API adds its request counter to it. */
  readonly registry: Registry;
  readonly logger: Logger;
  readonly clock?: HttpClock | undefined;
  /** Randomness for challenges, tokens and TSIG secrets (default: the OS CSPRNG). */
  readonly random?: RandomBytes | undefined;
  /** Known peers for the landing page (heartbeats on), newest first. */
  readonly peers?: ((limit: number) => readonly LandingPeer[]) | undefined;
  /** Further routes (e.g. cluster sync), tried after the built-in ones. */
  readonly routes?: readonly Route[] | undefined;
}
