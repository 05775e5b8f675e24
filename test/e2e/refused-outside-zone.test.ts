/**
 * Scenario: the node is authoritative for its zone only. Names outside it —
 * another domain, the parent, the root, a name that merely ends in the same
 * characters without a label boundary (`xmesh.test`), a sibling — are
 * REFUSED without AA and without answer or authority records (RFC 1034
 * §4.3.2 for a non-recursive server; the reference said NXDOMAIN), over UDP
 * and TCP. Non-IN classes and zone transfers are REFUSED too.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rcode, RRClass, RRType } from '../../src/dns/wire/constants.js';
import {
  cleanup,
  decode,
  describeWith,
  dig,
  type NodeProcess,
  queryWire,
  startNode,
  tcpExchange,
} from './harness.js';

const ZONE = 'mesh.test';
const OUTSIDE = ['example.com', 'xmesh.test', 'test', '.', 'mesh.test.example', 'other.test'];

describeWith(['dig'], 'refused-outside-zone', () => {
  let node: NodeProcess;

  beforeAll(async () => {
    node = await startNode({ zone: ZONE });
  });
  afterAll(cleanup);

  for (const transport of ['+notcp', '+tcp']) {
    for (const name of OUTSIDE) {
      for (const type of ['TXT', 'NS']) {
        it(`${name} ${type} ${transport}: REFUSED, no AA, empty sections`, async () => {
          const m = await dig(node.port, [name, type, transport]);
          expect(m.status).toBe('REFUSED');
          expect(m.flags).not.toContain('aa');
          expect(m.answer).toHaveLength(0);
          expect(m.authority).toHaveLength(0);
          expect(m.counts.query).toBe(1);
        });
      }
    }
  }

  it('class CH (version.bind) is REFUSED', async () => {
    const m = await dig(node.port, ['-c', 'CH', 'version.bind', 'TXT']);
    expect(m.status).toBe('REFUSED');
    const inZone = decode(
      (await tcpExchange(node.port, [queryWire(`x.${ZONE}`, RRType.TXT, { cls: RRClass.CH })]))[0]!,
    );
    expect(inZone.header.rcode).toBe(Rcode.REFUSED);
  });

  it('AXFR and IXFR of the zone over TCP are REFUSED', async () => {
    for (const type of [RRType.AXFR, RRType.IXFR]) {
      const [reply] = await tcpExchange(node.port, [queryWire(ZONE, type)]);
      const m = decode(reply!);
      expect(m.header.rcode).toBe(Rcode.REFUSED);
      expect(m.answers).toHaveLength(0);
    }
  });

  it('the zone itself is still answered (sanity: not everything is refused)', async () => {
    const m = await dig(node.port, [ZONE, 'SOA']);
    expect(m.status).toBe('NOERROR');
    expect(m.flags).toContain('aa');
  });
});
