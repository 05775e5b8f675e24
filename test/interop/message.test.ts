/**
 * message.json: the layers of one message — plaintext (v1 or DMPv2), header
 * JSON, AAD, encryption, outer message and erasure parameters — each
 * reproduced from the case inputs and parsed back.
 */
import { expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/protocol/bytes.js';
import { erasureParameters } from '../../src/protocol/coding/erasure.js';
import { sha256 } from '../../src/protocol/crypto/hash.js';
import {
  decryptFromSender,
  encryptForRecipient,
} from '../../src/protocol/crypto/message-encryption.js';
import { messageAad } from '../../src/protocol/message/aad.js';
import { decodeEnvelope, encodeEnvelope } from '../../src/protocol/message/envelope.js';
import {
  encodeHeader,
  headerJson,
  type MessageHeader,
  parseHeader,
} from '../../src/protocol/message/header.js';
import { encodeOuterMessage, parseOuterMessage } from '../../src/protocol/message/outer-message.js';
import { describeVectors, loadVectors } from './vectors.js';

describeVectors('message.json: message layers', () => {
  const cases = loadVectors('message.json').cases as any[];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  for (const c of cases) {
    it(`${c.id}: ${c.description}`, () => {
      const inp = c.inputs;
      const exp = c.expected;
      const body = fromHex(inp.message_hex);
      expect(toHex(utf8(inp.message_utf8))).toBe(inp.message_hex);
      const plaintext = encodeEnvelope(body, inp.envelope_from ?? undefined);
      expect(toHex(plaintext)).toBe(exp.body_plaintext_hex);

      const header: MessageHeader = {
        version: 1,
        type: 'DATA',
        msgId: fromHex(inp.msg_id_hex),
        senderId: sha256(fromHex(inp.sender_x25519_public_hex)),
        recipientId: sha256(fromHex(inp.recipient_x25519_public_hex)),
        total: 1,
        chunk: 0,
        ts: inp.ts,
        ttl: inp.ttl,
      };
      expect(headerJson(header)).toBe(exp.outer_header_json);
      expect(encodeHeader(header).length).toBe(exp.outer_header_len);
      const aad = messageAad(header, inp.prekey_id);
      expect(toHex(aad)).toBe(exp.aad_hex);
      expect(toHex(aad)).toBe(toHex(utf8(exp.aad_header_json)) + exp.aad_hex.slice(-8));

      const blob = encryptForRecipient(plaintext, fromHex(inp.recipient_x25519_public_hex), aad, {
        ephemeralPrivate: fromHex(exp.ephemeral_private_hex),
        nonce: fromHex(exp.nonce_hex),
      });
      expect(toHex(blob)).toBe(exp.encrypted_message_hex);
      const outer = encodeOuterMessage(encodeHeader(header), blob);
      expect(toHex(outer)).toBe(exp.outer_message_hex);
      expect(toHex(outer.subarray(outer.length - 32))).toBe(exp.outer_trailer_hex);
      expect(erasureParameters(outer.length)).toEqual({ k: c.erasure.k, n: c.erasure.n });

      // Receiver side: parse, rebuild the AAD from parsed fields, decrypt, strip.
      const parsedOuter = parseOuterMessage(fromHex(exp.outer_message_hex));
      if (!parsedOuter.ok) throw new Error(parsedOuter.detail);
      const parsedHeader = parseHeader(parsedOuter.value.header);
      if (!parsedHeader.ok) throw new Error(parsedHeader.detail);
      expect(headerJson(parsedHeader.value)).toBe(exp.outer_header_json);
      const opened = decryptFromSender(
        parsedOuter.value.payload,
        fromHex(inp.recipient_x25519_private_hex),
        messageAad(parsedHeader.value, inp.prekey_id),
      );
      if (!opened.ok) throw new Error(opened.detail);
      const decoded = decodeEnvelope(opened.value);
      expect(toHex(decoded.body)).toBe(inp.message_hex);
      const wrongPrekey = decryptFromSender(
        parsedOuter.value.payload,
        fromHex(inp.recipient_x25519_private_hex),
        messageAad(parsedHeader.value, inp.prekey_id + 1),
      );
      expect(wrongPrekey.ok).toBe(false);
    });
  }
});
