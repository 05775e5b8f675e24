/**
 * Scenario: a name with no data in the zone is NXDOMAIN — AA, empty answer —
 * and the authority section carries the zone's SOA (RFC 2308 §2.1), whose
 * TTL and MINIMUM are the configured DNS TTL, so resolvers cache the
 * negative answer for that long. Holds for any type, below existing names,
 * over UDP and TCP, and again once a written RRset has been deleted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  type DigMessage,
  describeWith,
  dig,
  type KeyMaterial,
  kdig,
  mintKey,
  type NodeProcess,
  nsupdate,
  parseSoa,
  startNode,
  tempDir,
} from './harness.js';

const ZONE = 'mesh.test';

function expectNxdomainWithSoa(m: DigMessage): void {
  expect(m.status).toBe('NXDOMAIN');
  expect(m.flags).toContain('aa');
  expect(m.answer).toHaveLength(0);
  expect(m.authority).toHaveLength(1);
  const soa = m.authority[0]!;
  expect(soa).toMatchObject({ name: `${ZONE}.`, type: 'SOA', class: 'IN', ttl: 60 });
  const fields = parseSoa(soa.rdata);
  expect(fields).toMatchObject({
    mname: `ns1.${ZONE}.`,
    rname: `hostmaster.${ZONE}.`,
    refresh: 3600,
    retry: 600,
    expire: 604800,
    minimum: 60,
  });
  expect(Math.abs(fields.serial - Date.now() / 1000)).toBeLessThan(120);
}

describeWith(['dig', 'kdig', 'nsupdate'], 'nxdomain-carries-soa', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(node.port, ZONE, [`update add foo.${ZONE} 300 TXT "x"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  for (const transport of ['+notcp', '+tcp']) {
    for (const type of ['TXT', 'A', 'AAAA']) {
      it(`absent name ${type} ${transport}: NXDOMAIN with the SOA`, async () => {
        expectNxdomainWithSoa(await dig(node.port, [`nothing-here.${ZONE}`, type, transport]));
      });
    }
  }

  it('a name below an existing name is NXDOMAIN', async () => {
    expectNxdomainWithSoa(await dig(node.port, [`below.foo.${ZONE}`, 'TXT']));
  });

  it('kdig sees the same: RCODE 3, AA, one SOA in authority', async () => {
    const j = await kdig(node.port, [`nothing-here.${ZONE}`, 'TXT']);
    expect(j).toMatchObject({ RCODE: 3, AA: 1, ANCOUNT: 0, NSCOUNT: 1 });
    expect(j.authorityRRs![0]).toMatchObject({ NAME: `${ZONE}.`, TYPE: 6, TTL: 60 });
  });

  it('a deleted RRset turns back into NXDOMAIN with the SOA', async () => {
    expect((await dig(node.port, [`foo.${ZONE}`, 'TXT'])).status).toBe('NOERROR');
    const r = await nsupdate(node.port, ZONE, [`update delete foo.${ZONE} TXT`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
    expectNxdomainWithSoa(await dig(node.port, [`foo.${ZONE}`, 'TXT']));
  });
});
