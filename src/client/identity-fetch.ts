/**
 * Fetching someone's identity (core.md §10.4, cli.md §5.6) — the data
 * behind `identity fetch`; printing and the `--add` bookkeeping stay in the
 * CLI.
 *
 * - `user@host`: `dmp.<host>`, then `id-<hex16(user)>.<host>`; a bare name:
 *   `id-<hex16(name)>.<domain>`. The first name holding any TXT value is
 *   used, verified or not (O16). All candidate names and the rotation names
 *   are read in parallel: one round trip.
 * - Identities whose key a verified revocation names are dropped; when
 *   several remain and rotations exist, keys rotated away from are dropped
 *   if that leaves exactly one.
 * - Several left: ambiguous, unless `acceptFingerprint` picks one.
 */
import { toHex } from '../protocol/bytes.js';
import { hashedIdentityName, zoneAnchoredIdentityName } from '../protocol/names.js';
import {
  type IdentityRecord,
  parseAndVerifyIdentityRecord,
} from '../protocol/records/identity-record.js';
import {
  userRotationRrsetName,
  zoneAnchoredRotationRrsetName,
} from '../protocol/records/operator-names.js';
import { parseAndVerifyRevocationRecord } from '../protocol/records/revocation-record.js';
import { parseAndVerifyRotationRecord } from '../protocol/records/rotation-record.js';
import { SubjectType } from '../protocol/records/rotation-subject.js';
import { parseAddress } from './address.js';
import type { ContactInit } from './contacts.js';
import { type ClientContext, newSession } from './context.js';
import { DmpClientError } from './errors.js';
import { identityFingerprint } from './fingerprints.js';
import { assertReached } from './reach.js';
import { identityRrsetValidator } from './record-validators.js';

export interface FetchIdentityOptions {
  /** Zone for a bare name (default: the client's own domain). */
  readonly domain?: string;
  /** `hex16` fingerprint choosing among several valid records (case-insensitive). */
  readonly acceptFingerprint?: string;
  readonly signal?: AbortSignal;
}

/** One verified identity record found. */
export interface IdentityCandidate {
  readonly record: IdentityRecord;
  /** `hex16(sha256(x25519 ‖ ed25519))`, as shown and accepted by `--accept-fingerprint`. */
  readonly fingerprint: string;
}

/** What was asked for. */
export interface IdentityQuery {
  readonly kind: 'address' | 'bare';
  /** The user part (address) or the bare name, as typed. */
  readonly user: string;
  /** The host (address) or the zone searched (bare). */
  readonly host: string;
  /** Owner names tried, in order. */
  readonly names: readonly string[];
}

export type IdentityFetchResult =
  | {
      readonly status: 'found';
      readonly query: IdentityQuery;
      /** Name the records were read from. */
      readonly name: string;
      readonly identity: IdentityCandidate;
      /** `<record username>@<host>`. */
      readonly address: string;
      /** For `user@host`: the record's username equals `user` exactly (required by `--add`). */
      readonly exactUsername: boolean;
      /** The contact `--add` creates: label and data. */
      readonly contact: { readonly label: string; readonly init: ContactInit };
    }
  | { readonly status: 'not-found'; readonly query: IdentityQuery }
  | {
      readonly status: 'unverified';
      readonly query: IdentityQuery;
      readonly name: string;
      /** TXT values present, none a valid identity. */
      readonly values: number;
    }
  | { readonly status: 'revoked'; readonly query: IdentityQuery; readonly name: string }
  | {
      readonly status: 'ambiguous';
      readonly query: IdentityQuery;
      readonly name: string;
      readonly candidates: readonly IdentityCandidate[];
    };

function buildQuery(ctx: ClientContext, text: string, options: FetchIdentityOptions) {
  if (text.includes('@')) {
    const parsed = parseAddress(text);
    if (parsed === undefined) {
      throw new DmpClientError(
        'invalid-address',
        `${JSON.stringify(text)} is not a user@host address`,
        'Write it as user@host, or give a bare username',
      );
    }
    const { user, host } = parsed;
    return {
      query: {
        kind: 'address',
        user,
        host,
        names: [zoneAnchoredIdentityName(host), hashedIdentityName(user, host)],
      } satisfies IdentityQuery,
      rotationNames: [zoneAnchoredRotationRrsetName(host), userRotationRrsetName(user, host)],
      contactDomain: host,
    };
  }
  const name = text.trim();
  const zone = options.domain || ctx.domain;
  if (name === '' || zone === '') {
    throw new DmpClientError('invalid-address', 'an empty name cannot be fetched', '');
  }
  return {
    query: {
      kind: 'bare',
      user: name,
      host: zone,
      names: [hashedIdentityName(name, zone)],
    } satisfies IdentityQuery,
    rotationNames: [userRotationRrsetName(name, zone)],
    contactDomain: options.domain ?? '',
  };
}

/** Keys revoked for `subject`, and keys rotated away from, per the rotation RRsets. */
function rotationFacts(values: readonly string[], subject: string, now: number) {
  const revoked = new Set<string>();
  const rotatedAway = new Set<string>();
  for (const v of values) {
    const rev = parseAndVerifyRevocationRecord(v, { now, expectedSubject: subject });
    if (rev.ok && rev.value.subjectType === SubjectType.UserIdentity) {
      revoked.add(toHex(rev.value.revokedSpk));
      continue;
    }
    const rot = parseAndVerifyRotationRecord(v, { now, expectedSubject: subject });
    if (rot.ok && rot.value.subjectType === SubjectType.UserIdentity) {
      rotatedAway.add(toHex(rot.value.oldSpk));
    }
  }
  return { revoked, rotatedAway };
}

/** Looks up an identity by `user@host` or bare name. */
export async function fetchIdentity(
  ctx: ClientContext,
  text: string,
  options: FetchIdentityOptions = {},
): Promise<IdentityFetchResult> {
  const { query, rotationNames, contactDomain } = buildQuery(ctx, text, options);
  const session = newSession(ctx, options.signal);
  const [answers, rotations] = await Promise.all([
    session.all(query.names, identityRrsetValidator),
    session.all(rotationNames),
  ]);
  // The first name holding anything wins, verified or not (as in the
  // reference): values every resolver agreed fail verification count too.
  const held = answers.map((v, i) => v ?? session.rejected(query.names[i]!));
  const index = held.findIndex((v) => v !== undefined && v.length > 0);
  if (index < 0) {
    assertReached(session, `identity fetch of ${text}`);
    return { status: 'not-found', query };
  }
  const name = query.names[index]!;
  const values = held[index]!;

  let records: IdentityRecord[] = [];
  for (const v of values) {
    const parsed = parseAndVerifyIdentityRecord(v);
    if (parsed.ok) records.push(parsed.value);
  }
  if (records.length === 0) {
    return { status: 'unverified', query, name, values: values.length };
  }
  const subject = `${query.user}@${query.host}`;
  const facts = rotationFacts(
    rotations.flat().filter((v) => v !== undefined),
    subject,
    ctx.clock(),
  );
  records = records.filter((r) => !facts.revoked.has(toHex(r.ed25519Spk)));
  if (records.length === 0) return { status: 'revoked', query, name };
  if (records.length > 1 && facts.rotatedAway.size > 0) {
    const current = records.filter((r) => !facts.rotatedAway.has(toHex(r.ed25519Spk)));
    if (current.length === 1) records = current;
  }

  const candidates = records.map((record) => ({
    record,
    fingerprint: identityFingerprint(record.x25519Pk, record.ed25519Spk),
  }));
  let chosen = candidates.length === 1 ? candidates[0] : undefined;
  const wanted = options.acceptFingerprint?.toLowerCase();
  if (chosen === undefined && wanted) chosen = candidates.find((c) => c.fingerprint === wanted);
  if (chosen === undefined) return { status: 'ambiguous', query, name, candidates };

  const record = chosen.record;
  const label = query.kind === 'address' ? `${record.username}@${query.host}` : record.username;
  return {
    status: 'found',
    query,
    name,
    identity: chosen,
    address: `${record.username}@${query.host}`,
    exactUsername: query.kind === 'bare' || record.username === query.user,
    contact: {
      label,
      init: {
        username: record.username,
        x25519Pub: record.x25519Pk,
        ed25519Spk: record.ed25519Spk,
        domain: contactDomain,
      },
    },
  };
}
