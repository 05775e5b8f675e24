/**
 * Recogniser for the legacy JSON identity string (core.md §6.5):
 * `v=dmp1;type=identity;data=<compact JSON>`.
 *
 * The reference can build this string in memory but never publishes it, and
 * nothing in it is verified: it is not a signed record, and the signed
 * identity parser rejects it on the prefix. This module exists only so tools
 * can tell such a value apart from garbage; never trust its contents.
 */
import { tryFromHex } from '../bytes.js';
import { accept, type ParseResult, reject } from '../result.js';
import { LEGACY_JSON_IDENTITY_PREFIX } from './prefixes.js';

/** Fields of a legacy JSON identity string, unverified. */
export interface LegacyJsonIdentity {
  readonly username: string;
  readonly publicKey: Uint8Array;
  readonly created: number;
  /** Opaque bytes from `sig`; there is no defined way to verify them. */
  readonly signature: Uint8Array;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * Reads a legacy JSON identity string. Rejects anything without the exact
 * prefix, with invalid JSON, or missing the `username`, `pubkey`, `created`
 * and `sig` fields. Never throws.
 */
export function parseLegacyJsonIdentity(value: string): ParseResult<LegacyJsonIdentity> {
  if (!value.startsWith(LEGACY_JSON_IDENTITY_PREFIX)) {
    return reject('prefix', 'not a legacy JSON identity');
  }
  let data: unknown;
  try {
    data = JSON.parse(value.slice(LEGACY_JSON_IDENTITY_PREFIX.length));
  } catch {
    return reject('decode', 'legacy identity data is not JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return reject('structure', 'legacy identity data is not an object');
  }
  const fields = data as Record<string, unknown>;
  const { username, pubkey, created, sig } = fields;
  const meta = fields.meta ?? {};
  if (typeof username !== 'string') return reject('structure', 'username missing');
  if (typeof created !== 'number' || !Number.isInteger(created)) {
    return reject('structure', 'created missing');
  }
  const publicKey = typeof pubkey === 'string' ? tryFromHex(pubkey) : undefined;
  if (publicKey === undefined) return reject('structure', 'pubkey is not hex');
  const signature = typeof sig === 'string' ? tryFromHex(sig) : undefined;
  if (signature === undefined) return reject('structure', 'sig is not hex');
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    return reject('structure', 'meta is not an object');
  }
  return accept({
    username,
    publicKey,
    created,
    signature,
    metadata: meta as Record<string, unknown>,
  });
}
