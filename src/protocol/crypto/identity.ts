/**
 * DMP identity keys (core.md §2.2): one secret, the 32-byte X25519 private key
 * (raw Argon2id output, stored unclamped), from which the Ed25519 signing seed
 * and the user id are derived:
 *
 *   ed25519_seed = SHA-256(x25519_priv_raw ‖ "DMP-v1-Ed25519-signing-key")
 *   user_id      = SHA-256(x25519_pub)
 */
import { concatBytes, utf8 } from '../bytes.js';
import { DmpEncodeError } from '../result.js';
import { crypto } from './active.js';
import { ed25519PublicKey } from './ed25519.js';
import { sha256 } from './hash.js';
import type { Argon2idParams } from './provider.js';
import { x25519PublicKey } from './x25519.js';

/** Domain string appended to the X25519 private key to derive the Ed25519 seed. */
export const ED25519_SEED_DOMAIN = 'DMP-v1-Ed25519-signing-key';
/** Salt used when an identity has none recorded (library callers, old configs). */
export const DEFAULT_IDENTITY_SALT = 'DMP-default-v2-argon2id';
/** Argon2id parameters of identity derivation: t=2, m=32 MiB, p=2, 32 bytes. */
export const IDENTITY_ARGON2ID: Argon2idParams = {
  timeCost: 2,
  memoryKiB: 32768,
  parallelism: 2,
  outputLength: 32,
};
/** Shortest salt the reference accepts. */
export const MIN_IDENTITY_SALT_BYTES = 8;

const SEED_DOMAIN_BYTES = utf8(ED25519_SEED_DOMAIN);

/** A user's (or operator's) key material. Treat every field as secret except the public ones. */
export interface IdentityKeys {
  /** Raw 32-byte X25519 private key (unclamped). Secret. */
  readonly x25519Private: Uint8Array;
  readonly x25519Public: Uint8Array;
  /** 32-byte Ed25519 seed. Secret. */
  readonly ed25519Seed: Uint8Array;
  readonly ed25519Public: Uint8Array;
  /** SHA-256 of the X25519 public key: the id messages are addressed to. */
  readonly userId: Uint8Array;
}

/** Builds the identity for an existing 32-byte X25519 private key (any 32 bytes are valid). */
export function identityFromPrivateKey(x25519Private: Uint8Array): IdentityKeys {
  if (x25519Private.length !== 32) throw new DmpEncodeError('X25519 private key must be 32 bytes');
  const x25519Public = x25519PublicKey(x25519Private);
  const ed25519Seed = sha256(concatBytes(x25519Private, SEED_DOMAIN_BYTES));
  return {
    x25519Private: Uint8Array.from(x25519Private),
    x25519Public,
    ed25519Seed,
    ed25519Public: ed25519PublicKey(ed25519Seed),
    userId: sha256(x25519Public),
  };
}

/**
 * Derives the identity from a passphrase with Argon2id. `salt` is the raw
 * salt bytes (the CLI stores 32 random bytes as hex); when absent the fixed
 * default salt is used. The passphrase is UTF-8 encoded without normalisation.
 *
 * @throws DmpEncodeError when the salt is shorter than 8 bytes.
 */
export async function deriveIdentity(
  passphrase: string,
  salt: Uint8Array | undefined,
): Promise<IdentityKeys> {
  const effectiveSalt = salt ?? utf8(DEFAULT_IDENTITY_SALT);
  if (effectiveSalt.length < MIN_IDENTITY_SALT_BYTES) {
    throw new DmpEncodeError(`salt must be at least ${MIN_IDENTITY_SALT_BYTES} bytes`);
  }
  const raw = await crypto().argon2id(utf8(passphrase), effectiveSalt, IDENTITY_ARGON2ID);
  return identityFromPrivateKey(raw);
}
