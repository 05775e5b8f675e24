/** Whether the node runs a sync worker (node spec §5.4): peers, token, operator key, cluster file default. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNodeConfig } from '../../../src/node/config/load.js';
import { createNodeLogger } from '../../../src/node/log.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import {
  defaultClusterFile,
  parseOperatorSpk,
  startClusterSync,
} from '../../../src/node/sync/node-sync.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function run(env: Record<string, string>) {
  const stores = openNodeStores(MEMORY_PATH);
  const lines: string[] = [];
  const log = createNodeLogger({
    level: 'info',
    format: 'json',
    destination: new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  });
  const config = loadNodeConfig({ env: { DMP_DB_PATH: '/nonexistent/dnsmesh.db', ...env } });
  const worker = startClusterSync(config, { store: stores.records, registry: new Registry(), log });
  cleanups.push(async () => {
    await worker?.stop();
    stores.close();
  });
  return { worker, text: lines.join('') };
}

describe('startClusterSync', () => {
  it('runs no worker without peers', () => {
    expect(run({ DMP_SYNC_PEER_TOKEN: 't' }).worker).toBeUndefined();
  });

  it('warns and runs no worker when peers have no token', () => {
    const r = run({ DMP_SYNC_PEERS: 'http://127.0.0.1:9' });
    expect(r.worker).toBeUndefined();
    expect(r.text).toContain('but no DMP_SYNC_PEER_TOKEN; cluster sync not started');
  });

  it('starts with peers and a token; an unusable operator key is named and ignored', () => {
    const r = run({
      DMP_SYNC_PEERS: 'http://127.0.0.1:9,http://127.0.0.1:10',
      DMP_SYNC_PEER_TOKEN: 't',
      DMP_SYNC_OPERATOR_SPK: 'xyz',
    });
    expect(r.worker?.peers.map((p) => p.url)).toEqual([
      'http://127.0.0.1:9',
      'http://127.0.0.1:10',
    ]);
    expect(r.text).toContain('DMP_SYNC_OPERATOR_SPK must be 64 hex characters; ignored');
    expect(r.text).toContain('syncing with 2 peer(s) from DMP_SYNC_PEERS every 10s');
  });

  it('reads cluster.json beside the database when no file is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmesh-node-sync-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, 'dnsmesh.db');
    expect(defaultClusterFile(db)).toBe(join(dir, 'cluster.json'));
    writeFileSync(
      join(dir, 'cluster.json'),
      JSON.stringify({
        nodes: [
          { node_id: 'me', http_endpoint: 'http://127.0.0.1:9' },
          { node_id: 'other', http_endpoint: 'http://127.0.0.1:10' },
        ],
      }),
    );
    const r = run({ DMP_DB_PATH: db, DMP_NODE_ID: 'me', DMP_SYNC_PEER_TOKEN: 't' });
    expect(r.worker?.peers).toEqual([{ id: 'other', url: 'http://127.0.0.1:10' }]);
  });

  it('parses the operator key as 64 hex characters', () => {
    expect(parseOperatorSpk(undefined)).toBeUndefined();
    expect(parseOperatorSpk(` ${'AB'.repeat(32)} `)).toEqual(new Uint8Array(32).fill(0xab));
    expect(typeof parseOperatorSpk('ab')).toBe('string');
  });
});
