/**
 * Manifest gossip (node spec §5.6) against loopback peers: only a wire that
 * verifies under the pinned key for the base and beats both the installed
 * and the stored seq is installed (at cluster.<name>, TTL to its exp), the
 * caller is told so it can replace its peers; 204, errors, forgeries,
 * other clusters and the peer's unsigned fields change nothing.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterManifestRoutes } from '../../../src/node/http/routes/cluster-manifest.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { type NodeStores, openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import {
  type GossipState,
  gossipManifest,
  type ManifestGossipDeps,
  manifestGossipHook,
  newGossipState,
  peersFromManifest,
} from '../../../src/node/sync/manifest-gossip.js';
import type { ClusterManifest } from '../../../src/protocol/records/cluster-manifest.js';
import { captureLog, manifestWire, OPERATOR_SPK, OTHER_SEED } from '../cluster/fixtures.js';
import { type ApiHarness, startApi, T0 } from '../http/harness.js';

const TOKEN = 'gossip-token-0123456789';
const BASE = 'mesh.example';
const OWNER = `cluster.${BASE}`;

interface FakePeer {
  url: string;
  requests: { url: string; authorization: string | undefined }[];
  answer: (req: IncomingMessage) => { status: number; body?: string };
  server: Server;
}

const servers: Server[] = [];
const storesOpened: NodeStores[] = [];
let api: ApiHarness | undefined;
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const s of storesOpened.splice(0)) s.close();
  await api?.close();
  api = undefined;
});

async function fakePeer(answer: FakePeer['answer']): Promise<FakePeer> {
  const peer = { requests: [], answer } as unknown as FakePeer;
  const server = createServer((req, res) => {
    peer.requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const a = peer.answer(req);
    res.statusCode = a.status;
    if (a.body !== undefined) res.setHeader('Content-Type', 'application/json');
    res.end(a.body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  peer.server = server;
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return peer;
}

const json = (body: unknown) => ({ status: 200, body: JSON.stringify(body) });

function local(over: Partial<ManifestGossipDeps> = {}) {
  const stores = openNodeStores(MEMORY_PATH);
  storesOpened.push(stores);
  const { log, lines } = captureLog();
  const installs: ClusterManifest[] = [];
  const state: GossipState = newGossipState();
  const deps: ManifestGossipDeps = {
    store: stores.records,
    token: TOKEN,
    operatorSpk: OPERATOR_SPK,
    base: () => BASE,
    now: () => T0,
    state,
    log,
    onInstall: (m) => installs.push(m),
    ...over,
  };
  return { deps, store: stores.records, lines, installs, state };
}

const peerOf = (p: FakePeer) => ({ id: 'peer-1', url: p.url });

describe('gossipManifest', () => {
  it('installs a newer verifying manifest at cluster.<name> until its exp, and says so', async () => {
    const wire = manifestWire({ now: T0, seq: 5, exp: T0 + 10 * 86_400 });
    const peer = await fakePeer(() => json({ wire, seq: 5, exp: T0, cluster_name: BASE }));
    const me = local();
    me.store.publish(OWNER, manifestWire({ now: T0, seq: 4 }), 3600, T0);
    expect(await gossipManifest(peerOf(peer), me.deps)).toBe('installed');
    expect(peer.requests).toEqual([
      { url: '/v1/sync/cluster-manifest', authorization: `Bearer ${TOKEN}` },
    ]);
    expect(me.store.query(OWNER, T0)).toContain(wire);
    // TTL from the signed exp (10 days), not a default cap.
    expect(me.store.query(OWNER, T0 + 10 * 86_400 - 1)).toContain(wire);
    expect(me.store.query(OWNER, T0 + 10 * 86_400)).not.toContain(wire);
    expect(me.installs.map((m) => m.seq)).toEqual([5n]);
    expect(me.state.installedSeq).toBe(5n);
    expect(me.lines.join('\n')).toContain(`installed ${OWNER} seq 5 from peer-1`);
  });

  it('leaves an equal or lower seq alone, whatever the peer claims in its unsigned fields', async () => {
    const me = local();
    me.store.publish(OWNER, manifestWire({ now: T0, seq: 7 }), 3600, T0);
    for (const seq of [7, 6]) {
      const wire = manifestWire({ now: T0, seq });
      const peer = await fakePeer(() => json({ wire, seq: 999, exp: T0 + 1, cluster_name: BASE }));
      expect(await gossipManifest(peerOf(peer), me.deps)).toBe('unchanged');
    }
    expect(me.store.query(OWNER, T0)).toHaveLength(1);
    expect(me.installs).toEqual([]);
  });

  it('remembers what it installed even when the store no longer has it', async () => {
    const me = local();
    let seq = 3;
    const peer = await fakePeer(() => json({ wire: manifestWire({ now: T0, seq }) }));
    expect(await gossipManifest(peerOf(peer), me.deps)).toBe('installed');
    me.store.delete(OWNER, undefined);
    expect(await gossipManifest(peerOf(peer), me.deps)).toBe('unchanged');
    seq = 4;
    expect(await gossipManifest(peerOf(peer), me.deps)).toBe('installed');
  });

  it('ignores forged wires and manifests of another cluster, with a warning', async () => {
    for (const wire of [
      manifestWire({ now: T0, seq: 50, seed: OTHER_SEED }),
      manifestWire({ now: T0, seq: 50, clusterName: 'other.example' }),
      manifestWire({ now: T0 - 400 * 86_400, seq: 50, exp: T0 - 1 }),
    ]) {
      const me = local();
      const peer = await fakePeer(() => json({ wire }));
      expect(await gossipManifest(peerOf(peer), me.deps)).toBe('skipped');
      expect(me.store.query('cluster.other.example', T0)).toEqual([]);
      expect(me.store.query(OWNER, T0)).toEqual([]);
      expect(me.lines.some((l) => JSON.parse(l).level === 'warn')).toBe(true);
    }
  });

  it('skips on 204, 403, 429, a non-JSON or wire-less answer, and an unreachable peer', async () => {
    const me = local();
    for (const answer of [
      { status: 204 },
      { status: 403, body: '{"error": "forbidden"}' },
      { status: 429, body: '{"error": "rate limit exceeded"}' },
      { status: 200, body: 'not json' },
      json({ seq: 9 }),
      json({ wire: 42 }),
    ]) {
      const peer = await fakePeer(() => answer);
      expect(await gossipManifest(peerOf(peer), me.deps)).toBe('skipped');
    }
    expect(
      await gossipManifest(
        { id: 'gone', url: 'http://127.0.0.1:1' },
        { ...me.deps, timeoutMs: 2000 },
      ),
    ).toBe('skipped');
    expect(me.store.query(OWNER, T0)).toEqual([]);
  });

  it('with peersSeq, hands a held manifest above it to onInstall once (it came by data sync)', async () => {
    const me = local({ state: newGossipState(1n) });
    const two = manifestWire({ now: T0, seq: 2 });
    me.store.publish(OWNER, two, 3600, T0);
    let wire = two;
    const peer = await fakePeer(() => json({ wire }));
    expect(await gossipManifest(peerOf(peer), me.deps)).toBe('unchanged');
    expect(await gossipManifest(peerOf(peer), me.deps)).toBe('unchanged');
    expect(me.installs.map((m) => m.seq)).toEqual([2n]);
    expect(me.deps.state.peersSeq).toBe(2n);
    expect(me.store.query(OWNER, T0)).toEqual([two]);
    // A lagging peer's older manifest changes nothing; a newer one is installed.
    wire = manifestWire({ now: T0, seq: 1 });
    expect(await gossipManifest(peerOf(peer), me.deps)).toBe('unchanged');
    wire = manifestWire({ now: T0, seq: 3 });
    expect(await gossipManifest(peerOf(peer), me.deps)).toBe('installed');
    expect(me.installs.map((m) => m.seq)).toEqual([2n, 3n]);
    expect(me.deps.state.peersSeq).toBe(3n);
  });

  it('does not even ask without a base', async () => {
    const peer = await fakePeer(() => json({ wire: manifestWire({ now: T0, seq: 1 }) }));
    const me = local({ base: () => undefined });
    expect(await gossipManifest(peerOf(peer), me.deps)).toBe('skipped');
    expect(peer.requests).toEqual([]);
  });

  it('installs from a real node’s route, and the new node list can replace the peers', async () => {
    const newer = manifestWire({
      now: T0,
      seq: 9,
      nodes: [
        { nodeId: 'node-a', httpEndpoint: 'http://node-a:8053' },
        { nodeId: 'node-b', httpEndpoint: 'http://node-b:8053' },
        { nodeId: 'node-c', httpEndpoint: 'http://node-c:8053/' },
      ],
    });
    let a: ApiHarness | undefined;
    a = await startApi({}, (stores) => ({
      routes: clusterManifestRoutes({
        records: stores.records,
        token: TOKEN,
        allow: () => true,
        base: () => BASE,
        operatorSpk: OPERATOR_SPK,
        now: () => a!.clock.now,
      }),
    }));
    api = a;
    a.stores.records.publish(OWNER, newer, 86_400, T0);
    const me = local();
    expect(await gossipManifest({ id: 'node-a', url: a.base }, me.deps)).toBe('installed');
    expect(me.store.query(OWNER, T0)).toEqual([newer]);
    expect(peersFromManifest(newer, { nodeId: 'node-b' })).toEqual([
      { id: 'node-a', url: 'http://node-a:8053' },
      { id: 'node-c', url: 'http://node-c:8053' },
    ]);
  });
});

describe('manifestGossipHook', () => {
  it('is off without a pinned key, and says so', () => {
    const me = local();
    const { log, lines } = captureLog();
    const hook = manifestGossipHook({
      cluster: { operatorSpk: undefined, base: () => BASE },
      store: me.store,
      token: TOKEN,
      log,
    });
    expect(hook).toBeUndefined();
    expect(lines.join('\n')).toContain('manifest gossip: off without DMP_SYNC_OPERATOR_SPK');
  });

  it('warns when no base is known yet, then installs once one is', async () => {
    const me = local();
    const { log, lines } = captureLog();
    let base: string | undefined;
    const hook = manifestGossipHook({
      cluster: { operatorSpk: OPERATOR_SPK, base: () => base },
      store: me.store,
      token: TOKEN,
      log,
      now: () => T0,
    })!;
    expect(lines.join('\n')).toContain('manifest gossip: no cluster base yet');
    const peer = await fakePeer(() => json({ wire: manifestWire({ now: T0, seq: 2 }) }));
    const signal = new AbortController().signal;
    expect(await hook(peerOf(peer), signal)).toBe('skipped');
    base = BASE;
    expect(await hook(peerOf(peer), signal)).toBe('installed');
    expect(await hook(peerOf(peer), signal)).toBe('unchanged');
  });
});
