/**
 * Scenario: response-rate limiting (node.md: RRL with TC=1 slips instead of
 * the reference's silent drops). With a low rate (DMP_DNS_RRL_RATE=5) and
 * slip 1 (DMP_DNS_RRL_SLIP=1: every limited reply is sent truncated), a
 * burst of identical UDP queries from one address gets a few full answers
 * and then TC=1 replies — never silence — so a real client falls back to
 * TCP at once: dig, in the middle of the limit, still gets the answer.
 * TCP is never limited, other names have their own budget, and UPDATEs
 * whose replies are limited are still applied exactly as sent.
 *
 * Regression (found by this suite, fixed): a limited reply to an
 * UPDATE the node REFUSED is slipped as TC=1 with RCODE NOERROR, so a client
 * that does not retry UPDATEs over TCP on TC (dnspython's `dns.query.udp`
 * does not) reads success for a write that was refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rcode, RRType } from '../../src/dns/wire/constants.js';
import { encodeMessage } from '../../src/dns/wire/message.js';
import { txtAdd, updateMessage } from '../../src/dns/wire/update.js';
import {
  cleanup,
  decode,
  describeWith,
  dig,
  type KeyMaterial,
  mintKey,
  type NodeProcess,
  nsupdate,
  queryWire,
  signedUpdate,
  startNode,
  tcpExchange,
  tcpTxt,
  tempDir,
  txtValueOf,
  udpExchange,
} from './harness.js';

const ZONE = 'mesh.test';
const BURST = 60;

describeWith(['dig', 'nsupdate'], 'rrl-slips-truncated-replies', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({
      dataDir,
      zone: ZONE,
      env: { DMP_DNS_RRL_RATE: '5', DMP_DNS_RRL_SLIP: '1' },
    });
    const r = await nsupdate(
      node.port,
      ZONE,
      [`update add hot.${ZONE} 300 TXT "hot"`, `update add cold.${ZONE} 300 TXT "cold"`],
      { keyFile: key.file },
      { tcp: true },
    );
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  it(`a burst of ${BURST} identical queries: some answers, then TC=1 slips, no silence`, async () => {
    const replies = await Promise.all(
      Array.from({ length: BURST }, () =>
        // With slip 1 every query gets a reply; the wait only bounds a failure.
        udpExchange(node.port, queryWire(`hot.${ZONE}`, RRType.TXT), { timeoutMs: 10_000 }),
      ),
    );
    const decoded = replies.map((r) => (r === undefined ? undefined : decode(r)));
    const full = decoded.filter((m) => m && !m.header.tc && m.answers.length === 1).length;
    const slipped = decoded.filter((m) => m?.header.tc && m.answers.length === 0).length;
    const silent = decoded.filter((m) => m === undefined).length;
    console.info(`[e2e] rrl: ${full} answered, ${slipped} slipped (TC=1), ${silent} silent`);
    expect(full).toBeGreaterThanOrEqual(1);
    expect(slipped).toBeGreaterThanOrEqual(1);
    expect(silent).toBe(0);
    expect(full + slipped).toBe(BURST);
  });

  it('dig during the limit still gets the answer (over UDP, or TCP after TC=1)', async () => {
    // Keep the bucket in debt, then ask like a client would.
    await Promise.all(
      Array.from({ length: 30 }, () =>
        udpExchange(node.port, queryWire(`hot.${ZONE}`, RRType.TXT), { timeoutMs: 500 }),
      ),
    );
    const m = await dig(node.port, [`hot.${ZONE}`, 'TXT']);
    expect(m.status).toBe('NOERROR');
    expect(m.answer.map((r) => txtValueOf(r.rdata))).toEqual(['hot']);
  });

  it('TCP is never rate limited', async () => {
    const queries = Array.from({ length: 40 }, (_, i) =>
      queryWire(`hot.${ZONE}`, RRType.TXT, { id: 1000 + i }),
    );
    const replies = (await tcpExchange(node.port, queries, { timeoutMs: 5_000 })).map(decode);
    expect(replies.every((m) => !m.header.tc && m.answers.length === 1)).toBe(true);
  });

  it('another name has its own budget', async () => {
    const reply = await udpExchange(node.port, queryWire(`cold.${ZONE}`, RRType.TXT));
    const m = decode(reply!);
    expect(m.header.tc).toBe(false);
    expect(m.answers).toHaveLength(1);
  });

  it('a limited reply never reports NOERROR for a REFUSED UPDATE', async () => {
    const refused = Array.from({ length: 12 }, (_, i) =>
      encodeMessage(
        updateMessage({ id: 3000 + i, zone: ZONE, updates: [txtAdd(`plain.${ZONE}`, 300, 'x')] }),
      ),
    );
    const replies = await Promise.all(
      refused.map((w) => udpExchange(node.port, w, { timeoutMs: 10_000 })),
    );
    const rcodes = replies.filter((r) => r !== undefined).map((r) => decode(r!).header.rcode);
    expect(rcodes.length).toBeGreaterThan(0);
    expect(rcodes.filter((rc) => rc === Rcode.NOERROR)).toEqual([]);
  });

  it('UPDATEs whose replies are limited are still applied, each exactly as sent', async () => {
    const n = 40;
    const requests = Array.from({ length: n }, (_, i) =>
      signedUpdate(key, ZONE, [txtAdd(`burst.${ZONE}`, 300, `v${i}`)]),
    );
    // Waiting for every reply (slip 1 answers each) also means every UPDATE
    // was processed before the TCP read below.
    const replies = await Promise.all(
      requests.map((r) => udpExchange(node.port, r.wire, { timeoutMs: 10_000 })),
    );
    const acknowledged = replies.filter((r) => r && !decode(r).header.tc).length;
    console.info(`[e2e] rrl: ${acknowledged}/${n} UPDATE replies not limited`);
    const { values } = await tcpTxt(node.port, `burst.${ZONE}`);
    expect(values.sort()).toEqual(Array.from({ length: n }, (_, i) => `v${i}`).sort());
  });
});
