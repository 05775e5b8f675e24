/**
 * Scenario: no DMP_SYNC_PEERS — two real nodes find each other in a
 * cluster manifest file (DMP_CLUSTER_FILE, the signed wire as the
 * reference's generator writes it, read structurally) listing both, each
 * dropping itself by DMP_NODE_ID. A record written by UPDATE on one is
 * served by the other, and back.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signClusterManifest } from '../../src/protocol/records/cluster-manifest.js';
import {
  cleanup,
  describeWith,
  freePort,
  type KeyMaterial,
  mintKey,
  type NodeProcess,
  nsupdate,
  startNode,
  tcpTxt,
  tempDir,
  waitFor,
} from './harness.js';

const ZONE = 'mesh.test';
const TOKEN = 'cluster-file-sync-token-0123456789';

describeWith(['nsupdate'], 'cluster-file-names-the-peers', () => {
  const nodes: Record<'one' | 'two', NodeProcess> = {} as never;
  const keys: Record<'one' | 'two', KeyMaterial> = {} as never;

  beforeAll(async () => {
    const ports = { one: await freePort(), two: await freePort() };
    const shared = await tempDir('dnsmesh-cluster-file-');
    const file = join(shared, 'cluster-manifest.wire');
    const wire = signClusterManifest(
      {
        clusterName: ZONE,
        seq: 1,
        exp: Math.floor(Date.now() / 1000) + 86_400,
        nodes: [
          { nodeId: 'node-one', httpEndpoint: `http://127.0.0.1:${ports.one}` },
          { nodeId: 'node-two', httpEndpoint: `http://127.0.0.1:${ports.two}` },
        ],
      },
      new Uint8Array(32).fill(11),
    );
    await writeFile(file, `${wire}\n`);
    for (const n of ['one', 'two'] as const) {
      const dataDir = await tempDir(`dnsmesh-cluster-${n}-`);
      keys[n] = await mintKey(dataDir, ZONE, `writer-${n}`);
      nodes[n] = await startNode({
        zone: ZONE,
        dataDir,
        http: true,
        httpPort: ports[n],
        env: {
          DMP_CLUSTER_FILE: file,
          DMP_NODE_ID: `node-${n}`,
          DMP_SYNC_PEER_TOKEN: TOKEN,
          DMP_SYNC_INTERVAL: '1',
        },
      });
    }
  }, 60_000);
  afterAll(cleanup);

  it('each node syncs with the other one only, in both directions', async () => {
    for (const [from, to] of [
      ['one', 'two'],
      ['two', 'one'],
    ] as const) {
      const name = `from-${from}.${ZONE}`;
      const r = await nsupdate(nodes[from].port, ZONE, [`update add ${name} 600 TXT "hi"`], {
        keyFile: keys[from].file,
      });
      expect(r.failure).toBeUndefined();
      await waitFor(
        async () => (await tcpTxt(nodes[to].port, name)).values.includes('hi'),
        30_000,
        `${to} to serve ${name}`,
      );
    }
    expect(nodes.one.output()).toMatch(/syncing with 1 peer\(s\) from .*cluster-manifest\.wire/);
    expect(nodes.one.output()).toContain('node-two=http://127.0.0.1:');
    expect(nodes.one.output()).not.toContain('node-one=http');
  }, 60_000);
});
