/**
 * Signing for the operator (dnsmesh-node cluster sign): --node specs, the
 * seq after a previous file, lifetime bounds, and a result that verifies
 * under the seed's public key for the cluster name.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_MANIFEST_DAYS,
  parseNodeSpec,
  previousSeq,
  signManifest,
} from '../../../src/node/cluster/sign-manifest.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { parseAndVerifyClusterManifest } from '../../../src/protocol/records/cluster-manifest.js';
import { manifestWire, NODES, OPERATOR_SEED, OPERATOR_SPK } from './fixtures.js';

const NOW = 1_893_456_000;

describe('parseNodeSpec', () => {
  it('reads id, http and an optional dns in any order; drops a trailing slash', () => {
    expect(parseNodeSpec('id=node-a,http=http://node-a:8053/,dns=node-a:5353')).toEqual({
      nodeId: 'node-a',
      httpEndpoint: 'http://node-a:8053',
      dnsEndpoint: 'node-a:5353',
    });
    expect(parseNodeSpec(' http=https://b.example , id=b ')).toEqual({
      nodeId: 'b',
      httpEndpoint: 'https://b.example',
      dnsEndpoint: undefined,
    });
    expect(parseNodeSpec('id=c,http=http://c:1,dns=[2001:db8::1]:53').dnsEndpoint).toBe(
      '[2001:db8::1]:53',
    );
  });

  it('refuses unknown or repeated keys, missing id or http, a non-URL, a dns without port', () => {
    for (const bad of [
      'id=a',
      'http=http://a:1',
      'id=a,http=http://a:1,port=5',
      'id=a,id=b,http=http://a:1',
      'id=a,http=a:8053',
      'id=a,http=http://a:1,dns=a',
      'id=a;http=http://a:1',
    ]) {
      expect(() => parseNodeSpec(bad), bad).toThrow(/--node/);
    }
  });
});

describe('previousSeq', () => {
  it('the seq of a raw or {"wire"} manifest; why not otherwise', () => {
    const wire = manifestWire({ now: NOW, seq: 41 });
    expect(previousSeq(`${wire}\n`)).toBe(41n);
    expect(previousSeq(JSON.stringify({ wire }))).toBe(41n);
    expect(previousSeq('{"nodes": []}')).toMatch(/no cluster manifest/);
    expect(previousSeq('v=dmp1;t=cluster;AAAA')).toMatch(/does not decode/);
  });
});

describe('signManifest', () => {
  it('signs what the parser verifies under the seed’s key for the cluster name', () => {
    const s = signManifest({
      seed: OPERATOR_SEED,
      clusterName: 'mesh.example',
      nodes: NODES,
      seq: 3n,
      days: 365,
      now: NOW,
    });
    expect(s.operatorSpkHex).toBe(toHex(OPERATOR_SPK));
    expect(s.fileText).toBe(`${s.wire}\n`);
    const v = parseAndVerifyClusterManifest(s.wire, {
      now: NOW,
      operatorSpk: OPERATOR_SPK,
      expectedClusterName: 'mesh.example',
    });
    expect(v.ok).toBe(true);
    expect(v.ok && v.value).toMatchObject({
      clusterName: 'mesh.example',
      seq: 3n,
      exp: BigInt(NOW + 365 * 86_400),
    });
    expect(v.ok && v.value.nodes.map((n) => n.nodeId)).toEqual(['node-a', 'node-b']);
  });

  it('refuses a lifetime consumers would refuse, seq 0, no nodes, a bad name', () => {
    const base = {
      seed: OPERATOR_SEED,
      clusterName: 'mesh.example',
      nodes: NODES,
      seq: 1n,
      days: 365,
      now: NOW,
    };
    expect(() => signManifest({ ...base, days: MAX_MANIFEST_DAYS + 1 })).toThrow(/--days/);
    expect(() => signManifest({ ...base, days: 0 })).toThrow(/--days/);
    expect(() => signManifest({ ...base, seq: 0n })).toThrow(/--seq/);
    expect(() => signManifest({ ...base, nodes: [] })).toThrow(/at least one node/);
    expect(() => signManifest({ ...base, clusterName: 'bad name' })).toThrow();
    expect(signManifest({ ...base, days: MAX_MANIFEST_DAYS }).manifest.seq).toBe(1n);
  });
});
