import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, u16, u64, utf8 } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import { isValidHeartbeatEndpoint } from '../../../src/protocol/records/heartbeat-endpoint.js';
import {
  decodeHeartbeatBody,
  type HeartbeatInput,
  parseAndVerifyHeartbeat,
  signHeartbeat,
} from '../../../src/protocol/records/heartbeat-record.js';
import { HEARTBEAT_RECORD_PREFIX } from '../../../src/protocol/records/prefixes.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';
import {
  flipBlobByte,
  labelArb,
  signerArb,
  signRawBody,
  valueArb,
} from './operator-arbitraries.js';

const NOW = 1_893_456_000;
const DAY = 86_400;
const seed = new Uint8Array(32).fill(21);
const spk = ed25519PublicKey(seed);
const base: HeartbeatInput = {
  endpoint: 'https://node1.mesh.test',
  version: '0.7.5',
  capabilities: 1,
  claimProviderZone: 'mesh.test',
  ts: NOW,
  exp: NOW + DAY,
};

interface RawFields {
  magic?: string;
  endpoint?: string;
  version?: string;
  zone?: string | null;
  ts?: number;
  exp?: number;
  key?: Uint8Array;
}

/** A signed body with no encoder checks; `zone: null` omits the zone field (legacy layout). */
function hostile(fields: RawFields): string {
  const { magic = 'DMPHB03', endpoint = 'https://n.mesh.test', version = '1', zone = '' } = fields;
  const e = utf8(endpoint);
  const v = utf8(version);
  const z =
    zone === null ? new Uint8Array(0) : concatBytes(Uint8Array.of(utf8(zone).length), utf8(zone));
  const body = concatBytes(
    utf8(magic),
    u16(e.length),
    e,
    fields.key ?? spk,
    Uint8Array.of(v.length),
    v,
    u16(0),
    z,
    u64(fields.ts ?? NOW),
    u64(fields.exp ?? NOW + 60),
  );
  return signRawBody(HEARTBEAT_RECORD_PREFIX, body, seed);
}

const inputArb: fc.Arbitrary<HeartbeatInput> = fc.record({
  endpoint: fc
    .tuple(
      fc.constantFrom('https', 'http', 'HTTPS'),
      fc.array(labelArb, { minLength: 1, maxLength: 3 }),
      fc.option(fc.integer({ min: 1, max: 65_535 })),
    )
    .map(
      ([scheme, labels, port]) =>
        `${scheme}://${labels.join('.')}${port === null ? '' : `:${port}`}`,
    )
    .filter(isValidHeartbeatEndpoint), // digits-only labels can spell a private IPv4
  version: fc.stringMatching(/^[\x00-\x7f]{0,32}$/),
  capabilities: fc.integer({ min: 0, max: 0xffff }),
  claimProviderZone: fc.stringMatching(/^[\x21-\x7e]{0,64}$/),
  ts: fc.integer({ min: NOW - 300, max: NOW + 300 }),
  exp: fc.integer({ min: NOW + 301, max: NOW + 30 * DAY }),
});

describe('heartbeat record', () => {
  it('round-trips random valid heartbeats', () => {
    fc.assert(
      fc.property(signerArb, inputArb, (signer, input) => {
        const value = signHeartbeat(input, signer.seed);
        const parsed = parseAndVerifyHeartbeat(value, { now: NOW });
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.value).toEqual({
          endpoint: input.endpoint,
          operatorSpk: signer.publicKey,
          version: input.version,
          capabilities: input.capabilities,
          claimProviderZone: input.claimProviderZone,
          ts: BigInt(input.ts),
          exp: BigInt(input.exp),
          legacy: false,
        });
      }),
      { numRuns: 80 },
    );
  });

  it('applies the skew window, expiry and 30-day cap', () => {
    const value = signHeartbeat(base, seed);
    const at = (now: number, tsSkewSeconds?: number) =>
      parseAndVerifyHeartbeat(value, { now, tsSkewSeconds });
    expect(at(NOW + 300).ok).toBe(true);
    expect(at(NOW - 300).ok).toBe(true);
    expect(at(NOW + 301)).toMatchObject({ code: 'stale' });
    expect(at(NOW - 301)).toMatchObject({ code: 'future' });
    expect(at(NOW + 3600, 3600).ok).toBe(true);
    expect(at(NOW + 3600, 3599.5)).toMatchObject({ code: 'stale' });
    expect(at(NOW + DAY - 1, Number.POSITIVE_INFINITY).ok).toBe(true);
    expect(at(NOW + DAY, Number.POSITIVE_INFINITY)).toMatchObject({ code: 'expired' });
    expect(at(NOW, -1)).toMatchObject({ code: 'future' });
    const far = signHeartbeat({ ...base, exp: NOW + 30 * DAY + 1 }, seed);
    expect(parseAndVerifyHeartbeat(far, { now: NOW })).toMatchObject({ code: 'future' });
    const edge = signHeartbeat({ ...base, exp: NOW + 30 * DAY }, seed);
    expect(parseAndVerifyHeartbeat(edge, { now: NOW }).ok).toBe(true);
  });

  it('accepts legacy DMPHB02 bodies, which carry no zone', () => {
    const parsed = parseAndVerifyHeartbeat(hostile({ magic: 'DMPHB02', zone: null }), { now: NOW });
    expect(parsed.ok && parsed.value).toMatchObject({ legacy: true, claimProviderZone: '' });
    expect(parseAndVerifyHeartbeat(hostile({ magic: 'DMPHB02' }), { now: NOW }).ok).toBe(false);
    expect(parseAndVerifyHeartbeat(hostile({ magic: 'DMPHB04' }), { now: NOW }).ok).toBe(false);
  });

  it('enforces the encoder rules on parse', () => {
    const parses = (fields: RawFields) => parseAndVerifyHeartbeat(hostile(fields), { now: NOW }).ok;
    expect(parses({})).toBe(true);
    expect(parses({ endpoint: 'https://10.0.0.1' })).toBe(false);
    expect(parses({ endpoint: 'https://n.mesh.test/' })).toBe(false);
    expect(parses({ version: '\u00e9' })).toBe(false);
    expect(parses({ version: 'v'.repeat(33) })).toBe(false);
    expect(parses({ zone: 'z'.repeat(64) })).toBe(true);
    expect(parses({ zone: 'z'.repeat(65) })).toBe(false);
    expect(parses({ zone: 'a zone' })).toBe(false);
    expect(parses({ zone: 'z\u00e9' })).toBe(false);
    expect(parses({ exp: NOW })).toBe(false);
    const refused: Partial<HeartbeatInput>[] = [
      { endpoint: 'https://localhost' },
      { endpoint: 'https://user@node.mesh.test' },
      { endpoint: `https://${'a'.repeat(250)}` },
      { version: 'v'.repeat(33) },
      { version: '\u00e9' },
      { claimProviderZone: 'a zone' },
      { claimProviderZone: 'z'.repeat(65) },
      { capabilities: 0x10000 },
      { exp: NOW },
      { ts: 2 ** 63 + 1 },
      { operatorSpk: ed25519PublicKey(new Uint8Array(32).fill(22)) },
    ];
    for (const change of refused) {
      expect(() => signHeartbeat({ ...base, ...change }, seed)).toThrow(DmpEncodeError);
    }
    expect(() =>
      signHeartbeat({ ...base, ts: 2n ** 63n - 2n, exp: 2n ** 63n - 1n }, seed),
    ).not.toThrow();
    expect(() => signHeartbeat({ ...base, ts: 1, exp: 2n ** 63n }, seed)).toThrow(DmpEncodeError);
  });

  it('rejects any flipped byte and never throws on arbitrary input', () => {
    const value = signHeartbeat(base, seed);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        const flipped = flipBlobByte(value, HEARTBEAT_RECORD_PREFIX, index, mask);
        expect(parseAndVerifyHeartbeat(flipped, { now: NOW }).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(valueArb(HEARTBEAT_RECORD_PREFIX, 'DMPHB03'), (junk) => {
        expect(parseAndVerifyHeartbeat(junk, { now: NOW }).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('DMPHB03', 'DMPHB02'),
        fc.uint8Array({ maxLength: 300 }),
        (m, tail) => {
          decodeHeartbeatBody(concatBytes(utf8(m), tail));
        },
      ),
    );
  });
});
