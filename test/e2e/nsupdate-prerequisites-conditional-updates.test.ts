/**
 * Scenario: RFC 2136 §3.2 prerequisites, evaluated by the node (the
 * reference ignored them), driven with nsupdate's `prereq` statements. A
 * prerequisite that holds lets the update through; one that fails answers
 * its RFC 2136 RCODE — YXDOMAIN, NXDOMAIN, YXRRSET, NXRRSET — and writes
 * nothing.
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
const E = `e.${ZONE}`;
const WATCHED = [E, `new.${ZONE}`, `missing.${ZONE}`, `soa.${ZONE}`];

describeWith(['dig', 'nsupdate'], 'nsupdate-prerequisites-conditional-updates', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(node.port, ZONE, [`update add ${E} 300 TXT "a"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  const failing: [string, string[], string][] = [
    [
      'nxdomain on a name in use',
      [`prereq nxdomain ${E}`, `update add ${E} 300 TXT "x"`],
      'YXDOMAIN',
    ],
    [
      'yxdomain on an unused name',
      [`prereq yxdomain missing.${ZONE}`, `update add missing.${ZONE} 300 TXT "x"`],
      'NXDOMAIN',
    ],
    [
      'nxrrset on an existing RRset',
      [`prereq nxrrset ${E} TXT`, `update add ${E} 300 TXT "x"`],
      'YXRRSET',
    ],
    [
      'yxrrset on an absent RRset',
      [`prereq yxrrset missing.${ZONE} TXT`, `update add ${E} 300 TXT "x"`],
      'NXRRSET',
    ],
    [
      'value-dependent yxrrset that does not match the RRset exactly',
      [`prereq yxrrset ${E} TXT "a" "b"`, `update add ${E} 300 TXT "x"`],
      'NXRRSET',
    ],
  ];
  for (const [what, lines, rcode] of failing) {
    it(`${what}: ${rcode}, nothing written`, async () => {
      const before = await snapshot(node.port, WATCHED);
      const r = await nsupdate(node.port, ZONE, lines, { keyFile: key.file });
      expect(r.failure).toBe(rcode);
      expect(await snapshot(node.port, WATCHED)).toEqual(before);
    });
  }

  it('nxdomain on an unused name holds: the add goes through', async () => {
    const r = await nsupdate(
      node.port,
      ZONE,
      [`prereq nxdomain new.${ZONE}`, `update add new.${ZONE} 300 TXT "created"`],
      { keyFile: key.file },
    );
    expect(r.failure).toBeUndefined();
    expect(await digTxt(node.port, `new.${ZONE}`)).toEqual(['created']);
  });

  it('value-dependent yxrrset equal to the RRset holds', async () => {
    const r = await nsupdate(
      node.port,
      ZONE,
      [`prereq yxrrset ${E} TXT "a"`, `update add ${E} 300 TXT "b"`],
      { keyFile: key.file },
    );
    expect(r.failure).toBeUndefined();
    expect((await digTxt(node.port, E)).sort()).toEqual(['a', 'b']);
  });

  it('yxrrset on the apex SOA holds (the synthesised apex counts)', async () => {
    const r = await nsupdate(
      node.port,
      ZONE,
      [`prereq yxrrset ${ZONE} SOA`, `update add soa.${ZONE} 300 TXT "ok"`],
      { keyFile: key.file },
    );
    expect(r.failure).toBeUndefined();
    expect(await digTxt(node.port, `soa.${ZONE}`)).toEqual(['ok']);
  });
});
