/**
 * Scenario: the TTL given at write time bounds a value's life in the store
 * (answers always carry the configured DNS TTL instead). A value written
 * with TTL 1 is served at once and is gone (NXDOMAIN with the SOA) two
 * seconds later, while its neighbour written with TTL 300 stays; TTL 0
 * is not "expire now" (the node stores it as 60 s, node spec §2.3).
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

  it('TTL 1 is served, answered with the DNS TTL, and expires; TTL 300 and TTL 0 stay', async () => {
    const r = await nsupdate(
      node.port,
      ZONE,
      [
        `update add brief.${ZONE} 1 TXT "short-lived"`,
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

    await new Promise((resolve) => setTimeout(resolve, 2_200));
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
