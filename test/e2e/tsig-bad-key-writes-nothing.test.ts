/**
 * Scenario: UPDATEs the node cannot attribute to a key it holds change
 * nothing. A TSIG key name the node does not know gets NOTAUTH with TSIG
 * error BADKEY in an unsigned reply (RFC 8945 §5.2.1 — the node cannot sign
 * with a key it does not have); nsupdate reports `NOTAUTH(BADKEY)`. An
 * unsigned UPDATE of an ordinary name is REFUSED (only verifiable claim
 * records may be written without a key). The store is read back with dig
 * after each refusal.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rcode, RRType } from '../../src/dns/wire/constants.js';
import { txtAdd } from '../../src/dns/wire/update.js';
import {
  cleanup,
  decode,
  describeWith,
  foreignKey,
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
const WATCHED = [`target.${ZONE}`, `fresh.${ZONE}`];

describeWith(['dig', 'kdig', 'nsupdate'], 'tsig-bad-key-writes-nothing', () => {
  let node: NodeProcess;
  const stranger = foreignKey(`stranger.${ZONE}.`, new Uint8Array(randomBytes(32)));

  beforeAll(async () => {
    const dataDir = await tempDir();
    const admin = await mintKey(dataDir, ZONE, 'admin');
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(node.port, ZONE, [`update add target.${ZONE} 300 TXT "original"`], {
      keyFile: admin.file,
    });
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  it('nsupdate with an unknown key name: NOTAUTH(BADKEY), store unchanged', async () => {
    const before = await snapshot(node.port, WATCHED);
    for (const lines of [
      [`update add fresh.${ZONE} 300 TXT "x"`],
      [`update delete target.${ZONE} TXT`],
      [`update add target.${ZONE} 300 TXT "overwrite"`],
    ]) {
      const r = await nsupdate(node.port, ZONE, lines, { y: stranger.y });
      expect(r.failure).toBe('NOTAUTH(BADKEY)');
    }
    expect(await snapshot(node.port, WATCHED)).toEqual(before);
  });

  it('raw: the BADKEY reply is NOTAUTH with an unsigned TSIG RR (empty MAC), same ID', async () => {
    const before = await snapshot(node.port, WATCHED);
    const req = signedUpdate(stranger, ZONE, [txtAdd(`fresh.${ZONE}`, 300, 'raw')]);
    const reply = await udpExchange(node.port, req.wire);
    expect(reply).toBeDefined();
    const m = decode(reply!);
    expect(m.header.id).toBe((req.wire[0]! << 8) | req.wire[1]!);
    expect(m.header.qr).toBe(true);
    expect(m.header.opcode).toBe(5);
    expect(m.header.rcode).toBe(Rcode.NOTAUTH);
    const tsig = m.additionals.at(-1)!;
    expect(tsig.type).toBe(RRType.TSIG);
    expect(tsig.data.kind === 'TSIG' && tsig.data.error).toBe(Rcode.BADKEY);
    expect(tsig.data.kind === 'TSIG' && tsig.data.mac.length).toBe(0);
    expect(await snapshot(node.port, WATCHED)).toEqual(before);
  });

  it('kdig query signed with an unknown key: NOTAUTH (TSIG error BADKEY)', async () => {
    const j = await kdig(node.port, ['-y', stranger.y, `target.${ZONE}`, 'TXT']);
    expect(j.RCODE).toBe(Rcode.NOTAUTH);
    expect(j.ANCOUNT).toBe(0);
  });

  it('unsigned nsupdate of an ordinary name: REFUSED, store unchanged', async () => {
    const before = await snapshot(node.port, WATCHED);
    for (const lines of [
      [`update add fresh.${ZONE} 300 TXT "x"`],
      [`update delete target.${ZONE} TXT`],
    ]) {
      const r = await nsupdate(node.port, ZONE, lines, undefined);
      expect(r.failure).toBe('REFUSED');
    }
    expect(await snapshot(node.port, WATCHED)).toEqual(before);
  });
});
