import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../../src/protocol/base64.js';
import { concatBytes, u16, u64, utf8 } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey, signEd25519 } from '../../../src/protocol/crypto/ed25519.js';
import {
  type ClusterManifestInput,
  type ClusterNodeInput,
  decodeClusterManifestBody,
  encodeClusterManifestBody,
  parseAndVerifyClusterManifest,
  selectClusterManifest,
  signClusterManifest,
} from '../../../src/protocol/records/cluster-manifest.js';
import { stripTrailingDot } from '../../../src/protocol/records/dns-name.js';
import { CLUSTER_RECORD_PREFIX } from '../../../src/protocol/records/prefixes.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';
import { dnsNameArb, signerArb, signRawBody } from './operator-arbitraries.js';
import { describeOperatorRecordContract, FIVE_YEARS, NOW } from './operator-record-contract.js';

const seed = new Uint8Array(32).fill(1);
const spk = ed25519PublicKey(seed);
const node: ClusterNodeInput = { nodeId: 'n1', httpEndpoint: 'https://n1.example.com:8053' };
const base: ClusterManifestInput = {
  clusterName: 'mesh.example.com',
  nodes: [node],
  seq: 1,
  exp: NOW + 86_400,
};
const verify = { now: NOW, operatorSpk: spk };

/** Body bytes with no encoder checks, for values only a hostile publisher would sign. */
function rawBody(name: string, nodes: Uint8Array[], operatorSpk = spk, exp = NOW + 60): Uint8Array {
  const n = utf8(name);
  return concatBytes(
    utf8('DMPCL01'),
    u64(1),
    u64(exp),
    operatorSpk,
    Uint8Array.of(n.length),
    n,
    Uint8Array.of(nodes.length),
    ...nodes,
  );
}
const rawNode = (id: string, http = 'https://x', dns = ''): Uint8Array =>
  concatBytes(
    Uint8Array.of(utf8(id).length),
    utf8(id),
    u16(utf8(http).length),
    utf8(http),
    u16(utf8(dns).length),
    utf8(dns),
  );
const hostile = (body: Uint8Array) => signRawBody(CLUSTER_RECORD_PREFIX, body, seed);

/** Non-empty well-formed text of at most `maxBytes` UTF-8 bytes. */
const utf8Arb = (maxBytes: number) =>
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
    .filter((text) => utf8(text).length <= maxBytes);

const nodeArb: fc.Arbitrary<ClusterNodeInput> = fc.record({
  nodeId: fc.stringMatching(/^[\x21-\x7e]{1,16}$/),
  httpEndpoint: utf8Arb(128),
  dnsEndpoint: fc.option(utf8Arb(64), { nil: undefined }),
});

describeOperatorRecordContract('cluster manifest', {
  prefix: CLUSTER_RECORD_PREFIX,
  magic: 'DMPCL01',
  seed,
  base,
  name: base.clusterName,
  sign: signClusterManifest,
  parse: (value, { now, signerSpk, expectedName }) =>
    parseAndVerifyClusterManifest(value, {
      now,
      operatorSpk: signerSpk,
      expectedClusterName: expectedName,
    }),
  decodeBody: decodeClusterManifestBody,
  bodyNaming: (operatorSpk) => rawBody('mesh.test', [rawNode('a')], operatorSpk),
});

describe('cluster manifest', () => {
  it('round-trips random valid manifests', () => {
    fc.assert(
      fc.property(
        signerArb,
        dnsNameArb,
        fc.uniqueArray(nodeArb, { minLength: 1, maxLength: 5, selector: (n) => n.nodeId }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: 0, max: FIVE_YEARS }),
        (signer, clusterName, nodes, seq, ahead) => {
          const input = { clusterName, nodes, seq, exp: NOW + ahead };
          const value = signClusterManifest(input, signer.seed);
          const parsed = parseAndVerifyClusterManifest(value, {
            now: NOW,
            operatorSpk: signer.publicKey,
            expectedClusterName: clusterName.toUpperCase(),
          });
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          expect(parsed.value).toEqual({
            clusterName: stripTrailingDot(clusterName),
            operatorSpk: signer.publicKey,
            nodes: nodes.map((n) =>
              n.dnsEndpoint === undefined ? { nodeId: n.nodeId, httpEndpoint: n.httpEndpoint } : n,
            ),
            seq,
            exp: BigInt(NOW + ahead),
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('parses 0 nodes but never signs them', () => {
    const parsed = parseAndVerifyClusterManifest(hostile(rawBody('mesh.test', [])), verify);
    expect(parsed.ok && parsed.value.nodes).toEqual([]);
    expect(() => signClusterManifest({ ...base, nodes: [] }, seed)).toThrow(DmpEncodeError);
  });

  it('enforces the field rules on both sides', () => {
    const parses = (body: Uint8Array) => parseAndVerifyClusterManifest(hostile(body), verify).ok;
    expect(parses(rawBody('mesh.test', [rawNode('a'), rawNode('a')]))).toBe(false);
    expect(() => signClusterManifest({ ...base, nodes: [node, node] }, seed)).toThrow(
      DmpEncodeError,
    );
    expect(parses(concatBytes(rawBody('mesh.test', [rawNode('a')]), Uint8Array.of(0)))).toBe(false);
    expect(parses(rawBody(`${'a'.repeat(63)}.b`, [rawNode('a')]))).toBe(false); // 65 bytes
    expect(parses(rawBody(`${'a'.repeat(62)}.b.`, [rawNode('a')]))).toBe(true); // 64 + FQDN dot
    expect(parses(rawBody('bad_name.test', [rawNode('a')]))).toBe(false);
    expect(parses(rawBody('mesh.test', [rawNode('x'.repeat(17))]))).toBe(false);
    expect(parses(rawBody('mesh.test', [rawNode('\u00e9')]))).toBe(false);
    expect(parses(rawBody('mesh.test', [rawNode('a', '')]))).toBe(false);
    expect(parses(rawBody('mesh.test', [rawNode('a', 'h'.repeat(129))]))).toBe(false);
    expect(parses(rawBody('mesh.test', [rawNode('a', 'h', 'd'.repeat(65))]))).toBe(false);
    expect(
      parses(
        rawBody(
          'mesh.test',
          Array.from({ length: 33 }, (_, i) => rawNode(`${i}`)),
        ),
      ),
    ).toBe(false);
    const refused: Partial<ClusterManifestInput>[] = [
      { clusterName: 'bad_name.test' },
      { clusterName: 'mesh.test..' },
      { clusterName: `${'a'.repeat(63)}.b` },
      { nodes: [{ ...node, nodeId: '' }] },
      { nodes: [{ ...node, nodeId: 'x'.repeat(17) }] },
      { nodes: [{ ...node, httpEndpoint: 'h'.repeat(129) }] },
      { nodes: [{ ...node, dnsEndpoint: '' }] },
      { nodes: [{ ...node, dnsEndpoint: 'd'.repeat(65) }] },
      { nodes: Array.from({ length: 33 }, (_, i) => ({ ...node, nodeId: `${i}` })) },
      { seq: -1 },
      { exp: 2 ** 64 },
      { operatorSpk: ed25519PublicKey(new Uint8Array(32).fill(2)) },
    ];
    for (const change of refused) {
      expect(
        () => signClusterManifest({ ...base, ...change }, seed),
        JSON.stringify(change),
      ).toThrow(DmpEncodeError);
    }
  });

  it('caps the whole value at 1200 bytes on both sides', () => {
    const nodes = Array.from({ length: 12 }, (_, i) => ({
      nodeId: `node-${i}`,
      httpEndpoint: `https://${'n'.repeat(40)}${i}.example.com:8053`,
    }));
    expect(() => signClusterManifest({ ...base, nodes }, seed)).toThrow(DmpEncodeError);
    const body = encodeClusterManifestBody({ ...base, nodes }, spk);
    const value = CLUSTER_RECORD_PREFIX + encodeBase64(concatBytes(body, signEd25519(seed, body)));
    expect(value.length).toBeGreaterThan(1200);
    expect(parseAndVerifyClusterManifest(value, verify)).toMatchObject({ code: 'too-long' });
  });

  it('selects the highest verifying seq, earliest on a tie', () => {
    const v = (seq: number, nodeId: string) =>
      signClusterManifest({ ...base, seq, nodes: [{ ...node, nodeId }] }, seed);
    const forged = v(99, 'forged').replace(/.{4}$/, 'AAAA');
    const picked = selectClusterManifest([v(3, 'a'), forged, v(7, 'b'), v(7, 'c'), 'junk'], verify);
    expect(picked?.seq).toBe(7n);
    expect(picked?.nodes[0]?.nodeId).toBe('b');
    expect(selectClusterManifest([forged], verify)).toBeUndefined();
  });
});
