/**
 * Scenario: the operator makes a key and signs a manifest with
 * `dnsmesh-node cluster keygen|sign`; the file verifies under the printed
 * key for the cluster name, signing again raises the seq, a lower --seq and
 * a world-readable key are refused (exit 2), and a node given the file and
 * the printed key (DMP_SYNC_OPERATOR_SPK) serves it from
 * /v1/sync/cluster-manifest.
 */
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wireFromClusterText } from '../../src/node/cluster/manifest-source.js';
import { fromHex } from '../../src/protocol/bytes.js';
import { parseAndVerifyClusterManifest } from '../../src/protocol/records/cluster-manifest.js';
import { cleanup, nodeCli, startNode, tempDir } from './harness.js';

afterAll(cleanup);

const TOKEN = 'cluster-sign-token-0123456789';
const spkOf = (stdout: string) => /DMP_SYNC_OPERATOR_SPK\): ([0-9a-f]{64})/.exec(stdout)?.[1];

describe('cluster-sign-then-node-serves', () => {
  it('keygen, sign, re-sign, refusals, and a node serving the result', async () => {
    const dir = await tempDir('dnsmesh-cluster-sign-');
    const key = join(dir, 'operator.key');
    const out = join(dir, 'cluster-manifest.wire');

    const gen = await nodeCli(['cluster', 'keygen', '--out', key]);
    expect(gen.code).toBe(0);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const spkHex = spkOf(gen.stdout)!;
    expect(spkHex).toBeDefined();
    expect((await nodeCli(['cluster', 'keygen', '--out', key])).code).toBe(1);

    const nodes = [
      '--node',
      'id=node-a,http=http://node-a:8053,dns=node-a:5353',
      '--node',
      'id=node-b,http=http://node-b:8053,dns=node-b:5353',
    ];
    const sign = (extra: string[] = []) =>
      nodeCli(['cluster', 'sign', '--key', key, '--name', 'mesh.test', ...nodes, ...extra]);

    const first = await sign(['--out', out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('cluster manifest mesh.test seq 1, 2 node(s)');
    expect(spkOf(first.stdout)).toBe(spkHex);
    const verify = () => {
      const file = wireFromClusterText(readFileSync(out, 'utf8'));
      if (file.kind !== 'wire') throw new Error('no wire in the file');
      return parseAndVerifyClusterManifest(file.wire, {
        now: Math.floor(Date.now() / 1000),
        operatorSpk: fromHex(spkHex),
        expectedClusterName: 'mesh.test',
      });
    };
    const v1 = verify();
    expect(v1.ok && v1.value.seq).toBe(1n);

    expect((await sign(['--out', out])).code).toBe(0);
    const v2 = verify();
    expect(v2.ok && v2.value.seq).toBe(2n);

    const lower = await sign(['--out', out, '--seq', '2']);
    expect(lower.code).toBe(2);
    expect(lower.stderr).toMatch(/--seq 2 is not above the previous manifest's 2/);

    // To stdout: the wire alone; the summary and key on stderr.
    const toStdout = await sign(['--previous', out]);
    expect(toStdout.code).toBe(0);
    expect(toStdout.stdout).toMatch(/^v=dmp1;t=cluster;\S+\n$/);
    expect(toStdout.stderr).toContain('seq 3');

    chmodSync(key, 0o644);
    const open = await sign();
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/readable by others/);
    chmodSync(key, 0o600);

    const node = await startNode({
      zone: 'mesh.test',
      http: true,
      env: {
        DMP_CLUSTER_FILE: out,
        DMP_SYNC_OPERATOR_SPK: spkHex,
        DMP_SYNC_PEER_TOKEN: TOKEN,
      },
    });
    const res = await fetch(`http://127.0.0.1:${node.httpPort}/v1/sync/cluster-manifest`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { seq: number; cluster_name: string; wire: string };
    expect(body).toMatchObject({ seq: 2, cluster_name: 'mesh.test' });
    expect(`${body.wire}\n`).toBe(readFileSync(out, 'utf8'));
    await node.stop();
  });
});
