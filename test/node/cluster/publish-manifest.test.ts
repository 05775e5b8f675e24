/**
 * Manifest publication at start (node spec §5.3): the file's wire lands at
 * cluster.<cluster name> with TTL max(1, exp − now), above DMP_MAX_TTL;
 * under a pinned key only a verifying wire; without one a wire that
 * decodes; everything else is one warning and nothing published — never an
 * exception.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { publishClusterManifestFromFile } from '../../../src/node/cluster/publish-manifest.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { type NodeStores, openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import { makeTempDir, type TempDir } from '../store/temp-dir.js';
import { captureLog, manifestWire, OPERATOR_SPK, OTHER_SEED } from './fixtures.js';

const NOW = 1_893_456_000;
const YEAR = 365 * 86_400;

const opened: { dir: TempDir; stores: NodeStores }[] = [];
afterEach(() => {
  for (const { dir, stores } of opened.splice(0)) {
    stores.close();
    dir.remove();
  }
});

/** A store and a cluster file holding `content` (none when undefined). */
function setup(content?: string) {
  const dir = makeTempDir();
  const stores = openNodeStores(MEMORY_PATH);
  opened.push({ dir, stores });
  const path = dir.file('cluster.json');
  if (content !== undefined) writeFileSync(path, content);
  const { log, lines } = captureLog();
  const run = (operatorSpk?: Uint8Array) =>
    publishClusterManifestFromFile({ path, operatorSpk, store: stores.records, now: NOW, log });
  return { path, run, lines, store: stores.records };
}

describe('publishClusterManifestFromFile', () => {
  it('publishes a verifying raw wire at cluster.<name> for the rest of its life (over a day)', () => {
    const wire = manifestWire({ now: NOW, seq: 4, clusterName: 'Mesh.Example' });
    const { run, lines, store } = setup(`${wire}\n`);
    const out = run(OPERATOR_SPK);
    expect(out).toEqual({ status: 'published', name: 'cluster.mesh.example', ttl: YEAR, seq: 4n });
    expect(store.query('cluster.mesh.example', NOW)).toEqual([wire]);
    // Still there after DMP_MAX_TTL's default day, gone after exp.
    expect(store.query('cluster.mesh.example', NOW + 2 * 86_400)).toEqual([wire]);
    expect(store.query('cluster.mesh.example', NOW + YEAR)).toEqual([]);
    expect(lines.join('\n')).toContain('published at cluster.mesh.example (seq 4, verified');
  });

  it('takes {"wire": …} too', () => {
    const wire = manifestWire({ now: NOW, seq: 1 });
    const { run, store } = setup(JSON.stringify({ wire }));
    expect(run(OPERATOR_SPK).status).toBe('published');
    expect(store.query('cluster.mesh.example', NOW)).toEqual([wire]);
  });

  it('does not publish a forged wire under a pinned key, and says so', () => {
    const forged = manifestWire({ now: NOW, seq: 4, seed: OTHER_SEED });
    const { run, lines, store } = setup(forged);
    const out = run(OPERATOR_SPK);
    expect(out.status).toBe('refused');
    expect(store.query('cluster.mesh.example', NOW)).toEqual([]);
    const warn = lines.map((l) => JSON.parse(l)).find((l) => l.level === 'warn');
    expect(warn.msg).toMatch(/not published: does not verify under DMP_SYNC_OPERATOR_SPK/);
  });

  it('without a pinned key publishes what decodes (the operator placed the file)', () => {
    const other = manifestWire({ now: NOW, seq: 2, seed: OTHER_SEED });
    const { run, lines, store } = setup(other);
    expect(run().status).toBe('published');
    expect(store.query('cluster.mesh.example', NOW)).toEqual([other]);
    expect(lines.join('\n')).toContain('not verified: no DMP_SYNC_OPERATOR_SPK');
  });

  it('refuses an expired manifest even without a key', () => {
    const old = manifestWire({ now: NOW - YEAR, seq: 2, exp: NOW - 10 });
    const { run, store } = setup(old);
    expect(run()).toMatchObject({ status: 'refused', detail: expect.stringContaining('expired') });
    expect(store.query('cluster.mesh.example', NOW)).toEqual([]);
  });

  it('logs garbage, an undecodable wire and an unreadable file as warnings; never throws', () => {
    for (const content of ['garbage', '{broken', 'v=dmp1;t=cluster;AAAA', '{"wire": 7}']) {
      const { run, lines } = setup(content);
      expect(run()).toMatchObject({ status: 'refused' });
      expect(run(OPERATOR_SPK)).toMatchObject({ status: 'refused' });
      expect(lines.filter((l) => JSON.parse(l).level === 'warn')).toHaveLength(2);
    }
    // A directory where the file should be: unreadable (EISDIR).
    const { path, run } = setup();
    mkdirSync(path);
    expect(run()).toMatchObject({ status: 'refused', detail: expect.stringContaining('EISDIR') });
  });

  it('is silent about no file and about a peer-list file', () => {
    const { run, lines } = setup();
    expect(run()).toEqual({ status: 'absent' });
    expect(lines).toEqual([]);
    const peerList = setup('{"nodes": [{"node_id": "a", "http_endpoint": "http://a:8053"}]}');
    expect(peerList.run()).toEqual({ status: 'peer-list' });
    expect(peerList.lines).toEqual([]);
  });
});
