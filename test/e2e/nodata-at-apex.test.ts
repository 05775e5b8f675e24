/**
 * Scenario: the zone apex always exists. SOA and NS are answered from
 * configuration (DMP_DNS_APEX_NS / DMP_DNS_APEX_SOA_RNAME), A when
 * DMP_DNS_APEX_A is set; every other type — AAAA when unset, MX, and TXT
 * while nothing is stored there — is NODATA (NOERROR, AA, SOA in
 * authority), never NXDOMAIN. TXT written at the apex is then served.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  type DigMessage,
  describeWith,
  dig,
  type KeyMaterial,
  mintKey,
  type NodeProcess,
  nsupdate,
  parseSoa,
  startNode,
  tempDir,
  txtValueOf,
} from './harness.js';

const ZONE = 'mesh.test';
const NS = 'ns.dmp.example.net';
const RNAME = 'admin.dmp.example.net';
const APEX_A = '192.0.2.53';

function expectApexNodata(m: DigMessage): void {
  expect(m.status).toBe('NOERROR');
  expect(m.flags).toContain('aa');
  expect(m.answer).toHaveLength(0);
  expect(m.authority).toHaveLength(1);
  expect(m.authority[0]).toMatchObject({ name: `${ZONE}.`, type: 'SOA' });
}

describeWith(['dig', 'nsupdate'], 'nodata-at-apex', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({
      dataDir,
      zone: ZONE,
      env: { DMP_DNS_APEX_NS: NS, DMP_DNS_APEX_SOA_RNAME: RNAME, DMP_DNS_APEX_A: APEX_A },
    });
  });
  afterAll(cleanup);

  for (const transport of ['+notcp', '+tcp']) {
    it(`apex SOA ${transport}: one SOA from the configured names`, async () => {
      const m = await dig(node.port, [ZONE, 'SOA', transport]);
      expect(m.status).toBe('NOERROR');
      expect(m.flags).toContain('aa');
      expect(m.answer).toHaveLength(1);
      expect(m.answer[0]).toMatchObject({ name: `${ZONE}.`, type: 'SOA', ttl: 60 });
      expect(parseSoa(m.answer[0]!.rdata)).toMatchObject({
        mname: `${NS}.`,
        rname: `${RNAME}.`,
        minimum: 60,
      });
      expect(m.authority).toHaveLength(0);
    });

    it(`apex NS ${transport}`, async () => {
      const m = await dig(node.port, [ZONE, 'NS', transport]);
      expect(m.status).toBe('NOERROR');
      expect(m.flags).toContain('aa');
      expect(m.answer.map((r) => [r.type, r.rdata])).toEqual([['NS', `${NS}.`]]);
    });

    it(`apex A ${transport} (DMP_DNS_APEX_A)`, async () => {
      const m = await dig(node.port, [ZONE, 'A', transport]);
      expect(m.status).toBe('NOERROR');
      expect(m.answer.map((r) => [r.type, r.rdata, r.ttl])).toEqual([['A', APEX_A, 60]]);
    });

    for (const type of ['AAAA', 'MX', 'TXT', 'CNAME']) {
      it(`apex ${type} ${transport}: NODATA with SOA, not NXDOMAIN`, async () => {
        expectApexNodata(await dig(node.port, [ZONE, type, transport]));
      });
    }
  }

  it('TXT written at the apex is served, and deleting it gives NODATA again', async () => {
    let r = await nsupdate(node.port, ZONE, [`update add ${ZONE} 300 TXT "apex-note"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
    const m = await dig(node.port, [ZONE, 'TXT']);
    expect(m.status).toBe('NOERROR');
    expect(m.answer.map((a) => txtValueOf(a.rdata))).toEqual(['apex-note']);
    r = await nsupdate(node.port, ZONE, [`update delete ${ZONE} TXT`], { keyFile: key.file });
    expect(r.failure).toBeUndefined();
    expectApexNodata(await dig(node.port, [ZONE, 'TXT']));
  });
});
