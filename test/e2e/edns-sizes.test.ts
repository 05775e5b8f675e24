/**
 * Scenario: EDNS(0) sizing over UDP (RFC 6891). A reply carries OPT
 * (version 0, our payload size 1232) exactly when the query did; a UDP reply
 * never exceeds what the client can take — 512 without EDNS or below 512,
 * else the advertised size — and what does not fit becomes a TC=1 reply. An
 * EDNS version above 0 gets BADVERS (§6.1.3).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  describeWith,
  dig,
  kdig,
  mintKey,
  type NodeProcess,
  nsupdate,
  startNode,
  tempDir,
} from './harness.js';

const ZONE = 'mesh.test';
/** 8 values of 80 bytes: a reply of roughly 800 octets (> 512, < 1232). */
const MID = Array.from({ length: 8 }, (_, i) => `m${i}-${'y'.repeat(77)}`);
/** 24 values of 100 bytes: roughly 2700 octets (> 1232, < 4096). */
const BIG = Array.from(
  { length: 24 },
  (_, i) => `b${String(i).padStart(2, '0')}-${'z'.repeat(96)}`,
);

describeWith(['dig', 'kdig', 'nsupdate'], 'edns-sizes', () => {
  let node: NodeProcess;
  let bigUdpSize: number | undefined;

  beforeAll(async () => {
    const dataDir = await tempDir();
    const key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(
      node.port,
      ZONE,
      [
        `update add small.${ZONE} 300 TXT "tiny"`,
        ...MID.map((v) => `update add mid.${ZONE} 300 TXT "${v}"`),
        ...BIG.map((v) => `update add big.${ZONE} 300 TXT "${v}"`),
      ],
      { keyFile: key.file },
      { tcp: true },
    );
    expect(r.failure).toBeUndefined();
  });
  afterAll(async () => {
    if (bigUdpSize !== undefined) {
      console.info(`[e2e] edns-sizes: client bufsize 4096 got a ${bigUdpSize}-octet UDP reply`);
    }
    await cleanup();
  });

  it('no EDNS in the query: no OPT in the reply', async () => {
    const m = await dig(node.port, [`small.${ZONE}`, 'TXT', '+noedns']);
    expect(m.status).toBe('NOERROR');
    expect(m.edns).toBeUndefined();
    expect(m.counts.additional).toBe(0);
  });

  for (const size of [512, 1232, 4096]) {
    it(`+bufsize=${size}: OPT version 0 advertising 1232`, async () => {
      const m = await dig(node.port, [`small.${ZONE}`, 'TXT', `+bufsize=${size}`]);
      expect(m.edns).toEqual({ version: 0, udp: 1232 });
    });
  }

  it('~800-octet RRset: TC at 512 (EDNS 512, no EDNS, EDNS below 512), whole at 1232', async () => {
    for (const opts of [['+bufsize=512'], ['+noedns'], ['+bufsize=100']]) {
      const m = await dig(node.port, [`mid.${ZONE}`, 'TXT', '+notcp', '+ignore', ...opts]);
      expect(m.flags, opts.join(' ')).toContain('tc');
      expect(m.answer).toHaveLength(0);
      expect(m.msgSize!).toBeLessThanOrEqual(512);
    }
    const m = await dig(node.port, [`mid.${ZONE}`, 'TXT', '+notcp', '+ignore', '+bufsize=1232']);
    expect(m.flags).not.toContain('tc');
    expect(m.answer).toHaveLength(MID.length);
    expect(m.msgSize!).toBeGreaterThan(512);
    expect(m.msgSize!).toBeLessThanOrEqual(1232);
  });

  it('~2700-octet RRset: TC at 1232; at 4096 never more than the client offered', async () => {
    const at1232 = await dig(node.port, [`big.${ZONE}`, 'TXT', '+notcp', '+ignore']);
    expect(at1232.flags).toContain('tc');
    expect(at1232.answer).toHaveLength(0);
    const at4096 = await dig(node.port, [
      `big.${ZONE}`,
      'TXT',
      '+notcp',
      '+ignore',
      '+bufsize=4096',
    ]);
    expect(at4096.msgSize!).toBeLessThanOrEqual(4096);
    if (!at4096.flags.includes('tc')) {
      expect(at4096.answer).toHaveLength(BIG.length);
      bigUdpSize = at4096.msgSize;
    }
  });

  it('kdig agrees: TC=1 without EDNS, whole with +bufsize=1232', async () => {
    const plain = await kdig(node.port, [`mid.${ZONE}`, 'TXT', '+notcp', '+ignore']);
    expect(plain.TC).toBe(1);
    expect(plain.ANCOUNT).toBe(0);
    const sized = await kdig(node.port, [`mid.${ZONE}`, 'TXT', '+notcp', '+bufsize=1232']);
    expect(sized.TC).toBe(0);
    expect(sized.ANCOUNT).toBe(MID.length);
    expect(sized.msgLength).toBeLessThanOrEqual(1232);
  });

  it('EDNS version 1 is answered BADVERS with an OPT of version 0', async () => {
    const m = await dig(node.port, [`small.${ZONE}`, 'TXT', '+edns=1', '+noednsneg']);
    expect(m.status).toBe('BADVERS');
    expect(m.edns?.version).toBe(0);
    expect(m.answer).toHaveLength(0);
  });
});
