/**
 * Scenario: an RRset too large for UDP is never sent partially. Over UDP the
 * node answers TC=1 with the question (and OPT) only — no AA, no records
 * (node spec §1.6) — and clients that retry over TCP (dig, kdig, our raw
 * client) get the whole RRset there. A TSIG-signed query gets a signed
 * TC reply and a signed full answer. TCP also carries several pipelined
 * queries and UPDATEs on one connection (RFC 7766 §6.2.1.1).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signWire, verifyResponse } from '../../src/dns/tsig.js';
import { Rcode, RRType } from '../../src/dns/wire/constants.js';
import { txtAdd } from '../../src/dns/wire/update.js';
import {
  cleanup,
  decode,
  describeWith,
  dig,
  type KeyMaterial,
  kdig,
  mintKey,
  type NodeProcess,
  nsupdate,
  queryWire,
  signedUpdate,
  startNode,
  tcpExchange,
  tempDir,
  txtStringsFromHex,
  txtValueOf,
  udpExchange,
} from './harness.js';

const ZONE = 'mesh.test';
const VALUES = Array.from(
  { length: 40 },
  (_, i) => `value-${String(i).padStart(2, '0')}-${'x'.repeat(60)}`,
);

describeWith(['dig', 'kdig', 'nsupdate'], 'tc-then-tcp', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(
      node.port,
      ZONE,
      VALUES.map((v) => `update add big.${ZONE} 300 TXT "${v}"`),
      { keyFile: key.file },
      { tcp: true },
    );
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  it('dig +notcp +ignore: TC=1, no AA, question and OPT only', async () => {
    const m = await dig(node.port, [`big.${ZONE}`, 'TXT', '+notcp', '+ignore']);
    expect(m.status).toBe('NOERROR');
    expect(m.transport).toBe('UDP');
    expect(m.flags).toContain('tc');
    expect(m.flags).not.toContain('aa');
    expect(m.counts).toEqual({ query: 1, answer: 0, authority: 0, additional: 1 });
    expect(m.question).toEqual([{ name: `big.${ZONE}.`, class: 'IN', type: 'TXT' }]);
    expect(m.edns?.udp).toBe(1232);
  });

  it('dig (default) retries over TCP and gets all 40 values', async () => {
    const m = await dig(node.port, [`big.${ZONE}`, 'TXT']);
    expect(m.retriedOverTcp).toBe(true);
    expect(m.transport).toBe('TCP');
    expect(m.flags).toContain('aa');
    expect(m.flags).not.toContain('tc');
    expect(m.answer.map((r) => txtValueOf(r.rdata)).sort()).toEqual(VALUES);
  });

  it('dig +tcp gets the same RRset directly', async () => {
    const m = await dig(node.port, [`big.${ZONE}`, 'TXT', '+tcp']);
    expect(m.answer.map((r) => txtValueOf(r.rdata)).sort()).toEqual(VALUES);
    expect(m.msgSize!).toBeGreaterThan(1232);
  });

  it('kdig: TC=1 over UDP with +ignore; full over TCP after its own retry', async () => {
    const udp = await kdig(node.port, [`big.${ZONE}`, 'TXT', '+notcp', '+ignore']);
    expect(udp).toMatchObject({ TC: 1, AA: 0, ANCOUNT: 0 });
    // Without +notcp kdig starts over UDP and retries over TCP on TC=1.
    const retried = await kdig(node.port, [`big.${ZONE}`, 'TXT']);
    expect(retried.TC).toBe(0);
    expect(retried.msgLength).toBeGreaterThan(1232);
    const values = (retried.answerRRs ?? []).map((rr) =>
      Buffer.concat(txtStringsFromHex(rr.RDATAHEX!)).toString(),
    );
    expect(values.sort()).toEqual(VALUES);
  });

  it('a signed query gets a signed TC reply over UDP and a signed full answer over TCP', async () => {
    const now = Math.floor(Date.now() / 1000);
    const signed = signWire(queryWire(`big.${ZONE}`, RRType.TXT), key, { timeSigned: now });
    const udp = await udpExchange(node.port, signed.wire);
    expect(udp).toBeDefined();
    const stub = decode(udp!);
    expect(stub.header.tc).toBe(true);
    expect(stub.answers).toHaveLength(0);
    expect(stub.additionals.at(-1)?.type).toBe(RRType.TSIG);
    expect(verifyResponse(udp!, key, signed.mac, now).status).toBe('ok');

    const [tcp] = await tcpExchange(node.port, [signed.wire]);
    const full = decode(tcp!);
    expect(full.header.tc).toBe(false);
    expect(full.answers).toHaveLength(VALUES.length);
    expect(verifyResponse(tcp!, key, signed.mac, now).status).toBe('ok');
  });

  it('TCP: ten pipelined signed UPDATEs on one connection are all answered and applied', async () => {
    const updates = Array.from({ length: 10 }, (_, i) =>
      signedUpdate(key, ZONE, [txtAdd(`piped.${ZONE}`, 300, `p${i}`)], { id: 200 + i }),
    );
    const replies = (
      await tcpExchange(
        node.port,
        updates.map((u) => u.wire),
      )
    ).map(decode);
    expect(replies.map((r) => r.header.id).sort()).toEqual(updates.map((_, i) => 200 + i));
    expect(replies.every((r) => r.header.rcode === Rcode.NOERROR)).toBe(true);
    const m = await dig(node.port, [`piped.${ZONE}`, 'TXT', '+tcp']);
    expect(m.answer.map((r) => txtValueOf(r.rdata)).sort()).toEqual(
      updates.map((_, i) => `p${i}`).sort(),
    );
  });

  it('TCP: three pipelined queries on one connection get three replies', async () => {
    const queries = [
      queryWire(`big.${ZONE}`, RRType.TXT, { id: 101 }),
      queryWire(`nothing.${ZONE}`, RRType.TXT, { id: 102 }),
      queryWire(ZONE, RRType.SOA, { id: 103 }),
    ];
    const replies = (await tcpExchange(node.port, queries)).map(decode);
    expect(replies.map((r) => r.header.id).sort()).toEqual([101, 102, 103]);
    const byId = new Map(replies.map((r) => [r.header.id, r]));
    expect(byId.get(101)!.answers).toHaveLength(VALUES.length);
    expect(byId.get(102)!.header.rcode).toBe(3);
    expect(byId.get(103)!.answers[0]!.type).toBe(RRType.SOA);
  });
});
