/**
 * Scenario: a TSIG whose MAC does not verify writes nothing. Covered: the
 * right key name with the wrong secret (nsupdate → `NOTAUTH(BADSIG)`), a
 * correctly signed packet with one bit of the MAC flipped, and one with a
 * bit of the TXT data flipped after signing (the MAC no longer covers what
 * arrived). The node answers NOTAUTH, TSIG error BADSIG, unsigned (empty
 * MAC: RFC 8945 §5.3.2), and dig shows the store unchanged.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rcode, RRType } from '../../src/dns/wire/constants.js';
import { txtAdd, txtDeleteRRset } from '../../src/dns/wire/update.js';
import {
  cleanup,
  decode,
  describeWith,
  digTxt,
  foreignKey,
  type KeyMaterial,
  kdig,
  mintKey,
  type NodeProcess,
  nsupdate,
  signedUpdate,
  snapshot,
  startNode,
  tempDir,
  udpExchange,
} from './harness.js';

const ZONE = 'mesh.test';
const WATCHED = [`target.${ZONE}`, `forged.${ZONE}`];

function expectBadsig(reply: Uint8Array | undefined): void {
  expect(reply).toBeDefined();
  const m = decode(reply!);
  expect(m.header.rcode).toBe(Rcode.NOTAUTH);
  const tsig = m.additionals.at(-1)!;
  expect(tsig.type).toBe(RRType.TSIG);
  if (tsig.data.kind !== 'TSIG') throw new Error('not a TSIG');
  expect(tsig.data.error).toBe(Rcode.BADSIG);
  expect(tsig.data.mac).toHaveLength(0);
}

describeWith(['dig', 'kdig', 'nsupdate'], 'tsig-bad-sig-writes-nothing', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(node.port, ZONE, [`update add target.${ZONE} 300 TXT "original"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  it('nsupdate: right key name, wrong secret → NOTAUTH(BADSIG), store unchanged', async () => {
    const impostor = foreignKey(key.name, new Uint8Array(randomBytes(32)));
    const before = await snapshot(node.port, WATCHED);
    for (const lines of [
      [`update add forged.${ZONE} 300 TXT "x"`],
      [`update delete target.${ZONE} TXT "original"`],
    ]) {
      const r = await nsupdate(node.port, ZONE, lines, { y: impostor.y });
      expect(r.failure).toBe('NOTAUTH(BADSIG)');
    }
    expect(await snapshot(node.port, WATCHED)).toEqual(before);
  });

  it('kdig query with the wrong secret: NOTAUTH, no answer', async () => {
    const impostor = foreignKey(key.name, new Uint8Array(randomBytes(32)));
    const j = await kdig(node.port, ['-y', impostor.y, `target.${ZONE}`, 'TXT']);
    expect(j.RCODE).toBe(Rcode.NOTAUTH);
    expect(j.ANCOUNT).toBe(0);
  });

  it('raw: one MAC bit flipped → BADSIG unsigned, nothing written (add and delete)', async () => {
    const before = await snapshot(node.port, WATCHED);
    for (const updates of [
      [txtAdd(`forged.${ZONE}`, 300, 'tampered')],
      [txtDeleteRRset(`target.${ZONE}`)],
    ]) {
      const req = signedUpdate(key, ZONE, updates);
      const wire = Buffer.from(req.wire);
      // The MAC is followed by original ID (2), error (2), other len (2).
      wire[wire.length - 6 - 1]! ^= 0x01;
      expectBadsig(await udpExchange(node.port, wire));
    }
    expect(await snapshot(node.port, WATCHED)).toEqual(before);
  });

  it('raw: one bit of the TXT data flipped after signing → BADSIG, nothing written', async () => {
    const before = await snapshot(node.port, WATCHED);
    const req = signedUpdate(key, ZONE, [txtAdd(`forged.${ZONE}`, 300, 'payload-AAAA')]);
    const wire = Buffer.from(req.wire);
    const at = wire.indexOf(Buffer.from('payload-AAAA'));
    expect(at).toBeGreaterThan(0);
    wire[at + 8]! ^= 0x02; // 'A' → 'C'
    expectBadsig(await udpExchange(node.port, wire));
    expect(await snapshot(node.port, WATCHED)).toEqual(before);
  });

  it('control: the untampered packet is accepted and written', async () => {
    const req = signedUpdate(key, ZONE, [txtAdd(`forged.${ZONE}`, 300, 'payload-AAAA')]);
    const reply = await udpExchange(node.port, req.wire);
    expect(decode(reply!).header.rcode).toBe(Rcode.NOERROR);
    expect(await digTxt(node.port, `forged.${ZONE}`)).toEqual(['payload-AAAA']);
  });
});
