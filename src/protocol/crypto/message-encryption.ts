/**
 * Message encryption (core.md §2.4) and the EncryptedMessage layout (§2.5):
 *
 *   shared = X25519(eph_priv, target_pub)
 *   key    = HKDF-SHA256(shared, salt "DMP-v1", info "DMP-Message-Encryption", 32)
 *   blob   = eph_pub(32) ‖ nonce(12) ‖ ChaCha20-Poly1305(key, nonce, plaintext, aad) ‖ tag(16)
 *
 * Randomness is a parameter: the caller supplies the ephemeral private key and
 * the nonce, so encryption is deterministic and testable against the vectors.
 */
import { concatBytes, utf8 } from '../bytes.js';
import { accept, DmpEncodeError, type ParseResult, reject } from '../result.js';
import { crypto } from './active.js';
import { x25519PublicKey, x25519SharedSecret } from './x25519.js';

/** HKDF salt of the message key. */
export const MESSAGE_KEY_SALT = 'DMP-v1';
/** HKDF info of the message key. */
export const MESSAGE_KEY_INFO = 'DMP-Message-Encryption';
export const EPHEMERAL_PUBLIC_BYTES = 32;
export const MESSAGE_NONCE_BYTES = 12;
export const AEAD_TAG_BYTES = 16;
/** Shortest blob {@link parseEncryptedMessage} accepts (eph_pub ‖ nonce, empty ciphertext). */
export const ENCRYPTED_MESSAGE_MIN_BYTES = EPHEMERAL_PUBLIC_BYTES + MESSAGE_NONCE_BYTES;
/** Bytes an encrypted blob adds to its plaintext: eph_pub + nonce + tag = 60. */
export const ENCRYPTED_MESSAGE_OVERHEAD = ENCRYPTED_MESSAGE_MIN_BYTES + AEAD_TAG_BYTES;

const SALT_BYTES = utf8(MESSAGE_KEY_SALT);
const INFO_BYTES = utf8(MESSAGE_KEY_INFO);

/** The three parts of an encrypted blob (§2.5). */
export interface EncryptedMessage {
  /** Sender's ephemeral X25519 public key. */
  readonly ephemeralPublic: Uint8Array;
  /** 12-byte ChaCha20-Poly1305 nonce. */
  readonly nonce: Uint8Array;
  /** Ciphertext followed by the 16-byte tag (may be shorter than 16 on hostile input). */
  readonly sealed: Uint8Array;
}

/** The random inputs of one encryption; both must be fresh per message. */
export interface EncryptionRandomness {
  /** 32 random bytes used as the ephemeral X25519 private key. */
  readonly ephemeralPrivate: Uint8Array;
  /** 12 random bytes. */
  readonly nonce: Uint8Array;
}

/** Draws {@link EncryptionRandomness} from a CSPRNG the caller provides. */
export function drawEncryptionRandomness(
  randomBytes: (length: number) => Uint8Array,
): EncryptionRandomness {
  return {
    ephemeralPrivate: randomBytes(32),
    nonce: randomBytes(MESSAGE_NONCE_BYTES),
  };
}

/** The ChaCha20-Poly1305 key for an X25519 shared secret (32 bytes). */
export function deriveMessageKey(shared: Uint8Array): Uint8Array {
  return crypto().hkdfSha256(shared, SALT_BYTES, INFO_BYTES, 32);
}

/** Serialises an {@link EncryptedMessage}: eph_pub ‖ nonce ‖ ct‖tag. */
export function encodeEncryptedMessage(message: EncryptedMessage): Uint8Array {
  if (message.ephemeralPublic.length !== EPHEMERAL_PUBLIC_BYTES) {
    throw new DmpEncodeError('ephemeral public key must be 32 bytes');
  }
  if (message.nonce.length !== MESSAGE_NONCE_BYTES) {
    throw new DmpEncodeError('nonce must be 12 bytes');
  }
  return concatBytes(message.ephemeralPublic, message.nonce, message.sealed);
}

/**
 * Splits a blob into its parts. Accepts any length ≥ 44, as the reference
 * does: a 44..59-byte blob parses and then fails authentication. The parts
 * are views into `bytes` (no copy).
 */
export function parseEncryptedMessage(bytes: Uint8Array): ParseResult<EncryptedMessage> {
  if (bytes.length < ENCRYPTED_MESSAGE_MIN_BYTES) {
    return reject(
      'length',
      `encrypted message is ${bytes.length} bytes, at least ${ENCRYPTED_MESSAGE_MIN_BYTES} required`,
    );
  }
  return accept({
    ephemeralPublic: bytes.subarray(0, EPHEMERAL_PUBLIC_BYTES),
    nonce: bytes.subarray(EPHEMERAL_PUBLIC_BYTES, ENCRYPTED_MESSAGE_MIN_BYTES),
    sealed: bytes.subarray(ENCRYPTED_MESSAGE_MIN_BYTES),
  });
}

/**
 * Encrypts `plaintext` to `targetPublic` (the chosen prekey, or the
 * recipient's long-term X25519 key) bound to `aad`; returns the blob of §2.5
 * (60 + plaintext bytes). Deterministic in `randomness`.
 *
 * @throws DmpEncodeError when a key or nonce has the wrong size, or when
 *   `targetPublic` is low-order (all-zero shared secret). The reference fails
 *   the send in that case too, so there is no output to be compatible with;
 *   throwing keeps a hostile published key from silently producing a blob.
 */
export function encryptForRecipient(
  plaintext: Uint8Array,
  targetPublic: Uint8Array,
  aad: Uint8Array,
  randomness: EncryptionRandomness,
): Uint8Array {
  const { ephemeralPrivate, nonce } = randomness;
  if (ephemeralPrivate.length !== 32) {
    throw new DmpEncodeError('ephemeral private key must be 32 bytes');
  }
  if (nonce.length !== MESSAGE_NONCE_BYTES) throw new DmpEncodeError('nonce must be 12 bytes');
  if (targetPublic.length !== 32) throw new DmpEncodeError('target public key must be 32 bytes');
  const shared = x25519SharedSecret(ephemeralPrivate, targetPublic);
  if (shared === undefined) {
    throw new DmpEncodeError('target public key is low-order (all-zero shared secret)');
  }
  const sealed = crypto().chacha20Poly1305Seal(deriveMessageKey(shared), nonce, plaintext, aad);
  return encodeEncryptedMessage({
    ephemeralPublic: x25519PublicKey(ephemeralPrivate),
    nonce,
    sealed,
  });
}

/**
 * Decrypts a blob with the recipient's private key (the prekey private key
 * when the manifest names a prekey, else the long-term key) and the rebuilt
 * AAD. Never throws: a short blob is a `length` rejection; a bad or low-order
 * ephemeral key, or a tag mismatch, is a `decrypt` rejection.
 */
export function decryptFromSender(
  blob: Uint8Array,
  recipientPrivate: Uint8Array,
  aad: Uint8Array,
): ParseResult<Uint8Array> {
  const parsed = parseEncryptedMessage(blob);
  if (!parsed.ok) return parsed;
  const { ephemeralPublic, nonce, sealed } = parsed.value;
  if (recipientPrivate.length !== 32) {
    return reject('decrypt', 'recipient private key must be 32 bytes');
  }
  const shared = x25519SharedSecret(recipientPrivate, ephemeralPublic);
  if (shared === undefined) return reject('decrypt', 'ephemeral public key is low-order');
  let plaintext: Uint8Array | undefined;
  try {
    plaintext = crypto().chacha20Poly1305Open(deriveMessageKey(shared), nonce, sealed, aad);
  } catch {
    plaintext = undefined;
  }
  if (plaintext === undefined) return reject('decrypt', 'authentication tag mismatch');
  return accept(plaintext);
}
