/**
 * Scenario: deploy/compose.cluster.yaml without Docker. Each service's
 * environment, as written, runs a real node on loopback (container names
 * in the URLs replaced by 127.0.0.1 ports, the manifest path by a file of
 * ours); the manifest signed as docs/cluster.md signs it is served by all
 * three at cluster.mesh.local and from /v1/sync/cluster-manifest, and a
 * record written to node a with the operator token is served by node c.
 * No warning but "peer not up yet" is logged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { signManifest } from '../../src/node/cluster/sign-manifest.js';
import { OPERATOR_SEED } from '../node/cluster/fixtures.js';
import {
  cleanup,
  freePort,
  type NodeProcess,
  REPO,
  startNode,
  tcpTxt,
  tempDir,
  waitFor,
} from './harness.js';

const names = ['a', 'b', 'c'] as const;
type Name = (typeof names)[number];
const TOKENS = {
  DMP_SYNC_PEER_TOKEN: 'compose-sync-token-0123456789abcdef',
  DMP_OPERATOR_TOKEN: 'compose-operator-token-0123456789abcdef',
};

afterAll(cleanup);

describe('compose-cluster-runs-on-loopback', () => {
  it('three nodes from the compose environment: manifest everywhere, a write spreads', async () => {
    const signed = signManifest({
      seed: OPERATOR_SEED,
      clusterName: 'mesh.local',
      nodes: names.map((n) => ({
        nodeId: `node-${n}`,
        httpEndpoint: `http://dnsmesh-node-${n}:8053`,
        dnsEndpoint: `dnsmesh-node-${n}:5353`,
      })),
      seq: 1n,
      days: 365,
      now: Math.floor(Date.now() / 1000),
    });
    const dir = await tempDir('dnsmesh-compose-');
    const manifest = join(dir, 'cluster-manifest.wire');
    writeFileSync(manifest, signed.fileText);
    const set: Record<string, string> = { ...TOKENS, DMP_SYNC_OPERATOR_SPK: signed.operatorSpkHex };
    const text = readFileSync(join(REPO, 'deploy/compose.cluster.yaml'), 'utf8').replace(
      /\$\{(\w+):\?[^}]*\}/g,
      (_m, v: string) => set[v]!,
    );
    const services = (
      parse(text, { merge: true }) as {
        services: Record<string, { environment: Record<string, string> }>;
      }
    ).services;
    const ports = {} as Record<Name, number>;
    for (const n of names) ports[n] = await freePort();
    const local = (v: string) =>
      v
        .replace(
          /http:\/\/dnsmesh-node-([abc]):8053/g,
          (_m, n: Name) => `http://127.0.0.1:${ports[n]}`,
        )
        .replace('/etc/dmp/cluster-manifest.wire', manifest);
    const nodes = {} as Record<Name, NodeProcess>;
    for (const n of names) {
      const env = Object.fromEntries(
        Object.entries(services[`dnsmesh-node-${n}`]!.environment).map(([k, v]) => [k, local(v)]),
      );
      nodes[n] = await startNode({
        zone: env.DMP_CLUSTER_BASE_DOMAIN,
        dataDir: await tempDir(`dnsmesh-compose-${n}-`),
        http: true,
        httpPort: ports[n],
        env,
      });
    }
    for (const n of names) {
      expect((await tcpTxt(nodes[n].port, 'cluster.mesh.local')).values).toEqual([signed.wire]);
      expect(nodes[n].output()).toContain('published at cluster.mesh.local (seq 1, verified');
      // Nothing in the environment is unknown or unusable: the only warnings
      // are peers not up yet when this node started.
      const warnings = nodes[n]
        .output()
        .split('\n')
        .filter((l) => l.includes('"level":"warn"'))
        .filter((l) => !l.includes('anti-entropy: peer call failed'));
      expect(warnings).toEqual([]);
    }
    const route = await fetch(`http://127.0.0.1:${ports.c}/v1/sync/cluster-manifest`, {
      headers: { Authorization: `Bearer ${TOKENS.DMP_SYNC_PEER_TOKEN}` },
    });
    expect(await route.json()).toMatchObject({ seq: 1, cluster_name: 'mesh.local' });

    const write = await fetch(`http://127.0.0.1:${ports.a}/v1/records/hello.mesh.local`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${TOKENS.DMP_OPERATOR_TOKEN}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ value: 'hello from a', ttl: 3600 }),
    });
    expect(write.status).toBe(201);
    await waitFor(
      async () => (await tcpTxt(nodes.c.port, 'hello.mesh.local')).values.includes('hello from a'),
      20_000,
      'node c to serve the record written to node a',
    );
    for (const n of names) await nodes[n].stop();
  });
});
