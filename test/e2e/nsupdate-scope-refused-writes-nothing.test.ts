/**
 * Scenario: a key minted with a narrow `--scope` may write only there.
 * Inside the scope (the suffix itself and names below it) nsupdate succeeds;
 * outside it the UPDATE is REFUSED and nothing changes — not even the
 * in-scope part of a mixed UPDATE (atomic). A wildcard scope
 * (`slot-*.mb-*.<zone>`) authorises adds but never deletes (node spec §2.6).
 * Every refusal is checked against a dig snapshot of the names involved.
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
const MB = 'mb-0123456789ab';
const WATCHED = [
  `inbox.${ZONE}`,
  `deep.inbox.${ZONE}`,
  `other.${ZONE}`,
  `xinbox.${ZONE}`,
  `slot-1.${MB}.${ZONE}`,
];

describeWith(['dig', 'nsupdate'], 'nsupdate-scope-refused-writes-nothing', () => {
  let node: NodeProcess;
  let admin: KeyMaterial;
  let narrow: KeyMaterial;
  let wildcard: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    admin = await mintKey(dataDir, ZONE, 'admin');
    narrow = await mintKey(dataDir, ZONE, 'narrow', [`inbox.${ZONE}`]);
    wildcard = await mintKey(dataDir, ZONE, 'slots', [`slot-*.mb-*.${ZONE}`]);
    node = await startNode({ dataDir, zone: ZONE });
    // Pre-existing data the refused writers must not be able to touch.
    const r = await nsupdate(
      node.port,
      ZONE,
      [
        `update add other.${ZONE} 300 TXT "owned-by-admin"`,
        `update add xinbox.${ZONE} 300 TXT "x"`,
      ],
      { keyFile: admin.file },
    );
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  it('inside the scope: the suffix itself and a name below it', async () => {
    const r = await nsupdate(
      node.port,
      ZONE,
      [
        `update add inbox.${ZONE} 300 TXT "mine"`,
        `update add deep.inbox.${ZONE} 300 TXT "mine too"`,
      ],
      { keyFile: narrow.file },
    );
    expect(r.failure).toBeUndefined();
    expect(await digTxt(node.port, `inbox.${ZONE}`)).toEqual(['mine']);
    expect(await digTxt(node.port, `deep.inbox.${ZONE}`)).toEqual(['mine too']);
  });

  const refusals: [string, string[]][] = [
    ['add outside the scope', [`update add other.${ZONE} 300 TXT "intruder"`]],
    ['add at a name sharing only characters (xinbox)', [`update add xinbox.${ZONE} 300 TXT "y"`]],
    ['delete a value outside the scope', [`update delete other.${ZONE} TXT "owned-by-admin"`]],
    ['delete an RRset outside the scope', [`update delete other.${ZONE} TXT`]],
    ['add at the zone apex', [`update add ${ZONE} 300 TXT "apex"`]],
    [
      'mixed UPDATE: in-scope add + out-of-scope add (atomic)',
      [`update add inbox.${ZONE} 300 TXT "second"`, `update add other.${ZONE} 300 TXT "intruder"`],
    ],
    [
      'mixed UPDATE: in-scope delete + out-of-scope delete (atomic)',
      [`update delete inbox.${ZONE} TXT`, `update delete other.${ZONE} TXT`],
    ],
  ];
  for (const [what, lines] of refusals) {
    it(`narrow key, ${what}: REFUSED, store unchanged`, async () => {
      const before = await snapshot(node.port, WATCHED);
      const r = await nsupdate(node.port, ZONE, lines, { keyFile: narrow.file });
      expect(r.failure).toBe('REFUSED');
      expect(await snapshot(node.port, WATCHED)).toEqual(before);
    });
  }

  it('wildcard scope: adds a slot record under any mailbox', async () => {
    const r = await nsupdate(
      node.port,
      ZONE,
      [`update add slot-1.${MB}.${ZONE} 300 TXT "manifest"`],
      {
        keyFile: wildcard.file,
      },
    );
    expect(r.failure).toBeUndefined();
    expect(await digTxt(node.port, `slot-1.${MB}.${ZONE}`)).toEqual(['manifest']);
  });

  it('wildcard scope: deletes are REFUSED (value and RRset), store unchanged', async () => {
    for (const line of [
      `update delete slot-1.${MB}.${ZONE} TXT "manifest"`,
      `update delete slot-1.${MB}.${ZONE} TXT`,
    ]) {
      const before = await snapshot(node.port, WATCHED);
      const r = await nsupdate(node.port, ZONE, [line], { keyFile: wildcard.file });
      expect(r.failure).toBe('REFUSED');
      expect(await snapshot(node.port, WATCHED)).toEqual(before);
    }
  });

  it('wildcard scope: a name outside the pattern is REFUSED', async () => {
    const before = await snapshot(node.port, WATCHED);
    const r = await nsupdate(node.port, ZONE, [`update add other.${ZONE} 300 TXT "no"`], {
      keyFile: wildcard.file,
    });
    expect(r.failure).toBe('REFUSED');
    expect(await snapshot(node.port, WATCHED)).toEqual(before);
  });
});
