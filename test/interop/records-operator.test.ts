/**
 * records.json (cluster, bootstrap, rotation, revocation, heartbeat and the
 * heartbeat endpoint table) and the reference's own cluster_manifest /
 * bootstrap_record / rotation_record / revocation_record vectors against the
 * operator record codecs.
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
import { identityFromPrivateKey } from '../../src/protocol/crypto/identity.js';
import {
  parseAndVerifyBootstrapRecord,
  signBootstrapRecord,
} from '../../src/protocol/records/bootstrap-record.js';
import {
  type ClusterNodeInput,
  parseAndVerifyClusterManifest,
  signClusterManifest,
} from '../../src/protocol/records/cluster-manifest.js';
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
import {
  parseAndVerifyRevocationRecord,
  signRevocationRecord,
} from '../../src/protocol/records/revocation-record.js';
import {
  parseAndVerifyRotationRecord,
  signRotationRecord,
} from '../../src/protocol/records/rotation-record.js';
import { DmpEncodeError, type ParseResult } from '../../src/protocol/result.js';
import { describeVectors, haveVectors, loadVectors } from './vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: untyped vector JSON
type Case = any;

/** README "reference/": this "now" accepts every round-trip case of those files. */
const REFERENCE_NOW = 2_050_000_000;
const HEARTBEAT_PREFIX = 'v=dmp1;t=heartbeat;';

const file = haveVectors ? loadVectors('records.json') : { cases: [] };
const cases: Case[] = file.cases;
const ofType = (type: string): Case[] => cases.filter((c) => c.record_type === type);
const label = (c: Case, i: number): string => `#${i} ${c.description}`;
const loadReference = (name: string): Case[] =>
  haveVectors ? loadVectors(`reference/${name}.json`) : [];

/** The Ed25519 seed of a vector seed (an X25519 private key, crypto.json rule). */
const derivedSeed = (x25519Hex: string): Uint8Array =>
  identityFromPrivateKey(fromHex(x25519Hex)).ed25519Seed;
const derivedPublic = (x25519Hex: string): string =>
  toHex(identityFromPrivateKey(fromHex(x25519Hex)).ed25519Public);
const optionalKey = (hex: string | undefined): Uint8Array | undefined =>
  hex === undefined ? undefined : fromHex(hex);
const valueOfHex = (hex: string): string => tryDecodeUtf8(fromHex(hex))!;

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
  const blob = decodeBase64Strict(wire.slice(HEARTBEAT_PREFIX.length))!;
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
  return encodeOperatorWire(HEARTBEAT_PREFIX, body, signEd25519(seed, body));
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
          expect(toHex(decodeBase64Strict(wire.slice(HEARTBEAT_PREFIX.length))!.slice(-64))).toBe(
            c.signature_hex,
          );
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

/** How one reference/*.json file is signed, verified and checked. */
interface ReferenceCodec {
  readonly file: string;
  /** Signs `inputs` with the case's seeds; also checks the declared public keys. */
  sign(c: Case): string;
  /** Verifies the case's wire with its verification parameters. */
  parse(value: string, c: Case): ParseResult<Record<string, unknown>>;
  /** The `expected_parse_*` fields in the parsed record. */
  view(record: Record<string, unknown>): Record<string, unknown>;
}

const nodeInputs = (nodes: Case[]): ClusterNodeInput[] =>
  nodes.map((n) => ({
    nodeId: n.node_id,
    httpEndpoint: n.http_endpoint,
    dnsEndpoint: n.dns_endpoint,
  }));

const REFERENCE_CODECS: ReferenceCodec[] = [
  {
    file: 'cluster_manifest',
    sign: (c) => {
      expect(derivedPublic(c.operator_seed_hex)).toBe(c.inputs.operator_spk_hex);
      const { cluster_name, nodes, seq, exp } = c.inputs;
      return signClusterManifest(
        { clusterName: cluster_name, nodes: nodeInputs(nodes), seq, exp },
        derivedSeed(c.operator_seed_hex),
      );
    },
    parse: (value, c) =>
      parseAndVerifyClusterManifest(value, {
        now: c.verify_with_now ?? REFERENCE_NOW,
        operatorSpk: fromHex(c.verify_with_operator_spk_hex ?? derivedPublic(c.operator_seed_hex)),
      }) as ParseResult<Record<string, unknown>>,
    view: (m) => ({
      cluster_name: m.clusterName,
      seq: Number(m.seq),
      nodes: (m.nodes as Case[]).map((n) => ({
        node_id: n.nodeId,
        http_endpoint: n.httpEndpoint,
        dns_endpoint: n.dnsEndpoint ?? null,
      })),
      exp: Number(m.exp),
    }),
  },
  {
    file: 'bootstrap_record',
    sign: (c) => {
      expect(derivedPublic(c.signer_seed_hex)).toBe(c.inputs.signer_spk_hex);
      const { user_domain, entries, seq, exp } = c.inputs;
      return signBootstrapRecord(
        {
          userDomain: user_domain,
          seq,
          exp,
          entries: entries.map((e: Case) => ({
            priority: e.priority,
            clusterBaseDomain: e.cluster_base_domain,
            operatorSpk: fromHex(e.operator_spk_hex),
          })),
        },
        derivedSeed(c.signer_seed_hex),
      );
    },
    parse: (value, c) =>
      parseAndVerifyBootstrapRecord(value, {
        now: c.verify_with_now ?? REFERENCE_NOW,
        signerSpk: fromHex(c.verify_with_signer_spk_hex ?? derivedPublic(c.signer_seed_hex)),
      }) as ParseResult<Record<string, unknown>>,
    view: (r) => ({
      user_domain: r.userDomain,
      seq: Number(r.seq),
      entries: (r.entries as Case[]).map((e) => ({
        priority: e.priority,
        cluster_base_domain: e.clusterBaseDomain,
        operator_spk_hex: toHex(e.operatorSpk),
      })),
      exp: Number(r.exp),
    }),
  },
  {
    file: 'rotation_record',
    sign: (c) => {
      expect(derivedPublic(c.old_seed_hex)).toBe(c.inputs.old_spk_hex);
      expect(derivedPublic(c.new_seed_hex)).toBe(c.inputs.new_spk_hex);
      const { subject_type, subject, seq, ts, exp } = c.inputs;
      return signRotationRecord(
        { subjectType: subject_type, subject, seq, ts, exp },
        derivedSeed(c.old_seed_hex),
        derivedSeed(c.new_seed_hex),
      );
    },
    parse: (value, c) =>
      parseAndVerifyRotationRecord(value, {
        now: c.verify_with_now ?? REFERENCE_NOW,
        expectedOldSpk: optionalKey(c.verify_with_expected_old_spk_hex),
        expectedSubject: c.verify_with_expected_subject,
      }) as ParseResult<Record<string, unknown>>,
    view: (r) => ({
      subject_type: r.subjectType,
      subject: r.subject,
      old_spk_hex: toHex(r.oldSpk as Uint8Array),
      new_spk_hex: toHex(r.newSpk as Uint8Array),
      seq: Number(r.seq),
      ts: Number(r.ts),
      exp: Number(r.exp),
    }),
  },
  {
    file: 'revocation_record',
    sign: (c) => {
      expect(derivedPublic(c.revoked_seed_hex)).toBe(c.inputs.revoked_spk_hex);
      const { subject_type, subject, reason_code, ts } = c.inputs;
      return signRevocationRecord(
        { subjectType: subject_type, subject, reasonCode: reason_code, ts },
        derivedSeed(c.revoked_seed_hex),
      );
    },
    parse: (value, c) =>
      parseAndVerifyRevocationRecord(value, {
        now: c.verify_with_now ?? REFERENCE_NOW,
        expectedRevokedSpk: optionalKey(c.verify_with_expected_revoked_spk_hex),
        expectedSubject: c.verify_with_expected_subject,
        maxAgeSeconds: c.verify_with_max_age_seconds,
      }) as ParseResult<Record<string, unknown>>,
    view: (r) => ({
      subject_type: r.subjectType,
      subject: r.subject,
      revoked_spk_hex: toHex(r.revokedSpk as Uint8Array),
      reason_code: r.reasonCode,
      ts: Number(r.ts),
    }),
  },
];

for (const codec of REFERENCE_CODECS) {
  describeVectors(`reference/${codec.file}.json`, () => {
    const refCases = loadReference(codec.file);

    it('has round-trip and failure cases', () => {
      expect(refCases.some((c) => c.expected_parse_result === undefined)).toBe(true);
      expect(refCases.some((c) => c.expected_parse_result === 'none')).toBe(true);
    });

    refCases.forEach((c, i) => {
      const accepted = c.expected_parse_result === undefined;
      it(`${label(c, i)}: ${accepted ? 'accept' : 'reject'}`, () => {
        const value = valueOfHex(c.expected_wire_hex);
        if (c.inputs !== undefined) expect(codec.sign(c)).toBe(value);
        if (c.expected_multi_string !== undefined) {
          expect(value.length > 255).toBe(c.expected_multi_string);
        }
        const parsed = codec.parse(value, c);
        expect(parsed.ok).toBe(accepted);
        if (!parsed.ok) return;
        const view = codec.view(parsed.value);
        for (const [key, expected] of Object.entries(c)) {
          if (key.startsWith('expected_parse_')) {
            expect(view[key.slice('expected_parse_'.length)], key).toEqual(expected);
          }
        }
        if (c.inputs !== undefined) {
          // Everything signed comes back (bootstrap entries in priority order).
          for (const [key, signed] of Object.entries(c.inputs)) {
            const expected =
              key === 'entries'
                ? [...(signed as Case[])].sort((a, b) => a.priority - b.priority)
                : signed;
            if (key in view) expect(view[key], key).toEqual(expected);
          }
        }
      });
    });
  });
}
