/**
 * Scenario: the TTL given at write time bounds a value's life in the store
 * (answers always carry the configured DNS TTL instead). A value written
 * with TTL 4 is served at once and is gone a few seconds later, while its
 * neighbour written with TTL 300 stays; TTL 0 is not "expire now" (the node
 * stores it as 60 s, node spec §2.3). Expiry is counted in whole seconds
 * from the write, so TTL 4 leaves at least three seconds to read the fresh
 * value even on a loaded machine; the expiry itself is polled for.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  describeWith,
  dig,
  digTxt,
  type KeyMaterial,
  mintKey,
  type NodeProcess,
  nsupdate,
  startNode,
  tempDir,
  waitFor,
} from './harness.js';

const ZONE = 'mesh.test';

describeWith(['dig', 'nsupdate'], 'short-ttl-record-expires', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE });
  });
  afterAll(cleanup);

  it('TTL 4 is served, answered with the DNS TTL, and expires; TTL 300 and TTL 0 stay', async () => {
    const r = await nsupdate(
      node.port,
      ZONE,
      [
        `update add brief.${ZONE} 4 TXT "short-lived"`,
        `update add brief.${ZONE} 300 TXT "long-lived"`,
        `update add zero.${ZONE} 0 TXT "ttl zero"`,
      ],
      { keyFile: key.file },
    );
    expect(r.failure).toBeUndefined();
    const fresh = await dig(node.port, [`brief.${ZONE}`, 'TXT']);
    expect(fresh.answer.map((a) => a.ttl)).toEqual([60, 60]);
    expect((await digTxt(node.port, `brief.${ZONE}`)).sort()).toEqual([
      'long-lived',
      'short-lived',
    ]);

    await waitFor(
      async () => (await digTxt(node.port, `brief.${ZONE}`)).length === 1,
      20_000,
      'the TTL 4 value to expire',
      250,
    );
    expect(await digTxt(node.port, `brief.${ZONE}`)).toEqual(['long-lived']);
    expect(await digTxt(node.port, `zero.${ZONE}`)).toEqual(['ttl zero']);

    const gone = await nsupdate(node.port, ZONE, [`update delete brief.${ZONE} TXT "long-lived"`], {
      keyFile: key.file,
    });
    expect(gone.failure).toBeUndefined();
    const m = await dig(node.port, [`brief.${ZONE}`, 'TXT']);
    expect(m.status).toBe('NXDOMAIN');
    expect(m.authority.map((a) => a.type)).toEqual(['SOA']);
  });
});
