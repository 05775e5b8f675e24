/**
 * Which protocol versions a recipient can receive (core.md §3.5): read from
 * the identity record that matches the contact's pinned key. Only a
 * key-matched record counts, so a stranger cannot make us send DMPv2 to
 * someone whose client cannot read it. Cached for the client's lifetime.
 */
import { bytesEqual, toHex } from '../protocol/bytes.js';
import { canonicalizeAddress } from '../protocol/message/envelope.js';
import { identityLookupNames, selectIdentityRecord } from '../protocol/message/identity-lookup.js';
import type { Contact } from './contacts.js';
import type { ClientContext } from './context.js';
import type { LookupSession } from './lookup-session.js';
import { identityRrsetValidator } from './record-validators.js';

const V1_ONLY: readonly number[] = Object.freeze([1]);

/** The versions `contact` advertises, `[1]` when unknown. */
export async function recipientVersions(
  ctx: ClientContext,
  contact: Contact,
  session: LookupSession,
): Promise<readonly number[]> {
  const rawUser = contact.username;
  const address = canonicalizeAddress(`${rawUser}@${contact.domain || ctx.domain}`);
  if (address === undefined) return V1_ONLY;
  const pin = contact.ed25519Spk ?? contact.x25519Pub;
  const key = `${address}|${pin ? toHex(pin) : ''}`;
  const cached = ctx.versionsCache.get(key);
  if (cached !== undefined) return cached;

  const at = address.indexOf('@');
  const user = address.slice(0, at);
  const host = address.slice(at + 1);
  const names = identityLookupNames(user, host, [rawUser]);
  const values = await session.all(names, identityRrsetValidator);
  const expected = contact.ed25519Spk
    ? { ed25519Spk: contact.ed25519Spk }
    : { x25519Pk: contact.x25519Pub };
  const record = selectIdentityRecord(user, values, expected);
  let versions = V1_ONLY;
  if (record !== undefined) {
    const matches = contact.ed25519Spk
      ? bytesEqual(record.ed25519Spk, contact.ed25519Spk)
      : contact.x25519Pub !== undefined && bytesEqual(record.x25519Pk, contact.x25519Pub);
    if (matches) versions = record.versions;
  }
  ctx.versionsCache.set(key, versions);
  return versions;
}
