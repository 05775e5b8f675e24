/**
 * The cluster base domain (node spec §4.6, §5.6): DMP_CLUSTER_BASE_DOMAIN,
 * else the cluster file's cluster name (verified under a pinned key), else
 * with a pinned key the single cluster X whose cluster.X rows verify for X.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clusterBaseFromFile,
  clusterBaseFromRows,
  clusterBaseResolver,
} from '../../../src/node/cluster/cluster-base.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { type NodeStores, openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import { makeTempDir, type TempDir } from '../store/temp-dir.js';
import { manifestWire, OPERATOR_SPK, OTHER_SEED } from './fixtures.js';

const NOW = 1_893_456_000;

let dir: TempDir | undefined;
let stores: NodeStores | undefined;
afterEach(() => {
  stores?.close();
  dir?.remove();
  stores = undefined;
  dir = undefined;
});

function file(content: string): string {
  dir ??= makeTempDir();
  const path = dir.file(`c${Math.random()}.json`);
  writeFileSync(path, content);
  return path;
}

describe('clusterBaseFromFile', () => {
  it('the manifest name, lower-cased; verified when a key is pinned', () => {
    const good = file(manifestWire({ now: NOW, seq: 1, clusterName: 'Mesh.Example' }));
    const forged = file(manifestWire({ now: NOW, seq: 1, seed: OTHER_SEED }));
    expect(clusterBaseFromFile(good, OPERATOR_SPK, NOW)).toBe('mesh.example');
    expect(clusterBaseFromFile(forged, OPERATOR_SPK, NOW)).toBeUndefined();
    expect(clusterBaseFromFile(forged, undefined, NOW)).toBe('mesh.example');
    expect(clusterBaseFromFile(file('{"nodes": []}'), undefined, NOW)).toBeUndefined();
    expect(clusterBaseFromFile('/nonexistent/cluster.json', undefined, NOW)).toBeUndefined();
  });
});

describe('clusterBaseFromRows', () => {
  const row = (name: string, value: string) => ({ name, value });

  it('finds the one cluster whose cluster.X rows verify for X', () => {
    const rows = [
      row('cluster.mesh.example', manifestWire({ now: NOW, seq: 1 })),
      row('cluster.mesh.example', manifestWire({ now: NOW, seq: 2 })),
      // Misplaced (a manifest for another name), forged, or garbage: not candidates.
      row('cluster.stray.example', manifestWire({ now: NOW, seq: 5 })),
      row(
        'cluster.forged.example',
        manifestWire({ now: NOW, seq: 5, clusterName: 'forged.example', seed: OTHER_SEED }),
      ),
      row('cluster.junk.example', 'hello'),
    ];
    expect(clusterBaseFromRows(rows, OPERATOR_SPK, NOW)).toEqual({
      base: 'mesh.example',
      clusters: ['mesh.example'],
    });
  });

  it('gives none when two clusters verify (ambiguous) or none does', () => {
    const rows = [
      row('cluster.a.example', manifestWire({ now: NOW, seq: 1, clusterName: 'a.example' })),
      row('cluster.b.example', manifestWire({ now: NOW, seq: 1, clusterName: 'b.example' })),
    ];
    expect(clusterBaseFromRows(rows, OPERATOR_SPK, NOW)).toEqual({
      clusters: ['a.example', 'b.example'],
    });
    expect(clusterBaseFromRows([], OPERATOR_SPK, NOW)).toEqual({ clusters: [] });
  });
});

describe('clusterBaseResolver', () => {
  it('prefers DMP_CLUSTER_BASE_DOMAIN, then the file', () => {
    const path = file(manifestWire({ now: NOW, seq: 1, clusterName: 'file.example' }));
    const now = () => NOW;
    expect(clusterBaseResolver({ configured: ' Env.Example ', clusterFile: path, now })()).toBe(
      'env.example',
    );
    expect(clusterBaseResolver({ clusterFile: path, now })()).toBe('file.example');
    expect(clusterBaseResolver({ clusterFile: path, operatorSpk: OPERATOR_SPK, now })()).toBe(
      'file.example',
    );
  });

  it('falls back to the store with a pinned key only, and finds a manifest stored later', () => {
    stores = openNodeStores(MEMORY_PATH);
    const records = stores.records;
    const now = () => NOW;
    const unpinned = clusterBaseResolver({ store: records, now });
    const pinned = clusterBaseResolver({ store: records, operatorSpk: OPERATOR_SPK, now });
    expect(pinned()).toBeUndefined();
    records.publish('cluster.mesh.example', manifestWire({ now: NOW, seq: 1 }), 3600, NOW);
    expect(pinned()).toBe('mesh.example');
    expect(unpinned()).toBeUndefined();
  });
});
