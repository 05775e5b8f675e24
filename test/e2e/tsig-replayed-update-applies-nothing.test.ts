/**
 * Scenario: a TSIG-signed UPDATE sent again inside its time window (RFC
 * 8945: time signed ± fudge, 300 s) is answered, not applied again.
 *
 * The attack: the owner sends "delete RRset X; add X A" (applied), then
 * changes X to B with a second UPDATE. An attacker who captured the first
 * datagram sends it again byte for byte, over UDP from another socket and
 * over TCP: X still holds B, and the attacker receives the node's original
 * reply, byte for byte (no new signature, no new time). Before the reply
 * cache the node applied the copy and X went back to A.
 *
 * The honest case: nsupdate behind a UDP relay that loses the node's first
 * reply. nsupdate retransmits the very same bytes; the node answers with
 * the reply it sent the first time, so a conditional UPDATE ("add only if
 * the RRset is absent") reports success and is applied once. Before the
 * cache the retransmission was processed again and refused (YXRRSET), and
 * nsupdate reported a failure for an UPDATE the node had applied.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyResponse } from '../../src/dns/tsig.js';
import { Rcode } from '../../src/dns/wire/constants.js';
import { txtAdd, txtDeleteRRset } from '../../src/dns/wire/update.js';
import {
  cleanup,
  decode,
  describeWith,
  type KeyMaterial,
  metric,
  mintKey,
  type NodeProcess,
  nsupdate,
  signedUpdate,
  startNode,
  tcpExchange,
  tcpTxt,
  tempDir,
  udpExchange,
} from './harness.js';

const ZONE = 'mesh.test';
const X = `x.${ZONE}`;
const ONCE = `once.${ZONE}`;

/** A UDP relay to `port` that drops the first reply it receives; one client at a time. */
async function lossyRelay(port: number) {
  const front = dgram.createSocket('udp4');
  const back = dgram.createSocket('udp4');
  await Promise.all(
    [front, back].map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))),
  );
  const requests: Buffer[] = [];
  const replies: Buffer[] = [];
  let client: dgram.RemoteInfo | undefined;
  front.on('message', (msg, peer) => {
    client = peer;
    requests.push(msg);
    back.send(msg, port, '127.0.0.1');
  });
  back.on('message', (msg) => {
    replies.push(msg);
    if (replies.length === 1 || client === undefined) return; // lost on the way back
    front.send(msg, client.port, client.address);
  });
  return {
    port: front.address().port,
    requests,
    replies,
    close: () => {
      front.close();
      back.close();
    },
  };
}

describeWith(['nsupdate'], 'tsig-replayed-update-applies-nothing', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'owner');
    node = await startNode({ dataDir, zone: ZONE, http: true });
  });
  afterAll(cleanup);

  it('a captured UPDATE replayed after the owner changed X re-applies nothing; the replayer gets the original reply', async () => {
    const first = signedUpdate(key, ZONE, [txtDeleteRRset(X), txtAdd(X, 300, 'A')]);
    const firstReply = await udpExchange(node.port, first.wire);
    expect(decode(firstReply!).header.rcode).toBe(Rcode.NOERROR);
    expect((await tcpTxt(node.port, X)).values).toEqual(['A']);

    const second = signedUpdate(key, ZONE, [txtDeleteRRset(X), txtAdd(X, 300, 'B')]);
    expect(decode((await udpExchange(node.port, second.wire))!).header.rcode).toBe(Rcode.NOERROR);
    expect((await tcpTxt(node.port, X)).values).toEqual(['B']);
    const applied = await metric(node, 'dmp_dns_updates_total', 'outcome="applied"');

    // The attacker's copies: UDP from a fresh socket, twice, and TCP.
    const udpReplay = await udpExchange(node.port, first.wire);
    const udpAgain = await udpExchange(node.port, first.wire);
    const [tcpReplay] = await tcpExchange(node.port, [first.wire]);
    for (const replayed of [udpReplay, udpAgain, tcpReplay]) {
      expect(Buffer.from(replayed!).equals(Buffer.from(firstReply!))).toBe(true);
    }
    // The original sender still verifies it against its request MAC.
    const now = Math.floor(Date.now() / 1000);
    expect(verifyResponse(udpReplay!, key, first.mac, now).status).toBe('ok');

    expect((await tcpTxt(node.port, X)).values).toEqual(['B']);
    expect(await metric(node, 'dmp_dns_updates_total', 'outcome="applied"')).toBe(applied);
    expect(await metric(node, 'dmp_dns_updates_total', 'outcome="replayed"')).toBe(3);
  });

  it('nsupdate whose first reply is lost retransmits the same bytes, gets the same reply, and its conditional add succeeds once', async () => {
    const relay = await lossyRelay(node.port);
    try {
      const before = await metric(node, 'dmp_dns_updates_total', 'outcome="replayed"');
      const r = await nsupdate(
        relay.port,
        ZONE,
        [`prereq nxrrset ${ONCE} TXT`, `update add ${ONCE} 300 TXT "applied once"`],
        { keyFile: key.file },
      );
      expect(r.failure).toBeUndefined();
      // nsupdate sent the identical datagram twice; the node answered both alike.
      expect(relay.requests).toHaveLength(2);
      expect(relay.requests[1]!.equals(relay.requests[0]!)).toBe(true);
      expect(relay.replies).toHaveLength(2);
      expect(relay.replies[1]!.equals(relay.replies[0]!)).toBe(true);
      expect(decode(relay.replies[1]!).header.rcode).toBe(Rcode.NOERROR);
      expect((await tcpTxt(node.port, ONCE)).values).toEqual(['applied once']);
      expect(await metric(node, 'dmp_dns_updates_total', 'outcome="replayed"')).toBe(before + 1);
    } finally {
      relay.close();
    }
  });
});
