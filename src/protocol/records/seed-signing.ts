/**
 * The sign side shared by the operator records that carry one Ed25519
 * signature (cluster manifest, bootstrap, heartbeat, revocation): the
 * encoder is handed the signer's 32-byte seed, derives the public key the
 * body embeds, holds it to the key the caller declared (a caller that
 * passes the wrong seed gets an error, not a record nobody can verify), and
 * wraps `body ‖ signature` as the TXT value.
 */
import { bytesEqual } from '../bytes.js';
import { ed25519PublicKey, signEd25519 } from '../crypto/ed25519.js';
import { ensure } from '../result.js';
import { encodeOperatorWire } from './operator-wire.js';
import { fixedBytes } from './record-fields.js';

/**
 * Signs the body `encodeBody` builds under the seed's public key and returns
 * `prefix + base64(body ‖ signature)`.
 *
 * @param role - who signs, as the record's fields name it (`operator`,
 *   `signer`, `revoked`): errors speak of the `<role> seed` and `<role>Spk`.
 * @param declaredSpk - the key the caller's input claims; checked before
 *   the body is encoded.
 * @throws DmpEncodeError on a seed that is not 32 bytes, a declared key that
 *   is not the seed's, whatever `encodeBody` refuses, or a value over 1200
 *   bytes.
 */
export function signWithSeed(
  prefix: string,
  seed: Uint8Array,
  role: string,
  declaredSpk: Uint8Array | undefined,
  encodeBody: (signerSpk: Uint8Array) => Uint8Array,
): string {
  fixedBytes(seed, 32, `${role} seed`);
  const signerSpk = ed25519PublicKey(seed);
  if (declaredSpk !== undefined) {
    ensure(bytesEqual(declaredSpk, signerSpk), `signing key does not match ${role}Spk`);
  }
  const body = encodeBody(signerSpk);
  return encodeOperatorWire(prefix, body, signEd25519(seed, body));
}
