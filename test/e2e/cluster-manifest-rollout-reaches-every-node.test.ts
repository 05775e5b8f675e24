/**
 * Scenario: a rollout. Two nodes of one cluster pin the operator key; A is
 * given a new manifest (seq 2) while B still has seq 1 in its cluster file.
 * Within a few ticks B holds and serves seq 2 — over DNS at
 * cluster.<zone> and from /v1/sync/cluster-manifest — and neither node
 * ever serves a manifest the key did not sign.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/protocol/bytes.js';
import { manifestWire, OPERATOR_SPK } from '../node/cluster/fixtures.js';
import {
  cleanup,
  freePort,
  type NodeProcess,
  startNode,
  tcpTxt,
  tempDir,
  waitFor,
} from './harness.js';

const ZONE = 'mesh.test';
const TOKEN = 'cluster-rollout-token-0123456789';

afterAll(cleanup);

describe('cluster-manifest-rollout-reaches-every-node', () => {
  it('seq 2 placed on A is served by B', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ports = { a: await freePort(), b: await freePort() };
    const wires = {
      a: manifestWire({ now, seq: 2, clusterName: ZONE }),
      b: manifestWire({ now, seq: 1, clusterName: ZONE }),
    };
    const start = async (n: 'a' | 'b'): Promise<NodeProcess> => {
      const dataDir = await tempDir(`dnsmesh-rollout-${n}-`);
      const file = join(dataDir, 'cluster-manifest.wire');
      writeFileSync(file, `${wires[n]}\n`);
      const other = n === 'a' ? 'b' : 'a';
      return startNode({
        zone: ZONE,
        dataDir,
        http: true,
        httpPort: ports[n],
        env: {
          DMP_CLUSTER_FILE: file,
          DMP_CLUSTER_BASE_DOMAIN: ZONE,
          DMP_SYNC_OPERATOR_SPK: toHex(OPERATOR_SPK),
          DMP_SYNC_PEERS: `http://127.0.0.1:${ports[other]}`,
          DMP_SYNC_PEER_TOKEN: TOKEN,
          DMP_SYNC_INTERVAL: '1',
          DMP_LOG_FORMAT: 'json',
        },
      });
    };
    const a = await start('a');
    const b = await start('b');
    const served = async (node: NodeProcess) => {
      const res = await fetch(`http://127.0.0.1:${node.httpPort}/v1/sync/cluster-manifest`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      return res.status === 200 ? ((await res.json()) as { seq: number; wire: string }) : undefined;
    };
    await waitFor(async () => (await served(b))?.seq === 2, 20_000, 'B to serve seq 2');
    expect((await served(b))?.wire).toBe(wires.a);
    expect((await tcpTxt(b.port, `cluster.${ZONE}`)).values).toContain(wires.a);
    // A keeps seq 2; nothing else ever appears at cluster.<zone> on either node.
    expect((await served(a))?.seq).toBe(2);
    for (const node of [a, b]) {
      for (const v of (await tcpTxt(node.port, `cluster.${ZONE}`)).values) {
        expect([wires.a, wires.b]).toContain(v);
      }
    }
    expect(b.output()).not.toMatch(/manifest gossip: off/);
    await a.stop();
    await b.stop();
  });
});
