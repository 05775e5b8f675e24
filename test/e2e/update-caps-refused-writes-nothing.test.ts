/**
 * Scenario: the node's resource caps on writes (node spec §2.4), through
 * nsupdate. A value longer than DMP_MAX_VALUE_BYTES (default 2048), a TTL
 * above DMP_MAX_TTL (default 86400) and an RRset growing past
 * DMP_MAX_VALUES_PER_NAME (5 here) are REFUSED — the whole UPDATE, so
 * nothing of it is written — while the exact limits are accepted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  describeWith,
  digTxt,
  type KeyMaterial,
  mintKey,
  type NodeProcess,
  nsupdate,
  snapshot,
  startNode,
  tempDir,
} from './harness.js';

const ZONE = 'mesh.test';
const WATCHED = [`cap.${ZONE}`, `ttl.${ZONE}`, `many.${ZONE}`, `other.${ZONE}`];
/** A value of `n` bytes written as 255-byte strings. */
function strings(n: number, ch: string): string {
  const parts: string[] = [];
  for (let left = n; left > 0; left -= 255) parts.push(`"${ch.repeat(Math.min(255, left))}"`);
  return parts.join(' ');
}

describeWith(['dig', 'nsupdate'], 'update-caps-refused-writes-nothing', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE, env: { DMP_MAX_VALUES_PER_NAME: '5' } });
  });
  afterAll(cleanup);

  const refusals: [string, string[]][] = [
    ['a 2049-byte value', [`update add cap.${ZONE} 300 TXT ${strings(2049, 'v')}`]],
    ['a TTL of 86401', [`update add ttl.${ZONE} 86401 TXT "x"`]],
    [
      'a valid add together with an over-long one',
      [
        `update add other.${ZONE} 300 TXT "fine"`,
        `update add cap.${ZONE} 300 TXT ${strings(3000, 'w')}`,
      ],
    ],
    [
      'six values at one name',
      Array.from({ length: 6 }, (_, i) => `update add many.${ZONE} 300 TXT "m${i}"`),
    ],
  ];
  for (const [what, lines] of refusals) {
    it(`${what}: REFUSED, nothing written`, async () => {
      const before = await snapshot(node.port, WATCHED);
      const r = await nsupdate(node.port, ZONE, lines, { keyFile: key.file }, { tcp: true });
      expect(r.failure).toBe('REFUSED');
      expect(await snapshot(node.port, WATCHED)).toEqual(before);
    });
  }

  it('exactly 2048 bytes and TTL 86400 are accepted', async () => {
    const r = await nsupdate(
      node.port,
      ZONE,
      [
        `update add cap.${ZONE} 300 TXT ${strings(2048, 'v')}`,
        `update add ttl.${ZONE} 86400 TXT "x"`,
      ],
      { keyFile: key.file },
      { tcp: true },
    );
    expect(r.failure).toBeUndefined();
    expect(await digTxt(node.port, `cap.${ZONE}`)).toEqual(['v'.repeat(2048)]);
    expect(await digTxt(node.port, `ttl.${ZONE}`)).toEqual(['x']);
  });

  it('five values fit; a sixth in a later UPDATE is REFUSED', async () => {
    let r = await nsupdate(
      node.port,
      ZONE,
      Array.from({ length: 5 }, (_, i) => `update add many.${ZONE} 300 TXT "m${i}"`),
      { keyFile: key.file },
    );
    expect(r.failure).toBeUndefined();
    r = await nsupdate(node.port, ZONE, [`update add many.${ZONE} 300 TXT "m5"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBe('REFUSED');
    expect((await digTxt(node.port, `many.${ZONE}`)).sort()).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
    ]);
  });
});
