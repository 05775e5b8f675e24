/**
 * Doctor check (c): is this config's identity published where others look
 * for it, and does the record carry this config's keys? The record is read
 * from the answers the resolver probes already got (no second lookup).
 *
 * The keys to compare come from the passphrase when one is available
 * without a prompt (DMP_PASSPHRASE, --passphrase-file, passphrase_file) —
 * doctor never prompts — else from `verify_pubkey` (the signing key only);
 * with neither, the record's presence is still checked.
 */

import { identityFingerprint } from '../../client/fingerprints.js';
import { bytesEqual, toHex, tryFromHex } from '../../protocol/bytes.js';
import type { IdentityKeys } from '../../protocol/crypto/identity.js';
import { hashedIdentityName, zoneAnchoredIdentityName } from '../../protocol/names.js';
import {
  type IdentityRecord,
  parseAndVerifyIdentityRecord,
} from '../../protocol/records/identity-record.js';
import { type CliConfig, effectiveDomain } from '../config/fields.js';
import type { CliContext } from '../context.js';
import { describeError } from '../errors.js';
import { loadPassphrase } from '../passphrase.js';
import { deriveIdentityFrom } from '../unlock.js';
import { type Check, failure, pass, warning } from './check.js';
import type { ResolverProbe } from './resolvers.js';

/** Where `identity publish` puts the record; undefined without a username or zone. */
export function ownIdentityName(config: CliConfig): string | undefined {
  if (config.username === '') return undefined;
  if (config.identity_domain !== '') return zoneAnchoredIdentityName(config.identity_domain);
  const domain = effectiveDomain(config);
  return domain === '' ? undefined : hashedIdentityName(config.username, domain);
}

/** The keys this config's identity has, as far as doctor can know them. */
export type OwnKeys =
  | { readonly kind: 'derived'; readonly keys: IdentityKeys }
  | { readonly kind: 'recorded'; readonly ed25519: Uint8Array }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'problem'; readonly check: Check };

class NoPrompt extends Error {}

const HOW_TO_UNLOCK =
  'run `DMP_PASSPHRASE=… dnsmesh doctor` or `dnsmesh --passphrase-file FILE doctor` to check the keys too';

/** Derives the identity when a passphrase is at hand without prompting; never prompts. */
export async function ownKeys(ctx: CliContext, config: CliConfig): Promise<OwnKeys> {
  const recorded = tryFromHex(config.verify_pubkey);
  const fallback: OwnKeys =
    recorded !== undefined && recorded.length === 32
      ? { kind: 'recorded', ed25519: recorded }
      : { kind: 'unknown' };
  let passphrase: string;
  try {
    ({ passphrase } = await loadPassphrase(config, {
      passphraseFile: ctx.passphraseFile,
      env: ctx.env,
      prompt: () => Promise.reject(new NoPrompt()),
    }));
  } catch (err) {
    if (err instanceof NoPrompt) return fallback;
    return {
      kind: 'problem',
      check: failure(
        'passphrase unavailable',
        `${describeError(err)}: send and recv stop at the same point`,
      ),
    };
  }
  const keys = await deriveIdentityFrom(ctx, config, passphrase);
  if (fallback.kind === 'recorded' && !bytesEqual(fallback.ed25519, keys.ed25519Public)) {
    return {
      kind: 'problem',
      check: failure(
        'passphrase mismatch',
        `the passphrase given derives signing key ${toHex(keys.ed25519Public)}, but this config's ` +
          `identity is ${config.verify_pubkey} (verify_pubkey): send and recv refuse to run\n` +
          'fix: use the passphrase this config was set up with',
      ),
    };
  }
  return { kind: 'derived', keys };
}

function describeRecord(r: IdentityRecord): string {
  return `fingerprint ${identityFingerprint(r.x25519Pk, r.ed25519Spk)} (user ${JSON.stringify(r.username)}, signing key ${toHex(r.ed25519Spk).slice(0, 16)}…)`;
}

/** The records every answering resolver returned, verified, de-duplicated. */
function publishedRecords(probes: readonly ResolverProbe[]): {
  records: IdentityRecord[];
  unverified: number;
  answered: number;
} {
  const seen = new Set<string>();
  const records: IdentityRecord[] = [];
  let unverified = 0;
  let answered = 0;
  for (const p of probes) {
    if (p.verdict !== 'ok' || p.identity === undefined) continue;
    answered++;
    if (p.identity.status !== 'found') continue;
    for (const value of p.identity.values) {
      if (seen.has(value)) continue;
      seen.add(value);
      const parsed = parseAndVerifyIdentityRecord(value);
      if (parsed.ok) records.push(parsed.value);
      else unverified++;
    }
  }
  return { records, unverified, answered };
}

/** The identity check; `identityInUse` is what the node said about the name, when asked. */
export function identityCheck(
  config: CliConfig,
  name: string | undefined,
  probes: readonly ResolverProbe[],
  keys: OwnKeys,
  identityInUse: boolean | undefined,
): Check | undefined {
  if (name === undefined) return undefined;
  if (keys.kind === 'problem') return keys.check;
  const { records, unverified, answered } = publishedRecords(probes);
  if (answered === 0) {
    return warning(
      'identity not checked',
      `no resolver answered for ${name} (see the resolver check)`,
    );
  }
  const publish = 'fix: run `dnsmesh identity publish`';
  if (records.length === 0) {
    if (unverified > 0) {
      return failure(
        'identity record does not verify',
        `${name} holds ${unverified} value(s), none a valid identity record: nobody can fetch you\n${publish}`,
      );
    }
    const cached =
      identityInUse === true
        ? `\nnote: your node holds records at ${name}; if you published a moment ago, a resolver may ` +
          "still cache the earlier 'no such name' for the zone's negative TTL"
        : '';
    return failure(
      'identity not published',
      `no identity record at ${name} through your resolvers: nobody can fetch you, so nobody can ` +
        `write to you first\n${publish}${cached}`,
    );
  }
  if (keys.kind === 'unknown') {
    return warning(
      'identity published, keys not checked',
      `${name}: ${records.map(describeRecord).join('; ')}\nno passphrase without a prompt and no ` +
        `verify_pubkey to compare with: ${HOW_TO_UNLOCK}`,
    );
  }
  const ed25519 = keys.kind === 'derived' ? keys.keys.ed25519Public : keys.ed25519;
  const x25519 = keys.kind === 'derived' ? keys.keys.x25519Public : undefined;
  const mine = (r: IdentityRecord) =>
    r.username === config.username &&
    bytesEqual(r.ed25519Spk, ed25519) &&
    (x25519 === undefined || bytesEqual(r.x25519Pk, x25519));
  const ours = records.filter(mine);
  const others = records.filter((r) => !mine(r));
  const me =
    x25519 === undefined
      ? `signing key ${toHex(ed25519).slice(0, 16)}… (verify_pubkey)`
      : `fingerprint ${identityFingerprint(x25519, ed25519)}`;
  if (ours.length === 0) {
    return failure(
      'published identity has other keys',
      `${name} carries ${others.map(describeRecord).join('; ')}; this config's identity is ${me}, ` +
        `user ${JSON.stringify(config.username)}: others encrypt to keys you do not hold, and your ` +
        `messages do not match what they fetch\n${publish} (fetchers then see both records until the ` +
        'other one is deleted, and pick yours with --accept-fingerprint)',
    );
  }
  const unchecked = x25519 === undefined ? `\nencryption key not compared: ${HOW_TO_UNLOCK}` : '';
  if (others.length > 0) {
    return warning(
      'identity published, next to other identities',
      `${name} carries yours (${me}) and ${others.map(describeRecord).join('; ')}: ` +
        '`identity fetch` of your name is ambiguous, fetchers must pick yours with ' +
        `--accept-fingerprint${unchecked}`,
    );
  }
  return pass('identity published and matching', `${name}: ${me}${unchecked}`);
}
