/**
 * Scenario: a node added by manifest alone. Three real nodes pin one
 * operator key. B starts from a cluster file with seq 1 (A and B); A
 * holds seq 2 (A, B and the new node C) but syncs with B only
 * (DMP_SYNC_PEERS; it started with seq 2, so it keeps them). B receives
 * seq 2 from A and its peers become A and C, nobody editing B's
 * configuration: a value written on C is then served by B, pulled from C
 * itself (B's pull counter for node-c: A never pulls from C), and a value
 * written on A still arrives. Every outcome is polled within a bound.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { toHex } from '../../src/protocol/bytes.js';
import { manifestWire, OPERATOR_SPK } from '../node/cluster/fixtures.js';
import {
  cleanup,
  describeWith,
  freePort,
  type KeyMaterial,
  metric,
  mintKey,
  type NodeProcess,
  nsupdate,
  startNode,
  tcpTxt,
  tempDir,
  waitFor,
} from './harness.js';

const ZONE = 'mesh.test';
const TOKEN = 'cluster-adds-node-token-0123456789';
const CONVERGE_MS = 30_000;

afterAll(cleanup);

describeWith(['nsupdate'], 'cluster-manifest-adds-a-node-peers-follow', () => {
  it('B takes seq 2 from A and pulls from the new node C', async () => {
    const now = Math.floor(Date.now() / 1000);
    const names = ['a', 'b', 'c'] as const;
    type Name = (typeof names)[number];
    const ports = {} as Record<Name, number>;
    for (const n of names) ports[n] = await freePort();
    const node = (n: Name) => ({
      nodeId: `node-${n}`,
      httpEndpoint: `http://127.0.0.1:${ports[n]}`,
      dnsEndpoint: `127.0.0.1:53`,
    });
    const seq1 = manifestWire({ now, seq: 1, clusterName: ZONE, nodes: [node('a'), node('b')] });
    const seq2 = manifestWire({ now, seq: 2, clusterName: ZONE, nodes: names.map(node) });
    const dirs = {} as Record<Name, string>;
    for (const n of names) dirs[n] = await tempDir(`dnsmesh-adds-${n}-`);
    const keys = {} as Record<'a' | 'c', KeyMaterial>;
    keys.a = await mintKey(dirs.a, ZONE, 'writer-a');
    keys.c = await mintKey(dirs.c, ZONE, 'writer-c');

    const start = (n: Name, wire: string, env: Record<string, string>): Promise<NodeProcess> => {
      const file = join(dirs[n], 'cluster-manifest.wire');
      writeFileSync(file, `${wire}\n`);
      return startNode({
        zone: ZONE,
        dataDir: dirs[n],
        http: true,
        httpPort: ports[n],
        env: {
          DMP_CLUSTER_FILE: file,
          DMP_CLUSTER_BASE_DOMAIN: ZONE,
          DMP_SYNC_OPERATOR_SPK: toHex(OPERATOR_SPK),
          DMP_NODE_ID: `node-${n}`,
          DMP_SYNC_PEER_TOKEN: TOKEN,
          DMP_SYNC_INTERVAL: '1',
          DMP_LOG_FORMAT: 'json',
          ...env,
        },
      });
    };
    const c = await start('c', seq2, {});
    const a = await start('a', seq2, { DMP_SYNC_PEERS: `http://127.0.0.1:${ports.b}` });
    const b = await start('b', seq1, {});

    expect(b.output()).toMatch(/syncing with 1 peer\(s\) from .*cluster-manifest\.wire/);
    await waitFor(
      () => b.output().includes('now syncing with 2 peer(s) from the installed manifest'),
      CONVERGE_MS,
      'B to take the peers of seq 2',
    );
    expect(b.output()).toContain(`node-c=http://127.0.0.1:${ports.c}`);

    const write = async (on: 'a' | 'c', name: string, value: string) => {
      const r = await nsupdate(
        (on === 'a' ? a : c).port,
        ZONE,
        [`update add ${name} 600 TXT "${value}"`],
        { keyFile: keys[on].file },
      );
      expect(r.failure).toBeUndefined();
    };
    const serves = async (n: NodeProcess, name: string, value: string) =>
      (await tcpTxt(n.port, name)).values.includes(value);

    await write('c', `from-c.${ZONE}`, 'only c has this');
    await waitFor(
      () => serves(b, `from-c.${ZONE}`, 'only c has this'),
      CONVERGE_MS,
      'B to serve the value written on C',
    );
    expect(await metric(b, 'dmp_sync_records_pulled_total', 'peer="node-c"')).toBeGreaterThan(0);
    expect(a.output()).not.toContain('now syncing with');

    await write('a', `from-a.${ZONE}`, 'a still counts');
    await waitFor(
      () => serves(b, `from-a.${ZONE}`, 'a still counts'),
      CONVERGE_MS,
      'B to serve the value written on A',
    );
    for (const n of [a, b, c]) await n.stop();
  }, 120_000);
});
