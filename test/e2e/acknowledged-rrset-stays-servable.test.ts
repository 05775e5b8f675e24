/**
 * Scenario: whatever the node acknowledges it can serve. With the default
 * caps (2048-byte values, 64 values per name) an RRset can grow to ~132 KB,
 * twice what one DNS message can carry (65535 octets, RFC 1035 §4.2.2), and
 * a name whose RRset does not fit is answered SERVFAIL over TCP (TC=1 over
 * UDP): nobody can read it any more. Worse, the default registration scope
 * lets every user add to every mailbox's `slot-N.mb-*` names, so one user
 * can make another user's slot unreadable with two UPDATEs. The invariant
 * checked: after each acknowledged UPDATE the name still answers NOERROR
 * over TCP; an add that would break that must be REFUSED instead.
 *
 * Regression (found by this suite, fixed): the second batch used to be
 * acknowledged, leaving the victim's slot answering SERVFAIL.
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
const SLOT = `slot-0.mb-aaaaaaaaaaaa.${ZONE}`;

/** `count` adds of distinct 2048-byte values (the default cap), as 255-byte strings. */
function bigAdds(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, k) => {
    const v = `${String(from + k).padStart(3, '0')}${'x'.repeat(2045)}`;
    const parts: string[] = [];
    for (let i = 0; i < v.length; i += 255) parts.push(`"${v.slice(i, i + 255)}"`);
    return `update add ${SLOT} 300 TXT ${parts.join(' ')}`;
  });
}

describeWith(['dig', 'nsupdate'], 'acknowledged-rrset-stays-servable', () => {
  let node: NodeProcess;
  let victim: KeyMaterial;
  let other: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    victim = await mintKey(dataDir, ZONE, 'victim', [`mb-aaaaaaaaaaaa.${ZONE}`]);
    other = await mintKey(dataDir, ZONE, 'other', [`slot-*.mb-*.${ZONE}`]);
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(node.port, ZONE, [`update add ${SLOT} 300 TXT "victim-manifest"`], {
      keyFile: victim.file,
    });
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  it('every acknowledged UPDATE leaves the RRset readable over TCP', async () => {
    for (const from of [0, 16]) {
      const r = await nsupdate(
        node.port,
        ZONE,
        bigAdds(from, 16),
        { keyFile: other.file },
        { tcp: true },
      );
      if (r.failure === undefined) {
        const m = await dig(node.port, [SLOT, 'TXT', '+tcp']);
        expect(m.status, `after acknowledged batch ${from / 16 + 1}`).toBe('NOERROR');
      } else {
        expect(r.failure).toBe('REFUSED');
      }
    }
  });

  it('the victim can still clean up its own slot (literal mb- scope allows deletes)', async () => {
    const r = await nsupdate(node.port, ZONE, [`update delete ${SLOT} TXT`], {
      keyFile: victim.file,
    });
    expect(r.failure).toBeUndefined();
    expect(await digTxt(node.port, SLOT)).toEqual([]);
  });
});
