/**
 * The reference's own operator vectors (reference/cluster_manifest.json,
 * bootstrap_record.json, rotation_record.json, revocation_record.json):
 * signing reproduces `expected_wire_hex` byte for byte and verification
 * accepts exactly the round-trip cases.
 */
import { expect, it } from 'vitest';
import { fromHex, toHex, tryDecodeUtf8 } from '../../src/protocol/bytes.js';
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
import {
  parseAndVerifyRevocationRecord,
  signRevocationRecord,
} from '../../src/protocol/records/revocation-record.js';
import {
  parseAndVerifyRotationRecord,
  signRotationRecord,
} from '../../src/protocol/records/rotation-record.js';
import type { ParseResult } from '../../src/protocol/result.js';
import { describeVectors, haveVectors, loadVectors } from './vectors.js';

type Case = any;

/** README "reference/": this "now" accepts every round-trip case of those files. */
const REFERENCE_NOW = 2_050_000_000;

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
