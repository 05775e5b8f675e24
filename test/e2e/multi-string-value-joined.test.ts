/**
 * Scenario: a TXT value longer than 255 bytes travels as several
 * character-strings. nsupdate writes it as several quoted strings (split at
 * arbitrary points); the node stores the joined value and serves it re-split
 * into 255-byte strings (the split points carry no meaning, node spec §1.5),
 * so a reader that joins the strings of one RR gets the value back. Edge
 * lengths 255 / 256 and the empty value are included.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  describeWith,
  dig,
  type KeyMaterial,
  kdig,
  mintKey,
  type NodeProcess,
  nsupdate,
  startNode,
  tempDir,
  txtStrings,
  txtStringsFromHex,
  txtValueOf,
} from './harness.js';

const ZONE = 'mesh.test';
const A = 'a'.repeat(200);
const B = 'b'.repeat(200);
const JOINED = `${A}${B}ccc`; // 403 bytes, written as 200 + 200 + 3
const EXACT = 'e'.repeat(255);
const OVER = 'o'.repeat(255);

describeWith(['dig', 'kdig', 'nsupdate'], 'multi-string-value-joined', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(
      node.port,
      ZONE,
      [
        `update add long.${ZONE} 300 TXT "${A}" "${B}" "ccc"`,
        `update add edge.${ZONE} 300 TXT "${EXACT}"`,
        `update add edge1.${ZONE} 300 TXT "${OVER}" "x"`,
        `update add empty.${ZONE} 300 TXT ""`,
      ],
      { keyFile: key.file },
      { tcp: true },
    );
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  for (const transport of ['+notcp', '+tcp']) {
    it(`dig ${transport}: 403-byte value comes back as one RR, 255 + 148 strings, joined equal`, async () => {
      const m = await dig(node.port, [`long.${ZONE}`, 'TXT', transport]);
      expect(m.status).toBe('NOERROR');
      expect(m.answer).toHaveLength(1);
      const strings = txtStrings(m.answer[0]!.rdata);
      expect(strings.map((s) => s.length)).toEqual([255, 148]);
      expect(txtValueOf(m.answer[0]!.rdata)).toBe(JOINED);
    });
  }

  it('kdig: the RDATA is exactly the length-prefixed 255-byte split of the joined value', async () => {
    const j = await kdig(node.port, [`long.${ZONE}`, 'TXT', '+tcp']);
    expect(j.answerRRs).toHaveLength(1);
    const rr = j.answerRRs![0]!;
    expect(rr.RDLENGTH).toBe(403 + 2);
    const parts = txtStringsFromHex(rr.RDATAHEX!);
    expect(parts.map((p) => p.length)).toEqual([255, 148]);
    expect(Buffer.concat(parts).toString()).toBe(JOINED);
  });

  it('exactly 255 bytes stays one string; 256 bytes becomes 255 + 1', async () => {
    const exact = await dig(node.port, [`edge.${ZONE}`, 'TXT']);
    expect(txtStrings(exact.answer[0]!.rdata).map((s) => s.length)).toEqual([255]);
    const over = await dig(node.port, [`edge1.${ZONE}`, 'TXT']);
    expect(txtStrings(over.answer[0]!.rdata).map((s) => s.length)).toEqual([255, 1]);
    expect(txtValueOf(over.answer[0]!.rdata)).toBe(`${OVER}x`);
  });

  it('the empty value is one RR with one empty string', async () => {
    const j = await kdig(node.port, [`empty.${ZONE}`, 'TXT']);
    expect(j.RCODE).toBe(0);
    expect(j.answerRRs).toHaveLength(1);
    expect(j.answerRRs![0]!.RDLENGTH).toBe(1);
    expect(j.answerRRs![0]!.RDATAHEX).toBe('00');
  });

  it('a value deleted by its joined form (written as other strings) is gone', async () => {
    // Delete by value, presenting the same logical value split differently.
    const r = await nsupdate(
      node.port,
      ZONE,
      [`update delete long.${ZONE} TXT "${A.slice(0, 10)}" "${A.slice(10)}" "${B}c" "cc"`],
      { keyFile: key.file },
    );
    expect(r.failure).toBeUndefined();
    const m = await dig(node.port, [`long.${ZONE}`, 'TXT']);
    expect(m.status).toBe('NXDOMAIN');
  });
});
