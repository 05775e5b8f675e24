/**
 * The anti-entropy worker's after-visit hook (where manifest gossip runs,
 * node spec §5.6): called after each visit that reached the peer, with the
 * peer and the worker's abort signal; not called for a peer that failed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { type NodeStores, openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import type { SyncPeer } from '../../../src/node/sync/peers.js';
import { AntiEntropyWorker } from '../../../src/node/sync/worker.js';
import { captureLog } from '../cluster/fixtures.js';

let server: Server | undefined;
let stores: NodeStores | undefined;
afterEach(async () => {
  if (server) await new Promise((r) => server!.close(r));
  stores?.close();
  server = undefined;
  stores = undefined;
});

async function emptyPeer(status: number): Promise<string> {
  server = createServer((_req, res) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ records: [], has_more: false, next_cursor: '0::' }));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function worker(url: string, calls: SyncPeer[]) {
  stores = openNodeStores(MEMORY_PATH);
  return new AntiEntropyWorker({
    store: stores.records,
    peers: [{ id: 'peer-1', url }],
    token: 't',
    intervalMs: 60_000,
    log: captureLog().log,
    afterVisit: async (peer, signal) => {
      expect(signal).toBeInstanceOf(AbortSignal);
      calls.push(peer);
    },
  });
}

describe('afterVisit', () => {
  it('runs after each visit that reached the peer', async () => {
    const calls: SyncPeer[] = [];
    const w = worker(await emptyPeer(200), calls);
    await w.tick();
    await w.tick();
    expect(calls).toEqual([
      { id: 'peer-1', url: expect.any(String) },
      { id: 'peer-1', url: expect.any(String) },
    ]);
  });

  it('does not run for a peer whose visit failed', async () => {
    const calls: SyncPeer[] = [];
    const w = worker(await emptyPeer(500), calls);
    await w.tick();
    expect(calls).toEqual([]);
  });
});
