/** Peer list of the anti-entropy worker (node spec §5.4): URLs, cluster file shapes, self filtering, ids. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../src/node/config/env.js';
import { loadNodeConfig } from '../../../src/node/config/load.js';
import {
  loadPeers,
  peerIdFromUrl,
  peersFromClusterText,
  peersFromUrls,
} from '../../../src/node/sync/peers.js';
import { signClusterManifest } from '../../../src/protocol/records/cluster-manifest.js';

const refId = (host: string, key: string) =>
  `${host.slice(0, 9)}-${createHash('sha256').update(key).digest('hex').slice(0, 6)}`;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('peer ids', () => {
  it('are the reference ids: host (≤ 9 chars) and 6 hex of sha256(host:port path)', () => {
    expect(peerIdFromUrl('http://dnsmesh-node-b:8053')).toBe(
      refId('dnsmesh-node-b', 'dnsmesh-node-b:8053'),
    );
    expect(peerIdFromUrl('https://Node.Example:443/base')).toBe(
      refId('node.example', 'node.example:443/base'),
    );
    expect(peerIdFromUrl('http://[::1]:8053')).toBe(refId('::1', '::1:8053'));
    expect(peerIdFromUrl('http://h')).toBe(refId('h', 'h:'));
    expect(peerIdFromUrl('http://h').length).toBeLessThanOrEqual(16);
  });
});

describe('DMP_SYNC_PEERS', () => {
  it('strips trailing slashes, drops empties, duplicates and this node', () => {
    const peers = peersFromUrls(['http://a:1/', '', 'http://a:1', 'HTTP://SELF:2', 'http://b:3'], {
      selfEndpoint: 'http://self:2/',
    });
    expect(peers.map((p) => p.url)).toEqual(['http://a:1', 'http://b:3']);
    const byId = peersFromUrls(['http://a:1', 'http://b:3'], {
      nodeId: peerIdFromUrl('http://b:3'),
    });
    expect(byId.map((p) => p.url)).toEqual(['http://a:1']);
  });

  it('are read from the environment with the reference names and defaults', () => {
    const { config, notices, errors } = configFromEnv({
      DMP_SYNC_PEERS: 'http://a:1, http://b:2',
      DMP_SYNC_PEER_TOKEN: 'tok',
      DMP_SYNC_INTERVAL_SECONDS: '2',
      DMP_CLUSTER_MANIFEST_PATH: '/etc/dmp/c.wire',
      DMP_NODE_ID: 'node-a',
      DMP_SYNC_SELF_ENDPOINT: 'http://a:1',
      DMP_SYNC_OPERATOR_SPK: 'ab'.repeat(32),
    });
    expect(errors).toEqual([]);
    expect(notices).toEqual([]);
    expect(config.sync).toEqual({
      peers: ['http://a:1', 'http://b:2'],
      peerToken: 'tok',
      intervalSeconds: 2,
      clusterFile: '/etc/dmp/c.wire',
      nodeId: 'node-a',
      selfEndpoint: 'http://a:1',
      operatorSpk: 'ab'.repeat(32),
    });
    const both = configFromEnv({ DMP_SYNC_INTERVAL: '3', DMP_SYNC_INTERVAL_SECONDS: '2' });
    expect(both.config.sync?.intervalSeconds).toBe(3);
    expect(both.notices).toEqual([
      'DMP_SYNC_INTERVAL_SECONDS ignored for the sync interval: DMP_SYNC_INTERVAL is set and wins',
    ]);
  });

  it('default to no peers, 10 s, their own HTTP bucket, and refuse an interval ≤ 0', () => {
    expect(loadNodeConfig({ env: {} }).sync).toEqual({
      peers: [],
      intervalSeconds: 10,
      httpRatePerSecond: 200,
      httpBurst: 1000,
    });
    expect(() => loadNodeConfig({ env: { DMP_SYNC_INTERVAL: '0' } })).toThrow(/DMP_SYNC_INTERVAL/);
  });
});

describe('cluster file', () => {
  const seed = new Uint8Array(32).fill(7);
  const wire = signClusterManifest(
    {
      clusterName: 'mesh.test',
      seq: 1,
      exp: 2_000_000_000,
      nodes: [
        { nodeId: 'node-a', httpEndpoint: 'http://a:8053/' },
        { nodeId: 'node-b', httpEndpoint: 'http://b:8053' },
        { nodeId: 'node-c', httpEndpoint: 'http://c:8053' },
      ],
    },
    seed,
  );

  it('reads a raw wire, {"wire"} and {"nodes"}, dropping this node', () => {
    const self = { nodeId: 'node-a' };
    const expected = [
      { id: 'node-b', url: 'http://b:8053' },
      { id: 'node-c', url: 'http://c:8053' },
    ];
    expect(peersFromClusterText(`${wire}\n`, self).peers).toEqual(expected);
    expect(peersFromClusterText(JSON.stringify({ wire }), self).peers).toEqual(expected);
    const nodes = {
      nodes: [
        { node_id: 'node-a', http_endpoint: 'http://a:8053' },
        { node_id: 'node-b', http_endpoint: 'http://b:8053' },
        { node_id: 7, http_endpoint: 'http://x' },
        'junk',
        { node_id: 'node-c', http_endpoint: 'http://c:8053' },
      ],
    };
    expect(peersFromClusterText(JSON.stringify(nodes), self).peers).toEqual(expected);
    expect(
      peersFromClusterText(wire, { selfEndpoint: 'http://B:8053/' }).peers.map((p) => p.id),
    ).toEqual(['node-a', 'node-c']);
  });

  it('says why a file gives no peers', () => {
    expect(peersFromClusterText('not json').problem).toMatch(/neither/);
    expect(peersFromClusterText('{"x": 1}').problem).toMatch(/no "wire" or "nodes"/);
    expect(peersFromClusterText(`${wire.slice(0, -8)}!!!!!!!!`).problem).toMatch(/base64/);
    expect(peersFromClusterText('').peers).toEqual([]);
  });

  it('is read only when DMP_SYNC_PEERS names none; a missing file is no problem', () => {
    dir = mkdtempSync(join(tmpdir(), 'dnsmesh-peers-'));
    const file = join(dir, 'cluster.json');
    expect(loadPeers({ peers: [], clusterFile: file })).toEqual({ peers: [], source: file });
    writeFileSync(file, wire);
    expect(loadPeers({ peers: [], clusterFile: file, nodeId: 'node-b' }).peers).toHaveLength(2);
    expect(loadPeers({ peers: ['http://z:1'], clusterFile: file }).peers).toEqual([
      { id: peerIdFromUrl('http://z:1'), url: 'http://z:1' },
    ]);
  });
});
