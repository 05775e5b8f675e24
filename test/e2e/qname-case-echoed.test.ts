/**
 * Scenario: DNS 0x20 (draft-vixie-dnsext-dns0x20). A query name in random
 * mixed case is answered with the question echoed byte for byte as sent, and
 * the data found case-insensitively — for a hit, NODATA, NXDOMAIN and
 * REFUSED, over UDP and TCP. A resolver using 0x20 (unbound's
 * use-caps-for-id, see unbound-resolves-through-stub-zone) drops any reply
 * whose question case differs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RRType } from '../../src/dns/wire/constants.js';
import {
  cleanup,
  decode,
  describeWith,
  dig,
  mintKey,
  type NodeProcess,
  nsupdate,
  queryWire,
  startNode,
  tcpExchange,
  tempDir,
  txtValueOf,
  udpExchange,
} from './harness.js';

const ZONE = 'mesh.test';

describeWith(['dig', 'nsupdate'], 'qname-case-echoed', () => {
  let node: NodeProcess;

  beforeAll(async () => {
    const dataDir = await tempDir();
    const key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(node.port, ZONE, [`update add caps.${ZONE} 300 TXT "found"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  const cases: [string, string, string][] = [
    ['hit', 'CaPs.MeSh.tEsT', 'NOERROR'],
    ['NODATA (type A)', 'cApS.mEsH.TeSt', 'NOERROR'],
    ['NXDOMAIN', 'NoPe.MESH.test', 'NXDOMAIN'],
    ['REFUSED', 'ExAmPlE.CoM', 'REFUSED'],
  ];
  for (const transport of ['+notcp', '+tcp']) {
    for (const [what, name, status] of cases) {
      it(`${what} ${transport}: question echoed as sent (${name})`, async () => {
        const type = what.startsWith('NODATA') ? 'A' : 'TXT';
        const m = await dig(node.port, [name, type, transport]);
        expect(m.status).toBe(status);
        expect(m.question).toEqual([{ name: `${name}.`, class: 'IN', type }]);
        if (what === 'hit') {
          expect(m.answer).toHaveLength(1);
          expect(m.answer[0]!.name.toLowerCase()).toBe(`caps.${ZONE}.`);
          expect(txtValueOf(m.answer[0]!.rdata)).toBe('found');
        }
      });
    }
  }

  it('raw: the question section octets of the reply equal the query (UDP and TCP)', async () => {
    const query = queryWire('cAPS.mesh.TEST', RRType.TXT, { edns: false });
    const qEnd = query.length; // no additional section: the question ends the query
    const udp = await udpExchange(node.port, query);
    expect(udp).toBeDefined();
    expect(Buffer.from(udp!.subarray(12, qEnd))).toEqual(Buffer.from(query.subarray(12, qEnd)));
    expect(decode(udp!).answers).toHaveLength(1);
    const [tcp] = await tcpExchange(node.port, [query]);
    expect(Buffer.from(tcp!.subarray(12, qEnd))).toEqual(Buffer.from(query.subarray(12, qEnd)));
  });
});
