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
import type { LookupSession, ReadDeadline } from './lookup-session.js';
import { identityRrsetValidator } from './record-validators.js';

/**
 * The verified label, or `''`. `deadlineFor` gives the deadline for reads
 * at the claimed address's domain (a stranger's zone during receive).
 */
export async function resolveSenderLabel(
  ctx: ClientContext,
  session: LookupSession,
  claimedFrom: string | undefined,
  senderSpk: Uint8Array,
  deadlineFor?: (domain: string) => ReadDeadline | undefined,
): Promise<string> {
  if (claimedFrom === undefined) return '';
  const canonical = canonicalizeAddress(claimedFrom);
  if (canonical === undefined) return '';
  const key = `${canonical}|${toHex(senderSpk)}`;
  if (ctx.verifiedLabels.has(key)) return canonical;
  const at = canonical.indexOf('@');
  const domain = canonical.slice(at + 1);
  await session.all(
    identityLookupNames(canonical.slice(0, at), domain),
    identityRrsetValidator,
    deadlineFor?.(domain),
  );
  const label = verifySenderLabel(canonical, senderSpk, session.lookup);
  if (label !== '') ctx.verifiedLabels.add(key);
  return label;
}
