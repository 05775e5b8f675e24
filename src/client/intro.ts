/**
 * Reviewing the intro queue (core.md §8.11, cli.md §5.10): messages from
 * senders nobody pinned wait here until the user accepts (deliver once),
 * trusts (deliver and pin the sender) or blocks (drop and denylist) them.
 * All local: no network.
 */
import { bytesEqual } from '../protocol/bytes.js';
import type { Contact } from './contacts.js';
import type { ClientContext } from './context.js';
import { DmpClientError } from './errors.js';
import { defaultIntroLabel } from './fingerprints.js';
import type { InboxMessage } from './inbox-message.js';
import type { IntroEntry } from './state/types.js';

function notFound(id: number): DmpClientError {
  return new DmpClientError(
    'intro-not-found',
    `no pending intro #${id}`,
    'List pending intros with `intro list`',
  );
}

function asInbox(ctx: ClientContext, entry: IntroEntry): InboxMessage {
  return {
    senderSpk: entry.senderSpk,
    plaintext: entry.plaintext,
    timestamp: entry.receivedAt,
    msgId: entry.msgId,
    senderLabel: entry.senderLabel,
    contactLabel: ctx.contacts.findByKey(entry.senderSpk)?.label,
    zone: entry.senderMailboxDomain,
    via: 'intro',
  };
}

/** Pending intros, newest first. */
export async function listIntros(ctx: ClientContext): Promise<IntroEntry[]> {
  return ctx.state.intros.list();
}

/** Delivers intro `id` once, without pinning its sender. */
export async function acceptIntro(ctx: ClientContext, id: number): Promise<InboxMessage> {
  const entry = await ctx.state.intros.take(id);
  if (entry === undefined) throw notFound(id);
  return asInbox(ctx, entry);
}

export interface TrustIntroOptions {
  /** Contact label; default: `username`, else `intro-<first 12 hex of the key>`. */
  readonly label?: string;
  /** The sender's protocol username, if known (enables prekeys and identity lookups). */
  readonly username?: string;
}

export interface TrustIntroResult {
  readonly message: InboxMessage;
  /** The contact now pinned; persist it (label, keys, domain, username). */
  readonly contact: Contact;
}

/**
 * Delivers intro `id` and pins its sender as a contact in the zone the
 * message came from. An existing contact under the label keeps its X25519
 * key; it must not name a different key or a different recorded zone.
 */
export async function trustIntro(
  ctx: ClientContext,
  id: number,
  options: TrustIntroOptions = {},
): Promise<TrustIntroResult> {
  const entry = await ctx.state.intros.get(id);
  if (entry === undefined) throw notFound(id);
  const label = options.label || options.username || defaultIntroLabel(entry.senderSpk);
  const existing = ctx.contacts.get(label);
  if (existing !== undefined) {
    const otherKey = existing.ed25519Spk && !bytesEqual(existing.ed25519Spk, entry.senderSpk);
    const otherZone = existing.domainExplicit && existing.domain !== entry.senderMailboxDomain;
    if (otherKey || otherZone) {
      throw new DmpClientError(
        'contact-conflict',
        `contact ${JSON.stringify(label)} already exists with a different ${otherKey ? 'signing key' : 'zone'}`,
        'Choose another label with --label',
      );
    }
  }
  const taken = await ctx.state.intros.take(id);
  if (taken === undefined) throw notFound(id);
  const contact = ctx.contacts.set(label, {
    username: options.username ?? existing?.username ?? '',
    x25519Pub: existing?.x25519Pub,
    ed25519Spk: taken.senderSpk,
    domain: taken.senderMailboxDomain,
  });
  return { message: asInbox(ctx, taken), contact };
}

export interface BlockIntroOptions {
  readonly note?: string;
}

/** Drops intro `id` and denylists its sender (its future claims are ignored). */
export async function blockIntro(
  ctx: ClientContext,
  id: number,
  options: BlockIntroOptions = {},
): Promise<IntroEntry> {
  const entry = await ctx.state.intros.take(id);
  if (entry === undefined) throw notFound(id);
  await ctx.state.intros.block(entry.senderSpk, options.note ?? '', ctx.clock());
  return entry;
}
