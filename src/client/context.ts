/**
 * What every client operation works with: identity, contacts, transports,
 * state, clock and the per-client caches. Built once by `DmpClient`; the
 * per-concept modules (send, receive, identity, prekeys, intro) take it as
 * their first argument so each stays a plain, testable function.
 */
import type { RecordWriter } from '../dns/client/record-writer.js';
import type { DnsServer } from '../dns/client/server-address.js';
import type { IdentityKeys } from '../protocol/crypto/identity.js';
import { canonicalizeAddress } from '../protocol/message/envelope.js';
import type { RandomBytes } from '../protocol/message/random.js';
import type { ClaimTransport } from './claim-transport.js';
import type { Clock } from './clock.js';
import type { Pacer } from './concurrency.js';
import type { ContactBook } from './contacts.js';
import type { CountingReader } from './counting-reader.js';
import { LookupSession } from './lookup-session.js';
import type { ReplayGuard } from './replay-guard.js';
import type { ClientState } from './state/types.js';

export interface ClientContext {
  readonly identity: IdentityKeys;
  /** Own protocol username (prekey RRset, envelope address). */
  readonly username: string;
  /** Own mailbox zone. */
  readonly domain: string;
  /** Zone the user controls (identity at `dmp.<zone>`, envelope host), if any. */
  readonly identityDomain: string | undefined;
  readonly contacts: ContactBook;
  readonly allowTofu: boolean;
  readonly reader: CountingReader;
  readonly writer: RecordWriter;
  readonly claimTransport: ClaimTransport;
  /** The own node's DNS listener, for receiver-zone claims to the own zone. */
  readonly localNodeDns: DnsServer | undefined;
  readonly state: ClientState;
  readonly replay: ReplayGuard;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly maxValueBytes: number;
  readonly queryConcurrency: number;
  /** Paces DNS queries to a rate budget (reading a node directly); none by default. */
  readonly pacer: Pacer | undefined;
  readonly publishConcurrency: number;
  /** Recipient versions by `(address, pinned key)`; lives as long as the client. */
  readonly versionsCache: Map<string, readonly number[]>;
  /** `(address, sender key)` pairs whose sender label verified. */
  readonly verifiedLabels: Set<string>;
}

/** A fresh lookup session over the client's counting reader. */
export function newSession(ctx: ClientContext, signal?: AbortSignal): LookupSession {
  return new LookupSession(ctx.reader, ctx.queryConcurrency, signal, ctx.pacer);
}

/** The user's own canonical `user@host` (identity domain, else mailbox zone), if it has one. */
export function ownAddress(ctx: ClientContext): string | undefined {
  return canonicalizeAddress(`${ctx.username}@${ctx.identityDomain || ctx.domain}`);
}
