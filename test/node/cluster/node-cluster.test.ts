/**
 * The cluster manifest as the node starts it: the cluster file beside the
 * database by default, an unusable DMP_SYNC_OPERATOR_SPK named and treated
 * as unset, the file's manifest published, and the cluster base for the
 * route (DMP_CLUSTER_BASE_DOMAIN first).
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterFilePath, startNodeCluster } from '../../../src/node/cluster/node-cluster.js';
import { DEFAULT_NODE_CONFIG, type NodeConfig } from '../../../src/node/config/node-config.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { type NodeStores, openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { makeTempDir, type TempDir } from '../store/temp-dir.js';
import { captureLog, manifestWire, OPERATOR_SPK, OTHER_SEED } from './fixtures.js';

const NOW = 1_893_456_000;

let dir: TempDir | undefined;
let stores: NodeStores | undefined;
afterEach(() => {
  stores?.close();
  dir?.remove();
  stores = undefined;
  dir = undefined;
});

function config(sync: Partial<NodeConfig['sync']>): NodeConfig {
  dir ??= makeTempDir();
  return {
    ...DEFAULT_NODE_CONFIG,
    dbPath: dir.file('dnsmesh.db'),
    sync: { ...DEFAULT_NODE_CONFIG.sync, ...sync },
  };
}

function start(c: NodeConfig) {
  stores = openNodeStores(MEMORY_PATH);
  const { log, lines } = captureLog();
  const cluster = startNodeCluster(c, { store: stores.records, log, now: () => NOW });
  return { cluster, lines, store: stores.records };
}

describe('startNodeCluster', () => {
  it('reads cluster.json beside the database unless DMP_CLUSTER_FILE says otherwise', () => {
    const c = config({});
    expect(clusterFilePath(c)).toBe(dir!.file('cluster.json'));
    expect(clusterFilePath(config({ clusterFile: '/etc/dmp/c.wire' }))).toBe('/etc/dmp/c.wire');
    writeFileSync(dir!.file('cluster.json'), manifestWire({ now: NOW, seq: 2 }));
    const { cluster, store } = start({
      ...c,
      sync: { ...c.sync, operatorSpk: toHex(OPERATOR_SPK) },
    });
    expect(store.query('cluster.mesh.example', NOW)).toHaveLength(1);
    expect(cluster.operatorSpk).toEqual(OPERATOR_SPK);
    expect(cluster.base()).toBe('mesh.example');
    expect(cluster.routes(() => true).map((r) => r.name)).toEqual(['sync-cluster-manifest']);
  });

  it('names an unusable operator key and goes on as if none were set', () => {
    const c = config({ operatorSpk: 'not-hex' });
    writeFileSync(dir!.file('cluster.json'), manifestWire({ now: NOW, seq: 2, seed: OTHER_SEED }));
    const { cluster, lines, store } = start(c);
    expect(cluster.operatorSpk).toBeUndefined();
    expect(lines.join('\n')).toContain('DMP_SYNC_OPERATOR_SPK is not 64 hex characters');
    // Unverified: published because it decodes.
    expect(store.query('cluster.mesh.example', NOW)).toHaveLength(1);
  });

  it('takes DMP_CLUSTER_BASE_DOMAIN over the file', () => {
    const c = config({ clusterBaseDomain: 'other.example' });
    writeFileSync(dir!.file('cluster.json'), manifestWire({ now: NOW, seq: 2 }));
    expect(start(c).cluster.base()).toBe('other.example');
  });
});
