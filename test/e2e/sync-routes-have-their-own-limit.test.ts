/**
 * The sync routes have their own per-client bucket (DMP_SYNC_HTTP_RATE /
 * _BURST): a follower catching up is not held to the records API's 10/s,
 * and the records API's bucket is not spent by sync calls. Still checked
 * before the token: a caller over the sync limit gets 429 either way.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanup, type NodeProcess, startNode } from './harness.js';

const TOKEN = 'sync-token-0123456789abcdef';
let node: NodeProcess;

beforeAll(async () => {
  node = await startNode({
    http: true,
    env: {
      DMP_SYNC_PEER_TOKEN: TOKEN,
      DMP_HTTP_RATE: '1',
      DMP_HTTP_BURST: '2',
      DMP_SYNC_HTTP_RATE: '1',
      DMP_SYNC_HTTP_BURST: '30',
    },
  });
});
afterAll(cleanup);

const digest = (auth: string) =>
  fetch(`http://127.0.0.1:${node.httpPort}/v1/sync/digest`, {
    headers: { authorization: auth },
  }).then((r) => r.status);

it('serves 30 sync calls past the records burst of 2, then 429 before the token', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++) statuses.push(await digest(`Bearer ${TOKEN}`));
  expect(statuses).toEqual(Array(30).fill(200));
  expect(await digest('Bearer wrong')).toBe(429);
  // The records API's own bucket is untouched by all that.
  const records = await fetch(`http://127.0.0.1:${node.httpPort}/v1/records/x.mesh.test`);
  expect(records.status).not.toBe(429);
});
