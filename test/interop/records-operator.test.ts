/**
 * records.json cases of the operator records (cluster, bootstrap, rotation,
 * revocation, heartbeat, and the heartbeat endpoint table) against their
 * codecs. The reference's own operator vectors are in
 * records-operator-reference.test.ts.
 */
import { expect, it } from 'vitest';
import { decodeBase64Strict } from '../../src/protocol/base64.js';
import {
  ByteReader,
  concatBytes,
  fromHex,
  toHex,
  tryDecodeUtf8,
  u16,
  u64,
  utf8,
} from '../../src/protocol/bytes.js';
import { ed25519PublicKey, signEd25519 } from '../../src/protocol/crypto/ed25519.js';
import { parseAndVerifyBootstrapRecord } from '../../src/protocol/records/bootstrap-record.js';
import { parseAndVerifyClusterManifest } from '../../src/protocol/records/cluster-manifest.js';
import { isValidHeartbeatEndpoint } from '../../src/protocol/records/heartbeat-endpoint.js';
import {
  type HeartbeatInput,
  type HeartbeatRecord,
  parseAndVerifyHeartbeat,
  signHeartbeat,
} from '../../src/protocol/records/heartbeat-record.js';
import {
  HEARTBEAT_OWNER_LABEL,
  heartbeatRrsetName,
} from '../../src/protocol/records/operator-names.js';
import { encodeOperatorWire } from '../../src/protocol/records/operator-wire.js';
import { HEARTBEAT_RECORD_PREFIX } from '../../src/protocol/records/prefixes.js';
import { parseAndVerifyRevocationRecord } from '../../src/protocol/records/revocation-record.js';
import { parseAndVerifyRotationRecord } from '../../src/protocol/records/rotation-record.js';
import { DmpEncodeError, type ParseResult } from '../../src/protocol/result.js';
import { describeVectors, haveVectors, loadVectors } from './vectors.js';

type Case = any;

const file = haveVectors ? loadVectors('records.json') : { cases: [] };
const cases: Case[] = file.cases;
const ofType = (type: string): Case[] => cases.filter((c) => c.record_type === type);
const label = (c: Case, i: number): string => `#${i} ${c.description}`;

const optionalKey = (hex: string | undefined): Uint8Array | undefined =>
  hex === undefined ? undefined : fromHex(hex);

/** Parser for a records.json case of each operator type, driven by its `verify` block. */
const PARSERS: Record<string, (wire: string, verify: Case) => ParseResult<unknown>> = {
  cluster: (wire, v) =>
    parseAndVerifyClusterManifest(wire, { now: v.now, operatorSpk: fromHex(v.operator_spk_hex) }),
  bootstrap: (wire, v) =>
    parseAndVerifyBootstrapRecord(wire, { now: v.now, signerSpk: fromHex(v.signer_spk_hex) }),
  rotation: (wire, v) =>
    parseAndVerifyRotationRecord(wire, {
      now: v.now,
      expectedOldSpk: optionalKey(v.expected_old_spk_hex),
      expectedSubject: v.expected_subject,
    }),
  revocation: (wire, v) =>
    parseAndVerifyRevocationRecord(wire, {
      now: v.now,
      expectedRevokedSpk: optionalKey(v.expected_revoked_spk_hex),
      expectedSubject: v.expected_subject,
      maxAgeSeconds: v.max_age_seconds,
    }),
  heartbeat: (wire, v) =>
    parseAndVerifyHeartbeat(wire, { now: v.now, tsSkewSeconds: v.ts_skew_seconds }),
};

/** A heartbeat in the vectors' field naming. */
function heartbeatView(record: HeartbeatRecord): Record<string, unknown> {
  return {
    capabilities: record.capabilities,
    claim_provider_zone: record.claimProviderZone,
    endpoint: record.endpoint,
    exp: Number(record.exp),
    operator_spk_hex: toHex(record.operatorSpk),
    ts: Number(record.ts),
    version: record.version,
  };
}

function heartbeatInput(inputs: Case): HeartbeatInput {
  return {
    endpoint: inputs.endpoint,
    version: inputs.version,
    capabilities: inputs.capabilities,
    claimProviderZone: inputs.claim_provider_zone,
    ts: inputs.ts,
    exp: inputs.exp,
  };
}

/**
 * Reads the fields of a DMPHB03 body without any validation, so a test can
 * hand values an encoder must refuse back to the encoder.
 */
function rawHeartbeatFields(wire: string): HeartbeatInput {
  const blob = decodeBase64Strict(wire.slice(HEARTBEAT_RECORD_PREFIX.length))!;
  const r = new ByteReader(blob.subarray(0, blob.length - 64));
  r.take(7);
  const text = (n: number) => tryDecodeUtf8(r.take(n)!)!;
  const endpoint = text(r.u16()!);
  r.take(32);
  const version = text(r.u8()!);
  const capabilities = r.u16()!;
  const claimProviderZone = text(r.u8()!);
  return { endpoint, version, capabilities, claimProviderZone, ts: r.u64()!, exp: r.u64()! };
}

/** An unvalidated DMPHB03 body with `endpoint`, signed by `seed`: what a hostile node could publish. */
function handSignedHeartbeat(endpoint: string, seed: Uint8Array, ts: number): string {
  const e = utf8(endpoint);
  const body = concatBytes(
    utf8('DMPHB03'),
    u16(e.length),
    e,
    ed25519PublicKey(seed),
    Uint8Array.of(0), // version_len
    u16(0), // capabilities
    Uint8Array.of(0), // zone_len
    u64(ts),
    u64(ts + 60),
  );
  return encodeOperatorWire(HEARTBEAT_RECORD_PREFIX, body, signEd25519(seed, body));
}

describeVectors('records.json — operator records', () => {
  const types = Object.keys(PARSERS);

  it('has cases for every operator record type', () => {
    for (const type of types) expect(ofType(type).length, type).toBeGreaterThan(0);
  });

  for (const type of types) {
    ofType(type)
      .filter((c) => c.operation === undefined)
      .forEach((c, i) => {
        it(`${type} ${label(c, i)}: ${c.expected_result}`, () => {
          expect(toHex(utf8(c.wire))).toBe(c.wire_hex);
          const parsed = PARSERS[type]!(c.wire, c.verify);
          const quirk = c.strictness === 'lenient-quirk';
          if (!quirk || c.expected_result === 'reject') {
            expect(parsed.ok).toBe(c.expected_result === 'accept');
          }
          if (parsed.ok && c.expected_fields !== undefined && type === 'heartbeat') {
            expect(heartbeatView(parsed.value as HeartbeatRecord)).toEqual(c.expected_fields);
          }
          if (c.body_hex !== undefined) {
            const blob = decodeBase64Strict(c.wire.slice(c.wire.lastIndexOf(';') + 1));
            expect(toHex(blob!).startsWith(c.body_hex)).toBe(true);
          }
        });
      });
  }

  const seedsBySpk = new Map<string, string>();
  for (const c of ofType('heartbeat')) {
    const seedHex = c.inputs?.operator_ed25519_seed_hex;
    if (seedHex !== undefined) seedsBySpk.set(c.inputs.operator_spk_hex, seedHex);
  }

  ofType('heartbeat')
    .filter((c) => c.inputs?.endpoint !== undefined)
    .forEach((c, i) => {
      it(`heartbeat sign ${label(c, i)} reproduces the wire`, () => {
        const seedHex =
          c.inputs.operator_ed25519_seed_hex ?? seedsBySpk.get(c.inputs.operator_spk_hex);
        expect(seedHex, 'a seed for this operator key').toBeDefined();
        const wire = signHeartbeat(
          { ...heartbeatInput(c.inputs), operatorSpk: fromHex(c.inputs.operator_spk_hex) },
          fromHex(seedHex),
        );
        expect(wire).toBe(c.wire);
        if (c.signature_hex !== undefined) {
          expect(
            toHex(decodeBase64Strict(wire.slice(HEARTBEAT_RECORD_PREFIX.length))!.slice(-64)),
          ).toBe(c.signature_hex);
        }
        if (c.owner_name?.startsWith(`${HEARTBEAT_OWNER_LABEL}.`)) {
          expect(heartbeatRrsetName(c.inputs.claim_provider_zone)).toBe(c.owner_name);
        }
      });
    });

  ofType('heartbeat')
    .filter((c) => c.encode_error !== undefined)
    .forEach((c, i) => {
      it(`heartbeat encoder refuses ${label(c, i)}`, () => {
        const fields = rawHeartbeatFields(c.wire);
        expect(() => signHeartbeat(fields, new Uint8Array(32).fill(7))).toThrow(DmpEncodeError);
      });
    });

  const tables = ofType('heartbeat').filter((c) => c.operation === 'validate_endpoint');
  it('has the validate_endpoint table', () => {
    expect(tables.length).toBe(1);
    expect(tables[0].table.length).toBeGreaterThan(0);
  });
  const seed = new Uint8Array(32).fill(9);
  for (const table of tables) {
    table.table.forEach((row: Case, i: number) => {
      it(`validate_endpoint #${i} ${JSON.stringify(row.endpoint)} → ${row.expected_valid}`, () => {
        expect(isValidHeartbeatEndpoint(row.endpoint)).toBe(row.expected_valid);
        const ts = 1_900_000_000;
        const fields = { version: '', capabilities: 0, claimProviderZone: '', ts, exp: ts + 60 };
        const sign = () => signHeartbeat({ ...fields, endpoint: row.endpoint }, seed);
        if (row.expected_valid) expect(sign).not.toThrow();
        else expect(sign).toThrow(DmpEncodeError);
        // The parser applies the same rule to a correctly signed hostile value.
        const hostile = handSignedHeartbeat(row.endpoint, seed, ts);
        expect(parseAndVerifyHeartbeat(hostile, { now: ts }).ok).toBe(row.expected_valid);
      });
    });
  }
});
