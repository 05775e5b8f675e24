/**
 * `DmpClient`: the DMP messaging client as a library (core.md §8–§10). It
 * owns no sockets and no files of its own — reader, writer, claim transport
 * and state are passed in — so the CLI, tests and a future browser build
 * wire it differently. Each method is a thin front for one per-concept
 * module (send.ts, receive.ts, identity-*.ts, prekeys.ts, intro.ts).
 *
 * Call `installNodeCrypto()` in the Node entry point before using it.
 */
import type { RecordWriter } from '../dns/client/record-writer.js';
import type { DnsServer } from '../dns/client/server-address.js';
import type { TxtReader } from '../dns/client/txt-reader.js';
import type { IdentityKeys } from '../protocol/crypto/identity.js';
import { defaultRandomBytes, type RandomBytes } from '../protocol/message/random.js';
import { type ClaimTransport, UnsignedClaimTransport } from './claim-transport.js';
import { type Clock, systemClock } from './clock.js';
import { createPacer, type RateBudget } from './concurrency.js';
import { type Contact, ContactBook, type ContactInit } from './contacts.js';
import { type ClientContext, ownAddress } from './context.js';
import { CountingReader, type QueryCounts } from './counting-reader.js';
import { DmpClientError } from './errors.js';
import {
  type FetchIdentityOptions,
  fetchIdentity,
  type IdentityFetchResult,
} from './identity-fetch.js';
import {
  type PublishIdentityOptions,
  type PublishIdentityResult,
  publishIdentity,
} from './identity-publish.js';
import type { InboxMessage } from './inbox-message.js';
import {
  acceptIntro,
  type BlockIntroOptions,
  blockIntro,
  listIntros,
  type TrustIntroOptions,
  type TrustIntroResult,
  trustIntro,
} from './intro.js';
import { DEFAULT_MAX_VALUE_BYTES, maxBodyBytes } from './message-limits.js';
import { offlineReader, offlineWriter } from './offline.js';
import {
  type RefreshPrekeysOptions,
  type RefreshPrekeysResult,
  refreshPrekeys,
} from './prekeys.js';
import { type ReceiveOptions, type ReceiveResult, receiveMessages } from './receive.js';
import { ReplayGuard } from './replay-guard.js';
import { type SendOptions, type SendResult, sendMessage } from './send.js';
import type { ClientState, IntroEntry } from './state/types.js';

export interface DmpClientOptions {
  readonly identity: IdentityKeys;
  /** Own protocol username, as typed at `init` (case preserved). */
  readonly username: string;
  /** Own mailbox zone: where this client publishes and polls. */
  readonly domain: string;
  /** A zone the user controls: identity at `dmp.<zone>` and envelope host. */
  readonly identityDomain?: string;
  /** Contacts by label, in the order the slot walk should poll their zones. */
  readonly contacts?:
    | Iterable<readonly [string, ContactInit]>
    | Readonly<Record<string, ContactInit>>;
  /** Deliver signature-valid manifests while nobody is pinned. Default false. */
  readonly allowTofu?: boolean;
  /** Where records are read; default: none (local-only commands). */
  readonly reader?: TxtReader;
  /** Where records are written; default: none (local-only commands). */
  readonly writer?: RecordWriter;
  /** Default: unsigned UPDATEs, targets resolved by the system resolver. */
  readonly claimTransport?: ClaimTransport;
  /** The own node's DNS listener, for receiver-zone claims when the recipient shares our zone. */
  readonly localNodeDns?: DnsServer;
  readonly state: ClientState;
  readonly clock?: Clock;
  readonly random?: RandomBytes;
  /** The node's value cap (`DMP_MAX_VALUE_BYTES`, default 2048; 0 disables the check). */
  readonly maxValueBytes?: number;
  /** DNS queries in flight per operation (default 16). */
  readonly queryConcurrency?: number;
  /**
   * Query rate budget. Set it when `reader` talks to a node directly: nodes
   * silently drop queries over 50/s (burst 200) per client by default, and
   * a large receive exceeds that. Recursive resolvers need none.
   */
  readonly queryRate?: RateBudget;
  /** Writes in flight per send or prekey refresh (default 8). */
  readonly publishConcurrency?: number;
}

function contactEntries(
  contacts: DmpClientOptions['contacts'],
): Iterable<readonly [string, ContactInit]> {
  if (contacts === undefined) return [];
  if (Symbol.iterator in contacts) return contacts as Iterable<readonly [string, ContactInit]>;
  return Object.entries(contacts);
}

export class DmpClient {
  private readonly ctx: ClientContext;

  constructor(options: DmpClientOptions) {
    if (options.username === '' || options.domain === '') {
      throw new DmpClientError(
        'invalid-options',
        'a client needs a username and a mailbox domain',
        'Run `init user@domain`',
      );
    }
    const clock = options.clock ?? systemClock;
    const contacts = new ContactBook(options.domain);
    for (const [label, init] of contactEntries(options.contacts)) contacts.set(label, init);
    this.ctx = {
      identity: options.identity,
      username: options.username,
      domain: options.domain,
      identityDomain: options.identityDomain || undefined,
      contacts,
      allowTofu: options.allowTofu ?? false,
      reader: new CountingReader(options.reader ?? offlineReader),
      writer: options.writer ?? offlineWriter,
      claimTransport: options.claimTransport ?? new UnsignedClaimTransport(),
      localNodeDns: options.localNodeDns,
      state: options.state,
      replay: new ReplayGuard(options.state.seen, clock),
      clock,
      random: options.random ?? defaultRandomBytes,
      maxValueBytes: options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES,
      queryConcurrency: options.queryConcurrency ?? 16,
      pacer: options.queryRate ? createPacer(options.queryRate) : undefined,
      publishConcurrency: options.publishConcurrency ?? 8,
      versionsCache: new Map(),
      verifiedLabels: new Set(),
    };
  }

  /** Own identity keys. */
  get identity(): IdentityKeys {
    return this.ctx.identity;
  }

  /** Own canonical `user@host` (what DMPv2 recipients see), if the username allows one. */
  get address(): string | undefined {
    return ownAddress(this.ctx);
  }

  /** DNS lookups issued by this client so far. */
  get queryCounts(): QueryCounts {
    return this.ctx.reader.snapshot();
  }

  // ---- contacts ---------------------------------------------------------

  /** Contacts in insertion order. */
  get contacts(): Contact[] {
    return this.ctx.contacts.list();
  }

  getContact(label: string): Contact | undefined {
    return this.ctx.contacts.get(label);
  }

  /** Adds or replaces a contact (in memory; persisting is the caller's). */
  setContact(label: string, init: ContactInit): Contact {
    return this.ctx.contacts.set(label, init);
  }

  removeContact(label: string): boolean {
    return this.ctx.contacts.delete(label);
  }

  // ---- identity ---------------------------------------------------------

  /** Signs and publishes the identity record (and removes our older ones at that name). */
  publishIdentity(options?: PublishIdentityOptions): Promise<PublishIdentityResult> {
    return publishIdentity(this.ctx, options);
  }

  /** Generates, stores and publishes one-time prekeys. */
  refreshPrekeys(options?: RefreshPrekeysOptions): Promise<RefreshPrekeysResult> {
    return refreshPrekeys(this.ctx, options);
  }

  /** Looks up `user@host` or a bare username; returns data for the caller to show or add. */
  fetchIdentity(
    nameOrAddress: string,
    options?: FetchIdentityOptions,
  ): Promise<IdentityFetchResult> {
    return fetchIdentity(this.ctx, nameOrAddress, options);
  }

  // ---- messaging --------------------------------------------------------

  /**
   * Sends `text` to a contact.
   *
   * @throws DmpClientError `unknown-contact`, `contact-not-sendable`,
   *   `invalid-options`, `bad-recipient-key`; `MessageTooLargeError` (nothing
   *   published); `SendFailedError` when a chunk or the manifest is refused.
   */
  send(recipient: string, text: string | Uint8Array, options?: SendOptions): Promise<SendResult> {
    return sendMessage(this.ctx, recipient, text, options);
  }

  /**
   * Largest body (bytes) a send can carry now under the value cap; pass
   * `envelope: true` for a recipient that advertises DMPv2 (the envelope
   * carrying our address takes room).
   */
  maxMessageBytes(options: { ttl?: number; envelope?: boolean } = {}): number {
    return maxBodyBytes({
      ts: this.ctx.clock(),
      ttl: options.ttl ?? 300,
      envelopeFrom: options.envelope ? ownAddress(this.ctx) : undefined,
      maxValueBytes: this.ctx.maxValueBytes,
    });
  }

  /** One receive pass (own-zone claims, slot walk, provider claims). */
  receive(options?: ReceiveOptions): Promise<ReceiveResult> {
    return receiveMessages(this.ctx, options);
  }

  // ---- intro queue ------------------------------------------------------

  introList(): Promise<IntroEntry[]> {
    return listIntros(this.ctx);
  }

  introAccept(id: number): Promise<InboxMessage> {
    return acceptIntro(this.ctx, id);
  }

  introTrust(id: number, options?: TrustIntroOptions): Promise<TrustIntroResult> {
    return trustIntro(this.ctx, id, options);
  }

  introBlock(id: number, options?: BlockIntroOptions): Promise<IntroEntry> {
    return blockIntro(this.ctx, id, options);
  }
}
