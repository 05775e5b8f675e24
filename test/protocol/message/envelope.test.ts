import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../../src/protocol/bytes.js';
import {
  canonicalizeAddress,
  decodeEnvelope,
  encodeEnvelope,
} from '../../../src/protocol/message/envelope.js';
import { parseHeader } from '../../../src/protocol/message/header.js';
import { parseOuterMessage } from '../../../src/protocol/message/outer-message.js';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const address = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/),
    fc.array(label, { minLength: 1, maxLength: 4 }),
  )
  .map(([local, labels]) => `${local}@${labels.join('.')}`);

describe('DMPv2 envelope', () => {
  it('round-trips body and canonical sender for any valid address', () => {
    fc.assert(
      fc.property(address, fc.uint8Array({ maxLength: 500 }), (addr, body) => {
        const decoded = decodeEnvelope(encodeEnvelope(body, addr.toUpperCase()));
        expect(decoded.claimedFrom).toBe(addr);
        expect(toHex(decoded.body)).toBe(toHex(body));
      }),
    );
  });

  it('leaves the body untouched without a usable address', () => {
    const body = utf8('hello');
    expect(encodeEnvelope(body, undefined)).toBe(body);
    expect(encodeEnvelope(body, 'not an address')).toBe(body);
  });

  it('falls back to v1 when the canonical address is too long for the header', () => {
    const host = Array.from({ length: 4 }, () => 'a'.repeat(60)).join('.');
    const addr = `${'u'.repeat(20)}@${host}`;
    expect(canonicalizeAddress(addr)).toBe(addr);
    const body = utf8('x');
    expect(encodeEnvelope(body, addr)).toBe(body);
  });

  it('decode and header/outer parsers never throw on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const withPrefix = new Uint8Array([...utf8('DMPV2:'), ...bytes]);
        decodeEnvelope(bytes);
        decodeEnvelope(withPrefix);
        expect(typeof parseHeader(bytes).ok).toBe('boolean');
        expect(typeof parseOuterMessage(bytes).ok).toBe('boolean');
      }),
    );
    fc.assert(fc.property(fc.string(), (s) => void canonicalizeAddress(s)));
  });
});
