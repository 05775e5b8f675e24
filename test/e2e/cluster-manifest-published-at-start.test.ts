/**
 * Scenario: a node starts with a cluster file (node spec §5.3). A manifest
 * signed by the pinned operator key is served at cluster.<cluster name>
 * over DNS and by GET /v1/sync/cluster-manifest; a forged one under the
 * same pinned key is not published and the log says why; a garbage file is
 * logged and the node runs on.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/protocol/bytes.js';
import { manifestWire, OPERATOR_SPK, OTHER_SEED } from '../node/cluster/fixtures.js';
import { cleanup, type NodeProcess, startNode, tcpTxt, tempDir } from './harness.js';

const ZONE = 'mesh.test';
const TOKEN = 'cluster-manifest-token-0123456789';

afterAll(cleanup);

async function nodeWithFile(content: string): Promise<NodeProcess> {
  const dataDir = await tempDir('dnsmesh-cluster-file-');
  const file = join(dataDir, 'cluster-manifest.wire');
  writeFileSync(file, content);
  return startNode({
    zone: ZONE,
    dataDir,
    http: true,
    env: {
      DMP_CLUSTER_MANIFEST_PATH: file,
      DMP_SYNC_OPERATOR_SPK: toHex(OPERATOR_SPK),
      DMP_SYNC_PEER_TOKEN: TOKEN,
      DMP_LOG_FORMAT: 'json',
    },
  });
}

const manifestRoute = (node: NodeProcess) =>
  fetch(`http://127.0.0.1:${node.httpPort}/v1/sync/cluster-manifest`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(5_000),
  });

describe('cluster-manifest-published-at-start', () => {
  const now = Math.floor(Date.now() / 1000);

  it('a verifying manifest is served over DNS and by the sync route', async () => {
    const wire = manifestWire({ now, seq: 7, clusterName: ZONE });
    const node = await nodeWithFile(JSON.stringify({ wire }));
    expect((await tcpTxt(node.port, `cluster.${ZONE}`)).values).toEqual([wire]);
    const res = await manifestRoute(node);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      wire,
      seq: 7,
      exp: now + 365 * 86_400,
      cluster_name: ZONE,
    });
    expect(node.output()).toContain(`published at cluster.${ZONE} (seq 7, verified`);
    await node.stop();
  });

  it('a forged manifest under the pinned key is not published, and the log says so', async () => {
    const forged = manifestWire({ now, seq: 8, clusterName: ZONE, seed: OTHER_SEED });
    const node = await nodeWithFile(forged);
    expect((await tcpTxt(node.port, `cluster.${ZONE}`)).values).toEqual([]);
    expect((await manifestRoute(node)).status).toBe(204);
    const warn = node
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; msg: string })
      .find((l) => l.msg.includes('cluster manifest'));
    expect(warn?.level).toBe('warn');
    expect(warn?.msg).toMatch(/not published: does not verify under DMP_SYNC_OPERATOR_SPK/);
    await node.stop();
  });

  it('a garbage file is logged and the node runs on', async () => {
    const node = await nodeWithFile('this is not a manifest\n');
    expect(node.output()).toMatch(/cluster manifest .*not published: neither a manifest wire/);
    const health = await fetch(`http://127.0.0.1:${node.httpPort}/health`);
    expect(health.status).toBe(200);
    expect(node.alive()).toBe(true);
    await node.stop();
  });
});
