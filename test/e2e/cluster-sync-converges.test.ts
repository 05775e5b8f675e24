/**
 * Scenario: three real nodes in one cluster (DMP_SYNC_PEERS naming the
 * other two, one shared DMP_SYNC_PEER_TOKEN, 1 s interval). A record
 * written by TSIG-signed UPDATE on A is served by C; with B stopped, writes
 * on A and on C still spread between them; B, restarted on its data
 * directory, catches up with both. Outcomes are polled within bounds,
 * never timed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
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
const TOKEN = 'cluster-sync-token-0123456789abcdef';
const CONVERGE_MS = 30_000;

describeWith(['nsupdate'], 'cluster-sync-converges', () => {
  const names = ['a', 'b', 'c'] as const;
  type Name = (typeof names)[number];
  const ports = {} as Record<Name, number>;
  const dirs = {} as Record<Name, string>;
  const nodes = {} as Record<Name, NodeProcess>;
  const keys = {} as Record<'a' | 'c', KeyMaterial>;

  const start = (n: Name) =>
    startNode({
      zone: ZONE,
      dataDir: dirs[n],
      http: true,
      httpPort: ports[n],
      env: {
        DMP_SYNC_PEERS: names
          .filter((m) => m !== n)
          .map((m) => `http://127.0.0.1:${ports[m]}`)
          .join(','),
        DMP_SYNC_PEER_TOKEN: TOKEN,
        DMP_SYNC_INTERVAL: '1',
        DMP_LOG_FORMAT: 'json',
      },
    });

  const write = async (on: 'a' | 'c', name: string, value: string) => {
    const r = await nsupdate(nodes[on].port, ZONE, [`update add ${name} 600 TXT "${value}"`], {
      keyFile: keys[on].file,
    });
    expect(r.failure).toBeUndefined();
  };

  const serves = async (n: Name, name: string, value: string) =>
    (await tcpTxt(nodes[n].port, name)).values.includes(value);

  beforeAll(async () => {
    for (const n of names) {
      ports[n] = await freePort();
      dirs[n] = await tempDir(`dnsmesh-sync-${n}-`);
    }
    keys.a = await mintKey(dirs.a, ZONE, 'writer-a');
    keys.c = await mintKey(dirs.c, ZONE, 'writer-c');
    for (const n of names) nodes[n] = await start(n);
  }, 90_000);
  afterAll(cleanup);

  it('a record written by UPDATE on A is served by C', async () => {
    await write('a', `first.${ZONE}`, 'hello from a');
    await waitFor(() => serves('c', `first.${ZONE}`, 'hello from a'), CONVERGE_MS, 'C to serve A');
    await waitFor(() => serves('b', `first.${ZONE}`, 'hello from a'), CONVERGE_MS, 'B to serve A');
    expect(await metric(nodes.c, 'dmp_sync_records_pulled_total')).toBeGreaterThan(0);
    expect(nodes.c.output()).toContain('anti-entropy: syncing with 2 peer(s) from DMP_SYNC_PEERS');
  }, 60_000);

  it('B stopped: writes on A and C spread; B restarted catches up with both', async () => {
    await nodes.b.stop();
    await write('a', `while-b-down.${ZONE}`, 'from a');
    await write('c', `while-b-down.${ZONE}`, 'from c');
    for (const n of ['a', 'c'] as const) {
      for (const v of ['from a', 'from c']) {
        await waitFor(() => serves(n, `while-b-down.${ZONE}`, v), CONVERGE_MS, `${n}: ${v}`);
      }
    }
    nodes.b = await start('b');
    for (const v of ['from a', 'from c']) {
      await waitFor(() => serves('b', `while-b-down.${ZONE}`, v), CONVERGE_MS, `b: ${v}`);
    }
    // What B held before it stopped is still there, and nothing was duplicated.
    expect((await tcpTxt(nodes.b.port, `first.${ZONE}`)).values).toEqual(['hello from a']);
    expect((await tcpTxt(nodes.b.port, `while-b-down.${ZONE}`)).values.sort()).toEqual([
      'from a',
      'from c',
    ]);
    // The sync routes refuse anyone without the token.
    const res = await fetch(`http://127.0.0.1:${ports.b}/v1/sync/digest`, {
      signal: AbortSignal.timeout(5_000),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'forbidden' });
  }, 120_000);
});
