/**
 * Scenario: a name that holds TXT data, asked for another type (A, AAAA,
 * MX, CNAME, NS, SOA), is NODATA — NOERROR, AA, empty answer — with the
 * zone's SOA in the authority section (RFC 2308 §2.2), over UDP and TCP. An
 * empty non-terminal of the DMP naming scheme (`mb-<hash12>`) is NODATA too,
 * not NXDOMAIN (RFC 8020). ANY is answered with the TXT RRset (RFC 8482).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  type DigMessage,
  describeWith,
  dig,
  mintKey,
  type NodeProcess,
  nsupdate,
  parseSoa,
  startNode,
  tempDir,
  txtValueOf,
} from './harness.js';

const ZONE = 'mesh.test';
const MAILBOX = 'mb-0123456789ab';

function expectNodata(m: DigMessage): void {
  expect(m.status).toBe('NOERROR');
  expect(m.flags).toContain('aa');
  expect(m.answer).toHaveLength(0);
  expect(m.authority).toHaveLength(1);
  const soa = m.authority[0]!;
  expect(soa.type).toBe('SOA');
  expect(soa.name.toLowerCase()).toBe(`${ZONE}.`);
  expect(soa.ttl).toBe(60);
  expect(parseSoa(soa.rdata).minimum).toBe(60);
}

describeWith(['dig', 'nsupdate'], 'nodata-existing-name-other-type', () => {
  let node: NodeProcess;

  beforeAll(async () => {
    const dataDir = await tempDir();
    const key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(
      node.port,
      ZONE,
      [
        `update add foo.${ZONE} 300 TXT "present"`,
        `update add slot-1.${MAILBOX}.${ZONE} 300 TXT "manifest"`,
      ],
      { keyFile: key.file },
    );
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  for (const transport of ['+notcp', '+tcp']) {
    for (const type of ['A', 'AAAA', 'MX', 'CNAME', 'NS', 'SOA']) {
      it(`foo ${type} ${transport}: NODATA with SOA`, async () => {
        expectNodata(await dig(node.port, [`foo.${ZONE}`, type, transport]));
      });
    }
  }

  it('the name itself still has its TXT (NODATA was about the type only)', async () => {
    const m = await dig(node.port, [`foo.${ZONE}`, 'TXT']);
    expect(m.status).toBe('NOERROR');
    expect(txtValueOf(m.answer[0]!.rdata)).toBe('present');
  });

  it('an empty non-terminal above data (mb-<hash12>) is NODATA, not NXDOMAIN', async () => {
    for (const type of ['TXT', 'A']) {
      expectNodata(await dig(node.port, [`${MAILBOX}.${ZONE}`, type]));
    }
  });

  it('ANY is answered with the TXT RRset', async () => {
    const m = await dig(node.port, [`foo.${ZONE}`, 'ANY', '+tcp']);
    expect(m.status).toBe('NOERROR');
    expect(m.answer.map((r) => r.type)).toEqual(['TXT']);
  });
});
