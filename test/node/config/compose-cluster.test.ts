/**
 * deploy/compose.cluster.yaml (node spec §5.8): three nodes on one bridge
 * network, each naming the other two as sync peers with one shared token,
 * the signed manifest mounted read-only where DMP_CLUSTER_MANIFEST_PATH
 * points, host ports on loopback only — and every variable it sets is one
 * this node reads, without errors or unread-variable notices.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configFromEnv } from '../../../src/node/config/env.js';
import { loadNodeConfig } from '../../../src/node/config/load.js';

const REPO = join(import.meta.dirname, '../../..');
const TEXT = readFileSync(join(REPO, 'deploy/compose.cluster.yaml'), 'utf8');
/** What `docker compose` would substitute for `${VAR:?…}`. */
const SET = {
  DMP_SYNC_OPERATOR_SPK: 'ab'.repeat(32),
  DMP_SYNC_PEER_TOKEN: 'sync-token-0123456789abcdef0123456789',
  DMP_OPERATOR_TOKEN: 'operator-token-0123456789abcdef012345',
};
const substituted = TEXT.replace(
  /\$\{(\w+):\?[^}]*\}/g,
  (_m, name: string) => SET[name as keyof typeof SET],
);

interface Service {
  container_name: string;
  networks: string[];
  ports: string[];
  environment: Record<string, string>;
  volumes: string[];
}
const doc = parse(substituted, { merge: true }) as { services: Record<string, Service> };
const names = ['a', 'b', 'c'] as const;

describe('compose.cluster.yaml', () => {
  it('every substituted variable is a required one this test fills', () => {
    const vars = [...TEXT.matchAll(/\$\{(\w+)/g)].map((m) => m[1]);
    expect(new Set(vars)).toEqual(new Set(Object.keys(SET)));
  });

  it('three nodes, each syncing with the other two, on the reference’s ports', () => {
    expect(Object.keys(doc.services)).toEqual(names.map((n) => `dnsmesh-node-${n}`));
    names.forEach((n, i) => {
      const s = doc.services[`dnsmesh-node-${n}`]!;
      expect(s.container_name).toBe(`dnsmesh-node-${n}`);
      expect(s.networks).toEqual(['dnsmesh-cluster']);
      expect(s.ports).toEqual([
        `127.0.0.1:530${i + 1}:5353/udp`,
        `127.0.0.1:530${i + 1}:5353/tcp`,
        `127.0.0.1:810${i + 1}:8053/tcp`,
      ]);
      const env = s.environment;
      expect(env.DMP_NODE_ID).toBe(`node-${n}`);
      expect(env.DMP_SYNC_PEERS!.split(',')).toEqual(
        names.filter((m) => m !== n).map((m) => `http://dnsmesh-node-${m}:8053`),
      );
      expect(env.DMP_SYNC_SELF_ENDPOINT).toBe(`http://dnsmesh-node-${n}:8053`);
      expect(env.DMP_SYNC_PEER_TOKEN).toBe(SET.DMP_SYNC_PEER_TOKEN);
      expect(s.volumes).toContain(
        `./cluster/cluster-manifest.wire:${env.DMP_CLUSTER_MANIFEST_PATH}:ro`,
      );
      expect(s.volumes).toContain(`dnsmesh-node-${n}-data:/var/lib/dmp`);
    });
  });

  it('each node’s environment is read cleanly and gives a valid configuration', () => {
    for (const n of names) {
      const env = doc.services[`dnsmesh-node-${n}`]!.environment;
      const read = configFromEnv(env);
      expect(read.errors).toEqual([]);
      expect(read.notices).toEqual([]);
      const config = loadNodeConfig({ env: { ...env, DMP_DB_PATH: '/var/lib/dmp/dnsmesh.db' } });
      expect(config.sync).toMatchObject({
        clusterFile: '/etc/dmp/cluster-manifest.wire',
        clusterBaseDomain: 'mesh.local',
        nodeId: `node-${n}`,
        intervalSeconds: 2,
      });
      expect(config.zone).toBe('mesh.local');
    }
  });
});
