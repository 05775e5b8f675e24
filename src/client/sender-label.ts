/**
 * The verified sender address of a delivered message (core.md §8.8): the
 * `user@host` a DMPv2 envelope claims, kept only when the identity record
 * at that address carries the manifest's signing key. Informational — it
 * never affects acceptance. Successes are cached; failures are not, so a
 * transient DNS failure can recover on the next receive.
 */
import { toHex } from '../protocol/bytes.js';
import { canonicalizeAddress } from '../protocol/message/envelope.js';
import { identityLookupNames, verifySenderLabel } from '../protocol/message/identity-lookup.js';
import type { ClientContext } from './context.js';
import type { LookupSession } from './lookup-session.js';
import { identityRrsetValidator } from './record-validators.js';

/** The verified label, or `''`. */
export async function resolveSenderLabel(
  ctx: ClientContext,
  session: LookupSession,
  claimedFrom: string | undefined,
  senderSpk: Uint8Array,
): Promise<string> {
  if (claimedFrom === undefined) return '';
  const canonical = canonicalizeAddress(claimedFrom);
  if (canonical === undefined) return '';
  const key = `${canonical}|${toHex(senderSpk)}`;
  if (ctx.verifiedLabels.has(key)) return canonical;
  const at = canonical.indexOf('@');
  await session.all(
    identityLookupNames(canonical.slice(0, at), canonical.slice(at + 1)),
    identityRrsetValidator,
  );
  const label = verifySenderLabel(canonical, senderSpk, session.lookup);
  if (label !== '') ctx.verifiedLabels.add(key);
  return label;
}
