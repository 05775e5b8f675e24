/**
 * X25519 proof of possession for TSIG registration (core.md §2.7, node.md
 * §4.5): the user proves it holds the private half of the X25519 key it
 * registers by MACing the challenge with an ECDH secret shared with the
 * server's one-time key:
 *
 *   pop = HMAC-SHA256(key = X25519(user_priv, server_eph_pub),
 *                     msg = challenge_bytes ‖ UTF-8(subject) ‖ claimed_x25519_pub)
 *
 * The server computes the same secret as X25519(server_eph_priv, claimed_pub).
 */
import { concatBytes, constantTimeEqual, tryFromHex, utf8 } from '../bytes.js';
import { DmpEncodeError } from '../result.js';
import { hmacSha256 } from './hash.js';
import { x25519SharedSecret } from './x25519.js';

/** Length of a proof (an HMAC-SHA256 output). */
export const REGISTRATION_PROOF_BYTES = 32;

function proofMac(
  shared: Uint8Array,
  challenge: Uint8Array,
  subject: string,
  claimedX25519Public: Uint8Array,
): Uint8Array {
  return hmacSha256(shared, concatBytes(challenge, utf8(subject), claimedX25519Public));
}

/**
 * Client side: the proof for `claimedX25519Public` (normally the public half
 * of `x25519Private`). `challengeHex` is the server's challenge in hex (either
 * case); `subject` must already be in canonical form, since the server MACs
 * the canonical subject.
 *
 * @throws DmpEncodeError when `challengeHex` is not hex, a key is not 32
 *   bytes, or the server's key is low-order (all-zero shared secret).
 */
export function registrationProof(
  x25519Private: Uint8Array,
  serverEphemeralPublic: Uint8Array,
  challengeHex: string,
  subject: string,
  claimedX25519Public: Uint8Array,
): Uint8Array {
  const challenge = tryFromHex(challengeHex);
  if (challenge === undefined) throw new DmpEncodeError('challenge is not hex');
  if (claimedX25519Public.length !== 32) {
    throw new DmpEncodeError('claimed X25519 public key must be 32 bytes');
  }
  const shared = x25519SharedSecret(x25519Private, serverEphemeralPublic);
  if (shared === undefined) {
    throw new DmpEncodeError('server X25519 key is malformed or low-order');
  }
  return proofMac(shared, challenge, subject, claimedX25519Public);
}

/**
 * Server side: true when `proof` shows possession of the private key of
 * `claimedPublic`. Never throws; malformed hex, wrong sizes and low-order
 * keys all yield false. The MAC comparison is constant-time.
 */
export function verifyRegistrationProof(
  serverEphemeralPrivate: Uint8Array,
  claimedPublic: Uint8Array,
  challengeHex: string,
  subject: string,
  proof: Uint8Array,
): boolean {
  if (proof.length !== REGISTRATION_PROOF_BYTES || claimedPublic.length !== 32) return false;
  const challenge = tryFromHex(challengeHex);
  if (challenge === undefined) return false;
  const shared = x25519SharedSecret(serverEphemeralPrivate, claimedPublic);
  if (shared === undefined) return false;
  return constantTimeEqual(proofMac(shared, challenge, subject, claimedPublic), proof);
}
