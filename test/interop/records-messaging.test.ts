/**
 * records.json (claim, manifest, prekey, identity, identity_legacy_json,
 * chunk) and the reference's own slot_manifest / identity_record / prekey
 * vectors against the messaging record codecs.
 */
import { expect, it } from 'vitest';
import { decodeBase64Lenient } from '../../src/protocol/base64.js';
import { fromHex, toHex, utf8 } from '../../src/protocol/bytes.js';
import { identityFromPrivateKey } from '../../src/protocol/crypto/identity.js';
import { claimName, hashedIdentityName } from '../../src/protocol/names.js';
import {
  chunkDataOf,
  encodeChunkRecord,
  parseChunkRecord,
} from '../../src/protocol/records/chunk-record.js';
import {
  type ClaimRecord,
  type ClaimRecordInput,
  encodeClaimBody,
  parseAndVerifyClaimRecord,
  signClaimRecord,
} from '../../src/protocol/records/claim-record.js';
import {
  encodeIdentityBody,
  type IdentityRecord,
  type IdentityRecordInput,
  parseAndVerifyIdentityRecord,
  signIdentityRecord,
} from '../../src/protocol/records/identity-record.js';
import { parseLegacyJsonIdentity } from '../../src/protocol/records/legacy-json-identity.js';
import { RECORD_PREFIXES, recordTypeOf } from '../../src/protocol/records/prefixes.js';
import {
  encodePrekeyBody,
  isPrekeyExpired,
  type PrekeyRecord,
  type PrekeyRecordInput,
  parseAndVerifyPrekeyRecord,
  signPrekeyRecord,
} from '../../src/protocol/records/prekey-record.js';
import {
  encodeSlotManifestBody,
  isSlotManifestExpired,
  parseAndVerifySlotManifest,
  type SlotManifest,
  type SlotManifestInput,
  signSlotManifest,
} from '../../src/protocol/records/slot-manifest.js';
import { DmpEncodeError, type ParseResult } from '../../src/protocol/result.js';
import { describeVectors, haveVectors, loadVectors } from './vectors.js';

type Case = any;

const SIGNED_TYPES = ['claim', 'manifest', 'prekey', 'identity'] as const;
type SignedType = (typeof SIGNED_TYPES)[number];

/** README "reference/": this "now" accepts every round-trip case of those files. */
const REFERENCE_NOW = 2_050_000_000;

const file = haveVectors ? loadVectors('records.json') : { cases: [], facts: { prefixes: {} } };
const cases: Case[] = file.cases;
const ofType = (type: string): Case[] => cases.filter((c) => c.record_type === type);
const label = (c: Case, i: number): string => `#${i} ${c.description}`;

/** The Ed25519 seed of a vector seed (an X25519 private key, crypto.json rule). */
const signingSeed = (x25519Hex: string): Uint8Array =>
  identityFromPrivateKey(fromHex(x25519Hex)).ed25519Seed;

/** The case's seed field, whatever the record calls it. */
function seedOf(inputs: Case): string | undefined {
  const key = Object.keys(inputs).find((k) => k.endsWith('_seed_hex'));
  return key === undefined ? undefined : inputs[key];
}

interface Codec {
  encodeBody(inputs: Case): Uint8Array;
  sign(inputs: Case, seed: Uint8Array): string;
  parse(wire: string, verify: Case): ParseResult<unknown>;
  /** The parsed record in the vectors' field naming. */
  view(record: unknown): Record<string, unknown>;
  isExpired?(record: unknown, now: number): boolean;
}

const claimInput = (i: Case): ClaimRecordInput => ({
  msgId: fromHex(i.msg_id_hex),
  senderSpk: fromHex(i.sender_spk_hex),
  senderMailboxDomain: i.sender_mailbox_domain,
  slot: i.slot,
  ts: i.ts,
  exp: i.exp,
});

const manifestInput = (i: Case): SlotManifestInput => ({
  msgId: fromHex(i.msg_id_hex),
  senderSpk: fromHex(i.sender_spk_hex),
  recipientId: fromHex(i.recipient_id_hex),
  totalChunks: i.total_chunks,
  dataChunks: i.data_chunks,
  prekeyId: i.prekey_id,
  ts: i.ts,
  exp: i.exp,
  chunkHashes: (i.chunk_hashes_hex ?? []).map(fromHex),
});

const prekeyInput = (i: Case): PrekeyRecordInput => ({
  prekeyId: i.prekey_id,
  publicKey: fromHex(i.public_key_hex),
  exp: i.exp,
});

const identityInput = (i: Case): IdentityRecordInput => ({
  username: i.username,
  x25519Pk: fromHex(i.x25519_pk_hex),
  ed25519Spk: fromHex(i.ed25519_spk_hex),
  ts: i.ts,
  ...(i.versions === undefined ? {} : { versions: i.versions }),
});

const CODECS: Record<SignedType, Codec> = {
  claim: {
    encodeBody: (i) => encodeClaimBody(claimInput(i)),
    sign: (i, seed) => signClaimRecord(claimInput(i), seed),
    parse: (wire, v) =>
      parseAndVerifyClaimRecord(
        wire,
        v.now,
        v.ts_skew_seconds === undefined ? {} : { tsSkewSeconds: v.ts_skew_seconds },
      ),
    view: (r) => {
      const c = r as ClaimRecord;
      return {
        msg_id_hex: toHex(c.msgId),
        sender_spk_hex: toHex(c.senderSpk),
        sender_mailbox_domain: c.senderMailboxDomain,
        slot: c.slot,
        ts: Number(c.ts),
        exp: Number(c.exp),
      };
    },
  },
  manifest: {
    encodeBody: (i) => encodeSlotManifestBody(manifestInput(i)),
    sign: (i, seed) => signSlotManifest(manifestInput(i), seed),
    parse: (wire, v) => parseAndVerifySlotManifest(wire, v.now),
    view: (r) => {
      const m = r as SlotManifest;
      return {
        msg_id_hex: toHex(m.msgId),
        sender_spk_hex: toHex(m.senderSpk),
        recipient_id_hex: toHex(m.recipientId),
        total_chunks: m.totalChunks,
        data_chunks: m.dataChunks,
        prekey_id: m.prekeyId,
        ts: Number(m.ts),
        exp: Number(m.exp),
        chunk_hashes_hex: m.chunkHashes.map(toHex),
      };
    },
    isExpired: (r, now) => isSlotManifestExpired(r as SlotManifest, now),
  },
  prekey: {
    encodeBody: (i) => encodePrekeyBody(prekeyInput(i)),
    sign: (i, seed) => signPrekeyRecord(prekeyInput(i), seed),
    parse: (wire, v) => parseAndVerifyPrekeyRecord(wire, v.now, fromHex(v.signer_spk_hex)),
    view: (r) => {
      const p = r as PrekeyRecord;
      return { prekey_id: p.prekeyId, public_key_hex: toHex(p.publicKey), exp: Number(p.exp) };
    },
    isExpired: (r, now) => isPrekeyExpired(r as PrekeyRecord, now),
  },
  identity: {
    encodeBody: (i) => encodeIdentityBody(identityInput(i)),
    sign: (i, seed) => signIdentityRecord(identityInput(i), seed),
    parse: (wire) => parseAndVerifyIdentityRecord(wire),
    view: (r) => {
      const id = r as IdentityRecord;
      return {
        username: id.username,
        x25519_pk_hex: toHex(id.x25519Pk),
        ed25519_spk_hex: toHex(id.ed25519Spk),
        ts: Number(id.ts),
        versions: [...id.versions],
      };
    },
  },
};

/** Decoded blob of a lenient- or strict-base64 record value (for signature checks). */
function blobOf(type: SignedType, wire: string): Uint8Array {
  const blob = decodeBase64Lenient(wire.slice(RECORD_PREFIXES[type].length));
  if (blob === undefined) throw new Error('vector wire is not base64');
  return blob;
}

describeVectors('records.json: prefixes', () => {
  it('every prefix in facts.prefixes matches the registry, and nothing else is registered', () => {
    expect(RECORD_PREFIXES).toEqual(file.facts.prefixes);
  });

  it('dispatches every case wire that carries its type prefix to that type', () => {
    let checked = 0;
    for (const c of cases) {
      const prefix: string | undefined = file.facts.prefixes[c.record_type];
      if (typeof c.wire !== 'string' || prefix === undefined || !c.wire.startsWith(prefix))
        continue;
      expect(recordTypeOf(c.wire), c.description).toBe(c.record_type);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

for (const type of SIGNED_TYPES) {
  describeVectors(`records.json: ${type}`, () => {
    const codec = CODECS[type];
    const typeCases = ofType(type);
    const roundTrips = typeCases.filter((c) => c.inputs && seedOf(c.inputs) !== undefined);
    const parses = typeCases.filter((c) => typeof c.wire === 'string');
    const encodeErrors = typeCases.filter((c) => c.expected_result === 'encode_error');

    it('has cases', () => {
      expect(typeCases.length).toBeGreaterThan(0);
      expect(roundTrips.length).toBeGreaterThan(0);
      expect(parses.length + encodeErrors.length).toBe(typeCases.length);
    });

    roundTrips.forEach((c, i) => {
      it(`signs ${label(c, i)} byte-exactly`, () => {
        const wire = codec.sign(c.inputs, signingSeed(seedOf(c.inputs)!));
        expect(wire).toBe(c.wire);
        if (c.wire_len !== undefined) expect(utf8(wire).length).toBe(c.wire_len);
        const blob = blobOf(type, wire);
        if (c.body_hex !== undefined) {
          expect(toHex(codec.encodeBody(c.inputs))).toBe(c.body_hex);
          expect(toHex(blob.subarray(0, blob.length - 64))).toBe(c.body_hex);
        }
        if (c.signature_hex !== undefined) {
          expect(toHex(blob.subarray(blob.length - 64))).toBe(c.signature_hex);
        }
      });
    });

    parses.forEach((c, i) => {
      it(`parses ${label(c, i)} -> ${c.expected_result}`, () => {
        expect(['accept', 'reject']).toContain(c.expected_result);
        const result = codec.parse(c.wire, c.verify);
        expect(result.ok).toBe(c.expected_result === 'accept');
        if (!result.ok) return;
        if (c.expected_fields !== undefined) {
          expect(codec.view(result.value)).toEqual(c.expected_fields);
        }
        if (c.is_expired_at_verify_now !== undefined) {
          expect(codec.isExpired?.(result.value, c.verify.now)).toBe(c.is_expired_at_verify_now);
        }
      });
    });

    encodeErrors.forEach((c, i) => {
      it(`refuses to encode ${label(c, i)}`, () => {
        // encode_inputs override the fields of the type's first full round-trip case.
        const inputs = { ...roundTrips[0].inputs, ...c.encode_inputs };
        expect(() => codec.encodeBody(inputs)).toThrow(DmpEncodeError);
        expect(() => codec.sign(inputs, signingSeed(seedOf(inputs)!))).toThrow(DmpEncodeError);
      });
    });

    const named = roundTrips.filter((c) => c.owner_name !== undefined);
    if (type === 'claim' || type === 'identity') {
      named.forEach((c, i) => {
        it(`names ${label(c, i)}`, () => {
          // The zone is whatever follows the record-specific labels.
          const labels = type === 'claim' ? 2 : 1;
          const zone = c.owner_name.split('.').slice(labels).join('.');
          const name =
            type === 'claim'
              ? claimName(fromHex(c.recipient_id_hex), c.inputs.slot, zone)
              : hashedIdentityName(c.inputs.username, zone);
          expect(name).toBe(c.owner_name);
        });
      });
    }
  });
}

describeVectors('records.json: identity_legacy_json', () => {
  const legacy = ofType('identity_legacy_json');

  it('has cases', () => expect(legacy.length).toBeGreaterThan(0));

  legacy.forEach((c, i) => {
    it(`recognises ${label(c, i)} as ${c.expected_result}`, () => {
      expect(c.expected_result).toBe('not_a_signed_record');
      expect(recordTypeOf(c.wire)).toBeUndefined();
      const signed = parseAndVerifyIdentityRecord(c.wire);
      expect(signed.ok).toBe(false);
      const recognised = parseLegacyJsonIdentity(c.wire);
      expect(recognised.ok).toBe(true);
      if (!recognised.ok) return;
      expect(c.wire).toContain(`"username":${JSON.stringify(recognised.value.username)}`);
      expect(c.wire).toContain(`"pubkey":"${toHex(recognised.value.publicKey)}"`);
      expect(c.wire).toContain(`"sig":"${toHex(recognised.value.signature)}"`);
    });
  });
});

describeVectors('records.json: chunk', () => {
  const chunks = ofType('chunk');
  const encodes = chunks.filter((c) => c.operation === 'encode');
  const parses = chunks.filter((c) => c.operation === 'parse');

  it('has encode and parse cases, and only prose otherwise', () => {
    expect(encodes.length).toBeGreaterThan(0);
    expect(parses.length).toBeGreaterThan(0);
    for (const c of chunks) expect(['encode', 'parse', 'rule']).toContain(c.operation);
  });

  encodes.forEach((c, i) => {
    it(`encodes ${label(c, i)}`, () => {
      const wire = encodeChunkRecord(fromHex(c.data_hex));
      expect(wire).toBe(c.wire);
      expect(wire.length).toBe(c.wire_len);
    });
  });

  parses.forEach((c, i) => {
    it(`parses ${label(c, i)}`, () => {
      expect(c.expected_result).toBe('parsed');
      const result = parseChunkRecord(c.wire);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value.type).toBe(c.expected_record_type);
      expect(result.value.version).toBe(BigInt(c.expected_version));
      expect(toHex(result.value.data)).toBe(c.expected_data_hex);
      // Receivers only consider values that start with 'v=dmp'.
      const gated = chunkDataOf(c.wire);
      expect(gated === undefined ? undefined : toHex(gated)).toBe(
        c.wire.startsWith('v=dmp') ? c.expected_data_hex : undefined,
      );
    });
  });
});

/** reference/*.json: each case signs from `inputs`, or re-uses a wire (`wire_from_case`). */
function referenceSuite(
  fileName: string,
  sign: (c: Case) => string,
  parse: (c: Case, wire: string) => ParseResult<unknown>,
  checkParsed: (c: Case, value: unknown) => void,
): void {
  describeVectors(`reference/${fileName}`, () => {
    const refCases: Case[] = haveVectors ? loadVectors(`reference/${fileName}`) : [];

    it('has round-trip and failure cases', () => {
      expect(refCases.some((c) => c.inputs !== undefined)).toBe(true);
      expect(refCases.some((c) => c.expected_parse_result === 'none')).toBe(true);
    });

    refCases.forEach((c, i) => {
      it(`#${i} ${c.description}`, () => {
        if (c.inputs !== undefined) expect(toHex(utf8(sign(c)))).toBe(c.expected_wire_hex);
        const wire = new TextDecoder().decode(fromHex(c.expected_wire_hex));
        const result = parse(c, wire);
        expect(result.ok).toBe(c.expected_parse_result !== 'none');
        if (result.ok) checkParsed(c, result.value);
      });
    });
  });
}

referenceSuite(
  'slot_manifest.json',
  (c) => signSlotManifest(manifestInput(c.inputs), signingSeed(c.sender_seed_hex)),
  (_c, wire) => parseAndVerifySlotManifest(wire, REFERENCE_NOW),
  (c, value) => {
    const m = value as SlotManifest;
    expect(m.totalChunks).toBe(c.expected_parse_total_chunks);
    if (c.inputs !== undefined) {
      expect(CODECS.manifest.view(m)).toEqual({
        ...c.inputs,
        chunk_hashes_hex: c.inputs.chunk_hashes_hex ?? [],
      });
    }
  },
);

referenceSuite(
  'identity_record.json',
  (c) => signIdentityRecord(identityInput(c.inputs), signingSeed(c.identity_seed_hex)),
  (_c, wire) => parseAndVerifyIdentityRecord(wire),
  (c, value) => {
    const id = value as IdentityRecord;
    expect(id.username).toBe(c.expected_parse_username);
    expect(id.versions).toEqual(c.expected_parse_versions ?? [1]);
    if (c.inputs !== undefined) {
      expect(toHex(id.ed25519Spk)).toBe(c.inputs.ed25519_spk_hex);
      expect(toHex(id.x25519Pk)).toBe(c.inputs.x25519_pk_hex);
      expect(Number(id.ts)).toBe(c.inputs.ts);
    }
  },
);

referenceSuite(
  'prekey.json',
  (c) => signPrekeyRecord(prekeyInput(c.inputs), signingSeed(c.signer_seed_hex)),
  (c, wire) =>
    parseAndVerifyPrekeyRecord(wire, REFERENCE_NOW, fromHex(c.verify_with_signer_spk_hex)),
  (c, value) => {
    const p = value as PrekeyRecord;
    expect(p.prekeyId).toBe(c.expected_parse_prekey_id);
    if (c.inputs !== undefined) {
      expect(toHex(p.publicKey)).toBe(c.inputs.public_key_hex);
      expect(Number(p.exp)).toBe(c.inputs.exp);
      expect(isPrekeyExpired(p, REFERENCE_NOW)).toBe(REFERENCE_NOW > c.inputs.exp);
    }
  },
);
