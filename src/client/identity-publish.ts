/**
 * Publishing the user's identity record (core.md §10.1): username and both
 * public keys, signed, at `dmp.<identity_domain>` or
 * `id-<hex16(username)>.<domain>`.
 *
 * Nodes append rather than replace, so a republish leaves the previous
 * record in place and `identity fetch` then reports the name as ambiguous
 * although both records carry the same keys (O15). After a successful
 * publish we therefore delete our own older records (same username, same
 * keys) at that name, best effort.
 */
import { bytesEqual } from '../protocol/bytes.js';
import { hashedIdentityName, zoneAnchoredIdentityName } from '../protocol/names.js';
import {
  parseAndVerifyIdentityRecord,
  signIdentityRecord,
} from '../protocol/records/identity-record.js';
import { type ClientContext, newSession } from './context.js';
import { DmpClientError } from './errors.js';

/** Default identity TTL (one day). */
export const DEFAULT_IDENTITY_TTL = 86400;

export interface PublishIdentityOptions {
  /** DNS TTL (default 86400). */
  readonly ttl?: number;
  /** Advertise DMPv2 receive support (versions 1 and 2). Default false. */
  readonly advertiseV2?: boolean;
  /** Publish at `dmp.<identityDomain>`; default: when an identity domain is configured. */
  readonly zoneAnchored?: boolean;
  readonly signal?: AbortSignal;
}

export interface PublishIdentityResult {
  readonly name: string;
  readonly value: string;
  /** Older records of ours removed from the name. */
  readonly replaced: number;
}

export async function publishIdentity(
  ctx: ClientContext,
  options: PublishIdentityOptions = {},
): Promise<PublishIdentityResult> {
  const ttl = options.ttl ?? DEFAULT_IDENTITY_TTL;
  const anchored = options.zoneAnchored ?? Boolean(ctx.identityDomain);
  if (anchored && !ctx.identityDomain) {
    throw new DmpClientError(
      'invalid-options',
      'a zone-anchored identity needs an identity domain',
      'Configure identity_domain, or publish under the mesh domain',
    );
  }
  const name = anchored
    ? zoneAnchoredIdentityName(ctx.identityDomain!)
    : hashedIdentityName(ctx.username, ctx.domain);
  const { identity } = ctx;
  const value = signIdentityRecord(
    {
      username: ctx.username,
      x25519Pk: identity.x25519Public,
      ed25519Spk: identity.ed25519Public,
      ts: ctx.clock(),
      versions: options.advertiseV2 ? [1, 2] : [1],
    },
    identity.ed25519Seed,
  );
  try {
    await ctx.writer.publish(name, value, ttl, { signal: options.signal });
  } catch (err) {
    throw new DmpClientError(
      'publish-failed',
      `publish of the identity record to ${name} failed: ${err instanceof Error ? err.message : err}`,
      'Check the node endpoint and that your credentials cover this name',
      { cause: err },
    );
  }
  // Read the name only after the write: read first, a caching resolver would
  // keep "no such name" for the zone's negative TTL and hide the identity
  // we just published from everyone asking through it.
  const existing = (await newSession(ctx, options.signal).values(name)) ?? [];
  const stale = existing.filter((v) => {
    if (v === value) return false;
    const parsed = parseAndVerifyIdentityRecord(v);
    return (
      parsed.ok &&
      parsed.value.username === ctx.username &&
      bytesEqual(parsed.value.x25519Pk, identity.x25519Public) &&
      bytesEqual(parsed.value.ed25519Spk, identity.ed25519Public)
    );
  });
  const deletions = await Promise.allSettled(stale.map((v) => ctx.writer.delete(name, v)));
  return { name, value, replaced: deletions.filter((d) => d.status === 'fulfilled').length };
}
