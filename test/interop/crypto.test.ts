/**
 * crypto.json against every crypto function, once per provider: the pure-JS
 * default (noble + hash-wasm) and the Node provider (OpenSSL + @node-rs/argon2).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, u32, utf8 } from '../../src/protocol/bytes.js';
import { crypto, installCryptoProvider } from '../../src/protocol/crypto/active.js';
import { ed25519PublicKey, signEd25519, verifyEd25519 } from '../../src/protocol/crypto/ed25519.js';
import {
  DEFAULT_IDENTITY_SALT,
  deriveIdentity,
  IDENTITY_ARGON2ID,
  type IdentityKeys,
  identityFromPrivateKey,
} from '../../src/protocol/crypto/identity.js';
import {
  decryptFromSender,
  deriveMessageKey,
  encryptForRecipient,
  MESSAGE_KEY_INFO,
  MESSAGE_KEY_SALT,
  parseEncryptedMessage,
} from '../../src/protocol/crypto/message-encryption.js';
import { nobleCryptoProvider } from '../../src/protocol/crypto/noble-provider.js';
import type { Argon2idParams, CryptoProvider } from '../../src/protocol/crypto/provider.js';
import {
  registrationProof,
  verifyRegistrationProof,
} from '../../src/protocol/crypto/registration-pop.js';
import { x25519PublicKey, x25519SharedSecret } from '../../src/protocol/crypto/x25519.js';
import { DmpEncodeError } from '../../src/protocol/result.js';
import { nodeCryptoProvider } from '../../src/runtime/node-crypto-provider.js';
import { describeVectors, haveVectors, loadVectors } from './vectors.js';

type Case = any;

const KINDS = [
  'argon2id_identity',
  'from_private_bytes',
  'ed25519_sign',
  'ed25519_verify',
  'x25519',
  'hkdf_sha256',
  'chacha20poly1305',
  'encrypt_for_recipient',
  'registration_pop',
] as const;

const file = haveVectors ? loadVectors('crypto.json') : { cases: [] };
const cases: Case[] = file.cases;
const ofKind = (kind: string): Case[] => cases.filter((c) => c.kind === kind);
const label = (c: Case, i: number): string => `#${i} ${c.description ?? ''}`;
const hex = (b: Uint8Array | undefined): string | undefined => (b === undefined ? b : toHex(b));

function expectIdentity(keys: IdentityKeys, expected: Case): void {
  expect({
    x25519_private_hex: toHex(keys.x25519Private),
    x25519_public_hex: toHex(keys.x25519Public),
    ed25519_seed_hex: toHex(keys.ed25519Seed),
    ed25519_public_hex: toHex(keys.ed25519Public),
    user_id_hex: toHex(keys.userId),
  }).toEqual({
    x25519_private_hex: expected.x25519_private_hex,
    x25519_public_hex: expected.x25519_public_hex,
    ed25519_seed_hex: expected.ed25519_seed_hex,
    ed25519_public_hex: expected.ed25519_public_hex,
    user_id_hex: expected.user_id_hex,
  });
}

function argon2Params(p: Case): Argon2idParams {
  expect(p.type).toBe('argon2id');
  expect(p.version).toBe(0x13);
  return {
    timeCost: p.time_cost,
    memoryKiB: p.memory_cost_kib,
    parallelism: p.parallelism,
    outputLength: p.hash_len,
  };
}

const sameParams = (a: Argon2idParams, b: Argon2idParams): boolean =>
  a.timeCost === b.timeCost &&
  a.memoryKiB === b.memoryKiB &&
  a.parallelism === b.parallelism &&
  a.outputLength === b.outputLength;

function flipFirstByte(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[0]! ^= 0x01;
  return out;
}

describeVectors('crypto.json', () => {
  it('contains only case kinds this suite checks', () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(KINDS).toContain(c.kind);
  });

  it('facts agree with the library constants', () => {
    const defaults = file.facts.argon2id_defaults;
    expect(argon2Params({ ...defaults, type: 'argon2id' })).toEqual(IDENTITY_ARGON2ID);
    expect(defaults.default_salt_utf8).toBe(DEFAULT_IDENTITY_SALT);
    expect(file.facts.hkdf.salt_utf8).toBe(MESSAGE_KEY_SALT);
    expect(file.facts.hkdf.info_utf8).toBe(MESSAGE_KEY_INFO);
  });
});

function providerSuite(provider: CryptoProvider): void {
  describeVectors(`crypto.json with ${provider.name}`, () => {
    let previous: CryptoProvider;
    beforeAll(() => {
      previous = installCryptoProvider(provider);
    });
    afterAll(() => {
      installCryptoProvider(previous);
    });

    it('runs with the intended provider installed', () => {
      expect(crypto()).toBe(provider);
    });

    ofKind('argon2id_identity').forEach((c: Case, i: number) => {
      it(`argon2id_identity ${label(c, i)}`, async () => {
        const password = utf8(c.passphrase);
        expect(toHex(password)).toBe(c.passphrase_utf8_hex);
        const salt = c.salt_hex === null ? undefined : fromHex(c.salt_hex);
        if (c.expected_error !== undefined) {
          await expect(deriveIdentity(c.passphrase, salt)).rejects.toBeInstanceOf(DmpEncodeError);
          return;
        }
        const effectiveSalt = salt ?? utf8(DEFAULT_IDENTITY_SALT);
        expect(toHex(effectiveSalt)).toBe(c.effective_salt_hex);
        const params = argon2Params(c.argon2);
        let keys: IdentityKeys;
        if (sameParams(params, IDENTITY_ARGON2ID)) {
          // The public entry point (fixed parameters, default-salt fallback).
          keys = await deriveIdentity(c.passphrase, salt);
        } else {
          // Non-default costs are a debugging aid: check the primitive directly.
          const raw = await crypto().argon2id(password, effectiveSalt, params);
          keys = identityFromPrivateKey(raw);
        }
        expect(toHex(keys.x25519Private)).toBe(c.argon2_output_hex);
        expectIdentity(keys, c.expected);
      });
    });

    it('from_private_bytes: every case', () => {
      const list = ofKind('from_private_bytes');
      expect(list.length).toBeGreaterThan(0);
      for (const c of list)
        expectIdentity(identityFromPrivateKey(fromHex(c.x25519_private_hex)), c.expected);
    });

    it('ed25519_sign: every case', () => {
      const list = ofKind('ed25519_sign');
      expect(list.length).toBeGreaterThan(0);
      for (const c of list) {
        const seed = fromHex(c.ed25519_seed_hex);
        const message = fromHex(c.message_hex);
        if (c.x25519_private_hex !== undefined) {
          expect(toHex(identityFromPrivateKey(fromHex(c.x25519_private_hex)).ed25519Seed)).toBe(
            c.ed25519_seed_hex,
          );
        }
        expect(toHex(ed25519PublicKey(seed))).toBe(c.ed25519_public_hex);
        const signature = signEd25519(seed, message);
        expect(toHex(signature)).toBe(c.expected_signature_hex);
        expect(verifyEd25519(fromHex(c.ed25519_public_hex), message, signature)).toBe(true);
      }
    });

    it('ed25519_verify: every case', () => {
      const list = ofKind('ed25519_verify');
      expect(list.length).toBeGreaterThan(0);
      for (const c of list) {
        const got = verifyEd25519(
          fromHex(c.public_key_hex),
          fromHex(c.message_hex),
          fromHex(c.signature_hex),
        );
        expect(got, c.description).toBe(c.expected_valid);
      }
    });

    it('x25519: every case', () => {
      const list = ofKind('x25519');
      expect(list.length).toBeGreaterThan(0);
      for (const c of list) {
        const priv = fromHex(c.private_hex);
        const shared = x25519SharedSecret(priv, fromHex(c.peer_public_hex));
        if (c.expected_error !== undefined) {
          expect(shared, c.description).toBeUndefined();
          continue;
        }
        expect(hex(shared), c.description).toBe(c.expected_shared_hex);
        if (c.public_hex !== undefined) expect(toHex(x25519PublicKey(priv))).toBe(c.public_hex);
        if (c.peer_private_hex !== undefined) {
          const peerPriv = fromHex(c.peer_private_hex);
          expect(toHex(x25519PublicKey(peerPriv))).toBe(c.peer_public_hex);
          expect(hex(x25519SharedSecret(peerPriv, x25519PublicKey(priv)))).toBe(
            c.expected_shared_hex,
          );
        }
      }
    });

    it('hkdf_sha256: every case', () => {
      const list = ofKind('hkdf_sha256');
      expect(list.length).toBeGreaterThan(0);
      const messageKdf = toHex(utf8(MESSAGE_KEY_SALT)) + '/' + toHex(utf8(MESSAGE_KEY_INFO));
      for (const c of list) {
        const ikm = fromHex(c.ikm_hex);
        const okm = crypto().hkdfSha256(ikm, fromHex(c.salt_hex), fromHex(c.info_hex), c.length);
        expect(toHex(okm)).toBe(c.expected_okm_hex);
        if (`${c.salt_hex}/${c.info_hex}` === messageKdf && c.length === 32) {
          expect(toHex(deriveMessageKey(ikm))).toBe(c.expected_okm_hex);
        }
      }
    });

    it('chacha20poly1305: every case (seal, open, tamper)', () => {
      const list = ofKind('chacha20poly1305');
      expect(list.length).toBeGreaterThan(0);
      for (const c of list) {
        const key = fromHex(c.key_hex);
        const nonce = fromHex(c.nonce_hex);
        const aad = fromHex(c.aad_hex);
        const sealed = crypto().chacha20Poly1305Seal(key, nonce, fromHex(c.plaintext_hex), aad);
        expect(toHex(sealed)).toBe(c.expected_ciphertext_and_tag_hex);
        const opened = crypto().chacha20Poly1305Open(key, nonce, sealed, aad);
        expect(hex(opened)).toBe(c.plaintext_hex);
        expect(
          crypto().chacha20Poly1305Open(key, nonce, flipFirstByte(sealed), aad),
        ).toBeUndefined();
      }
    });

    it('encrypt_for_recipient: every case (encrypt, decrypt, wrong AAD)', () => {
      const list = ofKind('encrypt_for_recipient');
      expect(list.length).toBeGreaterThan(0);
      for (const c of list) {
        const aad = fromHex(c.aad_hex);
        expect(toHex(aad)).toBe(toHex(concatBytes(utf8(c.aad_header_json), u32(c.prekey_id))));
        // The ECDH target is the prekey when one is used, else the long-term key.
        const recipientPrivate = fromHex(c.prekey_private_hex ?? c.recipient_long_term_private_hex);
        expect(toHex(x25519PublicKey(recipientPrivate))).toBe(c.ecdh_target_public_hex);
        expect(toHex(x25519PublicKey(fromHex(c.recipient_long_term_private_hex)))).toBe(
          c.recipient_long_term_public_hex,
        );

        const ephemeralPrivate = fromHex(c.ephemeral_private_hex);
        const nonce = fromHex(c.nonce_hex);
        const target = fromHex(c.ecdh_target_public_hex);
        const shared = x25519SharedSecret(ephemeralPrivate, target);
        expect(hex(shared)).toBe(c.expected_shared_secret_hex);
        expect(toHex(deriveMessageKey(shared!))).toBe(c.expected_key_hex);

        const plaintext = fromHex(c.plaintext_hex);
        const blob = encryptForRecipient(plaintext, target, aad, { ephemeralPrivate, nonce });
        expect(toHex(blob)).toBe(c.expected_encrypted_message_hex);

        const parsed = parseEncryptedMessage(blob);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) continue;
        expect(toHex(parsed.value.ephemeralPublic)).toBe(c.ephemeral_public_hex);
        expect(toHex(parsed.value.nonce)).toBe(c.nonce_hex);
        expect(toHex(parsed.value.sealed)).toBe(c.expected_ciphertext_and_tag_hex);

        const opened = decryptFromSender(blob, recipientPrivate, aad);
        expect(opened).toEqual({ ok: true, value: plaintext });
        const wrong = decryptFromSender(blob, recipientPrivate, fromHex(c.wrong_aad_hex));
        expect(wrong.ok).toBe(false);
        if (!wrong.ok) expect(wrong.code).toBe('decrypt');
      }
    });

    it('registration_pop: every case (client proof, server check)', () => {
      const list = ofKind('registration_pop');
      expect(list.length).toBeGreaterThan(0);
      for (const c of list) {
        const userPrivate = fromHex(c.user_x25519_private_hex);
        const serverPrivate = fromHex(c.server_ephemeral_private_hex);
        const serverPublic = fromHex(c.server_ephemeral_public_hex);
        const claimed = fromHex(c.claimed_x25519_public_hex);
        expect(toHex(x25519PublicKey(serverPrivate))).toBe(c.server_ephemeral_public_hex);
        expect(hex(x25519SharedSecret(userPrivate, serverPublic))).toBe(
          c.expected_shared_secret_hex,
        );
        expect(toHex(concatBytes(fromHex(c.challenge_hex), utf8(c.subject), claimed))).toBe(
          c.hmac_message_hex,
        );

        const proof = registrationProof(
          userPrivate,
          serverPublic,
          c.challenge_hex,
          c.subject,
          claimed,
        );
        expect(toHex(proof)).toBe(c.expected_pop_hex);
        const pop = fromHex(c.expected_pop_hex);
        expect(
          verifyRegistrationProof(serverPrivate, claimed, c.challenge_hex, c.subject, pop),
        ).toBe(true);
        expect(
          verifyRegistrationProof(
            serverPrivate,
            claimed,
            c.challenge_hex,
            c.subject,
            flipFirstByte(pop),
          ),
        ).toBe(false);
      }
    });
  });
}

providerSuite(nobleCryptoProvider);
providerSuite(nodeCryptoProvider);
