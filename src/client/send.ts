/**
 * Sending a message (core.md §8.2, §8.3).
 *
 * 1. Read the recipient's prekey pool and identity record in parallel (the
 *    prekey picks forward secrecy; the identity says whether it reads DMPv2).
 * 2. Check every size limit, then seal: nothing is published for a message
 *    that cannot be delivered.
 * 3. Publish the chunks (bounded parallelism, stop at the first failure),
 *    then the slot manifest — a receiver never sees a manifest whose chunks
 *    are not there yet.
 * 4. Deliver the claims in parallel; claim failures are reported, never fatal.
 */
import type { DnsServer } from '../dns/client/server-address.js';
import { utf8 } from '../protocol/bytes.js';
import { choosePrekey } from '../protocol/message/prekey-choice.js';
import { DEFAULT_MESSAGE_TTL, type SealedRecord, sealMessage } from '../protocol/message/seal.js';
import { prekeyPoolName } from '../protocol/names.js';
import { DmpEncodeError } from '../protocol/result.js';
import { normalizeZone } from './claim-target.js';
import type { ClaimDelivery } from './claim-transport.js';
import { forEachLimit } from './concurrency.js';
import type { Contact } from './contacts.js';
import { type ClientContext, newSession, ownAddress } from './context.js';
import { countsSince, type QueryCounts } from './counting-reader.js';
import { DmpClientError, SendFailedError } from './errors.js';
import { checkMessageSize } from './message-limits.js';
import { recipientVersions } from './recipient-versions.js';
import { prekeyPoolValidator } from './record-validators.js';

/** A first-contact claim provider: its zone and (optionally) its node's endpoint URL. */
export interface ClaimProvider {
  readonly zone: string;
  /** Endpoint URL whose host receives claim UPDATEs; empty → the zone name itself. */
  readonly endpoint?: string;
  /**
   * The provider's DNS listener when the caller knows it (e.g. the user's
   * own node, whose DNS port is not 53); claim UPDATEs go there directly.
   */
  readonly target?: DnsServer;
}

/** Progress of one send, for a CLI spinner or log. */
export type SendProgress =
  | { readonly stage: 'resolved'; readonly prekeyId: number; readonly envelope: boolean }
  | { readonly stage: 'chunks'; readonly done: number; readonly total: number }
  | { readonly stage: 'manifest' }
  | { readonly stage: 'claim'; readonly outcome: ClaimOutcome };

export interface SendOptions {
  /** Record TTL and message lifetime in seconds (default 300). */
  readonly ttl?: number;
  /** First-contact claim providers, in order. */
  readonly claimProviders?: readonly ClaimProvider[];
  /**
   * Message id (16 bytes) instead of a fresh random UUIDv4. Resending a
   * message that failed half-way under its original id lets the receiver's
   * replay cache drop the duplicate; vectors use it for reproducible sends.
   */
  readonly msgId?: Uint8Array;
  readonly onProgress?: (progress: SendProgress) => void;
  readonly signal?: AbortSignal;
}

/** How one claim fared. */
export interface ClaimOutcome {
  /** `provider`: first-contact claim; `recipient-zone`: M10 "you have mail" claim. */
  readonly kind: 'provider' | 'recipient-zone';
  readonly zone: string;
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed (a `RecordWriteError` for network failures). */
  readonly error?: Error;
}

/** A delivered send. */
export interface SendResult {
  /** The contact the message went to. */
  readonly contact: Contact;
  readonly msgId: Uint8Array;
  readonly slot: number;
  readonly k: number;
  readonly n: number;
  /** Recipient prekey used (0: long-term key, no forward secrecy). */
  readonly prekeyId: number;
  /** True when the body went out in a DMPv2 envelope (the recipient can show our address). */
  readonly envelope: boolean;
  /** Chunks and manifest published through the writer. */
  readonly recordsPublished: number;
  readonly claims: readonly ClaimOutcome[];
  /** Claims that could not even be built (e.g. own zone longer than 43 characters). */
  readonly skippedClaims: readonly { readonly zone: string; readonly reason: string }[];
  readonly queries: QueryCounts;
  readonly durationMs: number;
}

function findContact(ctx: ClientContext, recipient: string): Contact {
  const contact = ctx.contacts.resolve(recipient);
  if (contact === undefined) {
    throw new DmpClientError(
      'unknown-contact',
      `no contact ${JSON.stringify(recipient)}`,
      'Add it with `identity fetch <user@host> --add` or `contacts add`',
    );
  }
  if (contact.x25519Pub === undefined) {
    throw new DmpClientError(
      'contact-not-sendable',
      `contact ${JSON.stringify(contact.label)} has no encryption (X25519) key`,
      `Fetch its identity: \`identity fetch ${contact.username || '<user>'}@${contact.domain} --add\``,
    );
  }
  return contact;
}

/** Sends `text` to the contact `recipient` (a label, or `user@host` whose user is a label). */
export async function sendMessage(
  ctx: ClientContext,
  recipient: string,
  text: string | Uint8Array,
  options: SendOptions = {},
): Promise<SendResult> {
  const started = performance.now();
  const before = ctx.reader.snapshot();
  const ttl = options.ttl ?? DEFAULT_MESSAGE_TTL;
  if (!Number.isSafeInteger(ttl) || ttl <= 0) {
    throw new DmpClientError('invalid-options', `ttl ${ttl} is not a positive integer`, '');
  }
  if (options.msgId !== undefined && options.msgId.length !== 16) {
    throw new DmpClientError('invalid-options', 'msgId must be 16 bytes', '');
  }
  const contact = findContact(ctx, recipient);
  const providers = options.claimProviders ?? [];
  const session = newSession(ctx, options.signal);
  const now = ctx.clock();

  const pin = contact.ed25519Spk;
  const [prekey, versions] = await Promise.all([
    pin !== undefined && contact.username !== ''
      ? session
          .values(prekeyPoolName(contact.username, contact.domain), prekeyPoolValidator(pin, now))
          .then((values) => choosePrekey(values, pin, now, ctx.random))
      : undefined,
    recipientVersions(ctx, contact, session),
  ]);
  const envelopeFrom = versions.includes(2) ? ownAddress(ctx) : undefined;
  const body = typeof text === 'string' ? utf8(text) : text;
  checkMessageSize(body.length, { ts: now, ttl, envelopeFrom, maxValueBytes: ctx.maxValueBytes });
  options.onProgress?.({
    stage: 'resolved',
    prekeyId: prekey?.prekeyId ?? 0,
    envelope: envelopeFrom !== undefined,
  });

  let sealed: ReturnType<typeof sealMessage>;
  try {
    sealed = sealMessage({
      sender: ctx.identity,
      senderZone: ctx.domain,
      recipient: {
        x25519Public: contact.x25519Pub!,
        claimZone: contact.domainExplicit ? contact.domain : undefined,
        prekey: prekey && { id: prekey.prekeyId, x25519Public: prekey.publicKey },
        envelopeFrom,
      },
      body,
      now,
      ttl,
      claimProviders: providers.map((p) => p.zone),
      claimNow: ctx.clock(),
      maxValueBytes: ctx.maxValueBytes > 0 ? ctx.maxValueBytes : undefined,
      randomBytes: ctx.random,
      msgId: options.msgId,
    });
  } catch (err) {
    if (!(err instanceof DmpEncodeError)) throw err;
    const badKey = err.message.includes('low-order');
    throw new DmpClientError(
      badKey ? 'bad-recipient-key' : 'invalid-options',
      `cannot seal a message to ${contact.label}: ${err.message}`,
      badKey ? 'Re-fetch the contact identity; its published key is unusable' : '',
      { cause: err },
    );
  }

  const chunks = sealed.records.filter((r) => r.kind === 'chunk');
  const manifest = sealed.records.find((r) => r.kind === 'manifest')!;
  let published = 0;
  const publish = async (r: SealedRecord): Promise<void> => {
    try {
      await ctx.writer.publish(r.name, r.value, r.ttl, { signal: options.signal });
    } catch (err) {
      throw new SendFailedError(
        r.kind === 'manifest' ? 'manifest' : 'chunk',
        r.name,
        published,
        err,
      );
    }
    published++;
  };
  await forEachLimit(chunks, ctx.publishConcurrency, async (r) => {
    await publish(r);
    options.onProgress?.({ stage: 'chunks', done: published, total: chunks.length });
  });
  await publish(manifest);
  options.onProgress?.({ stage: 'manifest' });

  const claimRecords = sealed.records.filter((r) => r.kind === 'claim');
  const claims = await Promise.all(
    claimRecords.map(async (r, i): Promise<ClaimOutcome> => {
      const provider = providers[i];
      const kind = provider !== undefined ? 'provider' : 'recipient-zone';
      let outcome: ClaimOutcome;
      try {
        await deliverClaim(ctx, r, provider, contact, options.signal);
        outcome = { kind, zone: r.zone, name: r.name, ok: true };
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        outcome = { kind, zone: r.zone, name: r.name, ok: false, error };
      }
      options.onProgress?.({ stage: 'claim', outcome });
      return outcome;
    }),
  );

  return {
    contact,
    msgId: sealed.msgId,
    slot: sealed.slot,
    k: sealed.k,
    n: sealed.n,
    prekeyId: sealed.prekeyId,
    envelope: envelopeFrom !== undefined,
    recordsPublished: published,
    claims,
    skippedClaims: sealed.skippedClaims,
    queries: countsSince(before, ctx.reader.snapshot()),
    durationMs: performance.now() - started,
  };
}

/**
 * Routes one claim (§8.3 step 4): a provider claim to the own zone without
 * an endpoint goes through the own writer; every other claim is an unsigned
 * UPDATE, the receiver-zone claim to the own node's DNS listener when the
 * recipient shares our zone.
 */
async function deliverClaim(
  ctx: ClientContext,
  record: SealedRecord,
  provider: ClaimProvider | undefined,
  contact: Contact,
  signal: AbortSignal | undefined,
): Promise<void> {
  const sameZone = normalizeZone(record.zone) === normalizeZone(ctx.domain);
  const endpoint = provider?.endpoint ?? '';
  if (provider !== undefined && endpoint === '' && sameZone) {
    await ctx.writer.publish(record.name, record.value, record.ttl, { signal });
    return;
  }
  const delivery: ClaimDelivery = {
    zone: record.zone,
    name: record.name,
    value: record.value,
    ttl: record.ttl,
    endpoint,
    target:
      provider !== undefined
        ? provider.target
        : normalizeZone(contact.domain) === normalizeZone(ctx.domain)
          ? ctx.localNodeDns
          : undefined,
  };
  await ctx.claimTransport.deliver(delivery, signal);
}
