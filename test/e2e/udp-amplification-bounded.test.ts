/**
 * Scenario: UDP amplification against a real node on loopback, and the way
 * out for honest clients (docs/security.md, "UDP replies and amplification").
 *
 * An attacker who spoofs a victim's address asks many *different* names,
 * each drawing a ~1 kB answer from a ~40-octet query: RRL, which limits
 * identical-looking answers, lets every one through. Here one UDP socket
 * (the "victim's" /24, no spoofing needed on loopback) does exactly that:
 *
 * (a) against a node with the per-network byte budget off (RRL on, as
 *     before), then against one with a 20 kB/s budget: the full answers the
 *     second node sends stay within burst + rate × elapsed, the excess comes
 *     back as TC=1 replies no larger than their queries (or not at all), and
 *     TCP still answers in full;
 * (b) `dig +cookie` gets a server cookie, and a query echoing it is answered
 *     in full over UDP while the same network is over budget (the cookie
 *     proves the source address), while a cookie-less query is not;
 * (d) a COOKIE option of a malformed length is FORMERR.
 *
 * Every load loop is bounded in count and time; assertions are on octets,
 * counts and flags, never on durations.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rcode, RRClass, RRType } from '../../src/dns/wire/constants.js';
import { EDNS_COOKIE } from '../../src/dns/wire/cookie.js';
import { ednsRecord, findEdns } from '../../src/dns/wire/edns.js';
import { makeHeader } from '../../src/dns/wire/header.js';
import { encodeMessage } from '../../src/dns/wire/message.js';
import {
  cleanup,
  decode,
  describeWith,
  dig,
  type KeyMaterial,
  metric,
  mintKey,
  type NodeProcess,
  nsupdate,
  queryWire,
  startNode,
  tcpExchange,
  tempDir,
  udpExchange,
} from './harness.js';

const ZONE = 'mesh.test';
/** Names with a ~1 kB TXT RRset each (4 values of 235 octets). */
const NAMES = 40;
const VALUES = Array.from({ length: 4 }, (_, i) => `${i}`.repeat(235));
/** Queries in one flood, sent in batches of BATCH every PACE_MS. */
const FLOOD = 2_000;
const BATCH = 20;
const PACE_MS = 10;
/** Upper bound on the sending loop, whatever the machine's speed. */
const FLOOD_MAX_MS = 20_000;
const BUDGET = 20_000;

const nameOf = (i: number) => `big${i % NAMES}.${ZONE}`;

async function publish(node: NodeProcess, key: KeyMaterial): Promise<void> {
  const lines: string[] = [];
  for (let n = 0; n < NAMES; n++) {
    for (const v of VALUES) lines.push(`update add big${n}.${ZONE} 3600 TXT "${v}"`);
  }
  const r = await nsupdate(node.port, ZONE, lines, { keyFile: key.file }, { tcp: true });
  expect(r.failure).toBeUndefined();
}

interface FloodResult {
  readonly sent: number;
  readonly queryBytes: number;
  readonly fullReplies: number;
  readonly fullBytes: number;
  readonly slips: number;
  readonly slipBytes: number;
  /** Slips larger than the query they answer (should be none). */
  readonly oversizedSlips: number;
  readonly elapsedSeconds: number;
}

/**
 * Sends FLOOD queries for NAMES different names from one socket, paced, and
 * collects every reply until 1 s after the last query (at most). `elapsed`
 * runs from the first query to the last reply.
 */
async function flood(port: number): Promise<FloodResult> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  try {
    socket.setRecvBufferSize(8 * 1024 * 1024);
  } catch {
    // the kernel may cap it; loopback replies are read promptly anyway
  }
  const querySize = new Map<number, number>();
  let fullReplies = 0;
  let fullBytes = 0;
  let slips = 0;
  let slipBytes = 0;
  let oversizedSlips = 0;
  let lastReply = 0;
  socket.on('message', (msg: Buffer) => {
    lastReply = performance.now();
    const m = decode(new Uint8Array(msg));
    if (m.header.tc) {
      slips++;
      slipBytes += msg.length;
      if (msg.length > (querySize.get(m.header.id) ?? 0) || m.answers.length > 0) oversizedSlips++;
    } else {
      fullReplies++;
      fullBytes += msg.length;
    }
  });
  const started = performance.now();
  let sent = 0;
  let queryBytes = 0;
  try {
    while (sent < FLOOD && performance.now() - started < FLOOD_MAX_MS) {
      for (let i = 0; i < BATCH && sent < FLOOD; i++, sent++) {
        const wire = queryWire(nameOf(sent), RRType.TXT, { id: sent });
        querySize.set(sent, wire.length);
        queryBytes += wire.length;
        socket.send(wire, port, '127.0.0.1');
      }
      await new Promise((r) => setTimeout(r, PACE_MS));
    }
    // Replies still in flight: wait for 1 s without one (at most 10 s).
    const sentAll = performance.now();
    while (performance.now() - sentAll < 10_000) {
      await new Promise((r) => setTimeout(r, 50));
      if (performance.now() - Math.max(lastReply, sentAll) > 1_000) break;
    }
  } finally {
    socket.close();
  }
  return {
    sent,
    queryBytes,
    fullReplies,
    fullBytes,
    slips,
    slipBytes,
    oversizedSlips,
    elapsedSeconds: (Math.max(lastReply, started) - started) / 1000,
  };
}

function report(label: string, f: FloodResult): void {
  const rate = f.elapsedSeconds > 0 ? Math.round(f.fullBytes / f.elapsedSeconds) : f.fullBytes;
  console.info(
    `[e2e] amplification ${label}: ${f.sent} queries (${f.queryBytes} B) in ${f.elapsedSeconds.toFixed(2)} s → ` +
      `${f.fullReplies} full answers (${f.fullBytes} B, ${rate} B/s, ×${(f.fullBytes / f.queryBytes).toFixed(1)}), ` +
      `${f.slips} TC=1 slips (${f.slipBytes} B), ${f.sent - f.fullReplies - f.slips} silent`,
  );
}

/** A query carrying a COOKIE option of `cookie` octets. */
function cookieQuery(name: string, cookie: Uint8Array, id = 4242): Uint8Array {
  return encodeMessage({
    header: makeHeader({ id }),
    questions: [{ name, type: RRType.TXT, class: RRClass.IN }],
    answers: [],
    authorities: [],
    additionals: [ednsRecord({ udpSize: 1232, options: [{ code: EDNS_COOKIE, data: cookie }] })],
  });
}

/** The hex cookie dig printed in its OPT pseudosection (`; COOKIE: … (good)`). */
function digCookie(text: string): string | undefined {
  return /; COOKIE: ([0-9a-f]+)/i.exec(text)?.[1]?.toLowerCase();
}

describeWith(['dig', 'nsupdate'], 'udp-amplification-bounded', () => {
  afterAll(cleanup);

  describe('(a) many names from one network: RRL alone vs the byte budget', () => {
    let open: NodeProcess;
    let budgeted: NodeProcess;
    let before: FloodResult;
    let after: FloodResult;

    beforeAll(async () => {
      const openDir = await tempDir();
      const budgetDir = await tempDir();
      const keys = await Promise.all([
        mintKey(openDir, ZONE, 'writer'),
        mintKey(budgetDir, ZONE, 'writer'),
      ]);
      open = await startNode({
        dataDir: openDir,
        zone: ZONE,
        env: { DMP_DNS_RESPONSE_BYTES_PER_NETWORK: '0' },
      });
      budgeted = await startNode({
        dataDir: budgetDir,
        zone: ZONE,
        http: true,
        env: { DMP_DNS_RESPONSE_BYTES_PER_NETWORK: String(BUDGET) },
      });
      await publish(open, keys[0]);
      await publish(budgeted, keys[1]);
    }, 60_000);

    it('RRL alone answers nearly every query in full (the amplification)', async () => {
      before = await flood(open.port);
      report('budget off', before);
      expect(before.sent).toBe(FLOOD);
      expect(before.fullReplies).toBeGreaterThan(FLOOD / 2);
      expect(before.fullBytes).toBeGreaterThan(20 * before.queryBytes * 0.5);
    }, 60_000);

    it('the byte budget holds full answers to burst + rate × elapsed; the rest are small slips or silence', async () => {
      after = await flood(budgeted.port);
      report(`budget ${BUDGET} B/s`, after);
      expect(after.sent).toBe(FLOOD);
      // burst (one second's worth) + rate × the flood's duration + one reply.
      expect(after.fullBytes).toBeLessThanOrEqual(BUDGET + BUDGET * after.elapsedSeconds + 1_232);
      expect(after.slips).toBeGreaterThan(0);
      expect(after.oversizedSlips).toBe(0);
      expect(after.fullBytes).toBeLessThan(before.fullBytes);
      const slipped = await metric(budgeted, 'dmp_dns_socket_events_total', 'event="budget-slip"');
      const dropped = await metric(budgeted, 'dmp_dns_socket_events_total', 'event="budget-drop"');
      expect(slipped).toBeGreaterThanOrEqual(after.slips);
      expect(slipped + dropped).toBeGreaterThanOrEqual(FLOOD - after.fullReplies - 50);
      expect(await metric(budgeted, 'dmp_dns_response_budget_sent_bytes')).toBeGreaterThanOrEqual(
        after.fullBytes,
      );
    }, 60_000);

    it('TCP still answers in full while the network is over its UDP budget', async () => {
      // Keep the network over budget, then ask over TCP.
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          udpExchange(budgeted.port, queryWire(nameOf(i), RRType.TXT), { timeoutMs: 300 }),
        ),
      );
      const queries = Array.from({ length: NAMES }, (_, i) =>
        queryWire(nameOf(i), RRType.TXT, { id: 7000 + i }),
      );
      const replies = (await tcpExchange(budgeted.port, queries, { timeoutMs: 10_000 })).map(
        decode,
      );
      expect(replies.every((m) => !m.header.tc && m.answers.length === VALUES.length)).toBe(true);
    }, 30_000);
  });

  describe('(b) dig +cookie: a proven source is answered while its network is over budget', () => {
    let node: NodeProcess;

    beforeAll(async () => {
      const dataDir = await tempDir();
      const key = await mintKey(dataDir, ZONE, 'writer');
      // 100 B/s: the burst is one full reply (1,232 B); a 1 kB answer takes 10 s to earn.
      node = await startNode({
        dataDir,
        zone: ZONE,
        http: true,
        env: { DMP_DNS_RESPONSE_BYTES_PER_NETWORK: '100', DMP_DNS_RRL_SLIP: '1' },
      });
      await publish(node, key);
    }, 60_000);

    it('gets a server cookie, then an answer over UDP that a cookie-less query does not get', async () => {
      const first = await dig(node.port, [`big0.${ZONE}`, 'TXT', '+cookie', '+notcp', '+ignore']);
      const cookie = digCookie(first.text);
      expect(cookie, first.text).toMatch(/^[0-9a-f]{48}$/); // client 8 + server 16 octets
      expect(first.text).toMatch(/COOKIE: [0-9a-f]+ \(good\)/);

      // The network is now over budget: cookie-less queries get TC=1 (slip 1).
      const plain = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          udpExchange(node.port, queryWire(nameOf(i), RRType.TXT), { timeoutMs: 2_000 }),
        ),
      );
      const plainFull = plain.filter((r) => r !== undefined && !decode(r).header.tc).length;
      expect(plainFull).toBe(0);

      // Echoing the server cookie: a full answer over UDP, no TC, no TCP retry.
      const second = await dig(node.port, [
        `big0.${ZONE}`,
        'TXT',
        `+cookie=${cookie}`,
        '+notcp',
        '+ignore',
      ]);
      expect(second.status).toBe('NOERROR');
      expect(second.flags).not.toContain('tc');
      expect(second.transport).toBe('UDP');
      expect(second.answer).toHaveLength(VALUES.length);
      expect(digCookie(second.text)?.slice(0, 16)).toBe(cookie!.slice(0, 16));

      // And once more for good measure, still over budget.
      const again = await udpExchange(
        node.port,
        cookieQuery(`big1.${ZONE}`, Buffer.from(cookie!, 'hex')),
      );
      const m = decode(again!);
      expect([m.header.tc, m.answers.length]).toEqual([false, VALUES.length]);

      expect(await metric(node, 'dmp_dns_cookies_total', 'outcome="valid"')).toBeGreaterThanOrEqual(
        2,
      );
      expect(
        await metric(node, 'dmp_dns_socket_events_total', 'event="budget-slip"'),
      ).toBeGreaterThan(0);
    }, 60_000);
  });

  describe('(d) malformed COOKIE option', () => {
    let node: NodeProcess;

    beforeAll(async () => {
      node = await startNode({ zone: ZONE });
    });

    it('is answered FORMERR over UDP and TCP, with an OPT and no cookie', async () => {
      for (const length of [1, 7, 9, 12, 15, 41]) {
        const wire = cookieQuery(`big0.${ZONE}`, new Uint8Array(length).fill(0xab), 100 + length);
        const udp = decode((await udpExchange(node.port, wire, { timeoutMs: 5_000 }))!);
        const [tcp] = (await tcpExchange(node.port, [wire], { timeoutMs: 5_000 })).map(decode);
        for (const m of [udp, tcp!]) {
          expect(m.header.rcode, `length ${length}`).toBe(Rcode.FORMERR);
          expect(findEdns(m)?.options).toEqual([]);
        }
      }
      // A well-formed one next to it is fine.
      const ok = decode(
        (await udpExchange(node.port, cookieQuery(`big0.${ZONE}`, new Uint8Array(8))))!,
      );
      expect(ok.header.rcode).toBe(Rcode.NXDOMAIN);
    });
  });
});
