/**
 * The crypto primitives DMP needs, behind one small interface so the protocol
 * layer stays isomorphic: the default is pure JS (@noble/*, hash-wasm) and runs
 * in browsers; a Node process installs a node:crypto provider (OpenSSL, the
 * same library the reference uses) that is several times faster.
 *
 * Providers implement raw primitives only. DMP policy (the Ed25519 low-order
 * key blocklist, refusing all-zero X25519 secrets, argument length checks)
 * lives in the protocol functions that call them, so every provider gets the
 * same rules.
 */

/** Argon2id cost parameters (RFC 9106). */
export interface Argon2idParams {
  /** Iterations (t). */
  readonly timeCost: number;
  /** Memory in KiB (m). */
  readonly memoryKiB: number;
  /** Lanes (p). */
  readonly parallelism: number;
  /** Output length in bytes. */
  readonly outputLength: number;
}

export interface CryptoProvider {
  /** Human-readable name, shown by benchmarks and diagnostics. */
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** X25519 public key of a 32-byte private key (clamped internally). */
  x25519PublicKey(privateKey: Uint8Array): Uint8Array;
  /** Raw X25519; may throw on keys the implementation refuses. */
  x25519(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** Ed25519 public key of a 32-byte RFC 8032 seed. */
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  /** Pure Ed25519 signature (RFC 8032) of `message` with a 32-byte seed. */
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /**
   * Strict, cofactorless Ed25519 verification (S < L, canonical encodings).
   * May throw on malformed input; callers treat a throw as "invalid".
   */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** ChaCha20-Poly1305 (RFC 8439): returns ciphertext ‖ 16-byte tag. */
  chacha20Poly1305Seal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array;
  /** Opens ciphertext ‖ tag; `undefined` when authentication fails. */
  chacha20Poly1305Open(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array | undefined;
  /** Argon2id, version 0x13, no secret or associated data. */
  argon2id(password: Uint8Array, salt: Uint8Array, params: Argon2idParams): Promise<Uint8Array>;
}
