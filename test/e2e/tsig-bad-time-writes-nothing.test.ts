/**
 * Scenario: an UPDATE signed with the right key at the wrong time writes
 * nothing. nsupdate cannot fake its clock, so the packets are built with the
 * project's signer (`signWire` with `timeSigned` far off) and sent over
 * node:dgram. The node answers NOTAUTH with TSIG error BADTIME, signed with
 * the key (RFC 8945 §5.2.3: Time Signed echoes the request, Other Data holds
 * the server's 48-bit time), and dig shows the store unchanged. The time
 * window is the request's fudge: a skew inside 300 s is accepted, the same
 * skew with a client fudge of 30 s is not.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyResponse } from '../../src/dns/tsig.js';
import { Rcode, RRType } from '../../src/dns/wire/constants.js';
import type { TsigRdata } from '../../src/dns/wire/rdata.js';
import { txtAdd, txtDeleteRRset } from '../../src/dns/wire/update.js';
import {
  cleanup,
  decode,
  describeWith,
  digTxt,
  type KeyMaterial,
  mintKey,
  type NodeProcess,
  nsupdate,
  replyMacVerifies,
  signedUpdate,
  snapshot,
  startNode,
  tempDir,
  udpExchange,
} from './harness.js';

const ZONE = 'mesh.test';
const WATCHED = [`target.${ZONE}`, `late.${ZONE}`];

function tsigOf(wire: Uint8Array): TsigRdata {
  const rr = decode(wire).additionals.at(-1);
  if (rr?.type !== RRType.TSIG || rr.data.kind !== 'TSIG') throw new Error('reply has no TSIG');
  return rr.data;
}

describeWith(['dig', 'nsupdate'], 'tsig-bad-time-writes-nothing', () => {
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

  for (const [what, skew] of [
    ['an hour in the past', -3600],
    ['an hour in the future', 3600],
    ['a day in the past', -86_400],
    ['just outside the fudge (-400 s)', -400],
  ] as const) {
    it(`signed ${what}: NOTAUTH/BADTIME, signed reply, nothing written`, async () => {
      const before = await snapshot(node.port, WATCHED);
      for (const updates of [
        [txtAdd(`late.${ZONE}`, 300, 'should not exist')],
        [txtDeleteRRset(`target.${ZONE}`)],
      ]) {
        // The node stamps BADTIME with floor(Date.now() / 1000) when it
        // handles the request, so its time lies between these two readings.
        const sentAt = Math.floor(Date.now() / 1000);
        const req = signedUpdate(key, ZONE, updates, { timeSigned: sentAt + skew });
        const reply = await udpExchange(node.port, req.wire);
        const repliedAt = Math.floor(Date.now() / 1000);
        expect(reply).toBeDefined();
        const m = decode(reply!);
        expect(m.header.rcode).toBe(Rcode.NOTAUTH);
        const tsig = tsigOf(reply!);
        expect(tsig.error).toBe(Rcode.BADTIME);
        expect(tsig.timeSigned).toBe(sentAt + skew);
        expect(tsig.other).toHaveLength(6);
        const serverTime = Number(Buffer.from(tsig.other).readUIntBE(0, 6));
        expect(serverTime).toBeGreaterThanOrEqual(sentAt);
        expect(serverTime).toBeLessThanOrEqual(repliedAt);
        // Signed with the key, our request MAC chained in.
        expect(replyMacVerifies(reply!, key, req.mac)).toBe(true);
      }
      expect(await snapshot(node.port, WATCHED)).toEqual(before);
    });
  }

  it('a client fudge of 30 s makes a 100 s skew BADTIME', async () => {
    const before = await snapshot(node.port, WATCHED);
    const now = Math.floor(Date.now() / 1000);
    const req = signedUpdate(key, ZONE, [txtAdd(`late.${ZONE}`, 300, 'x')], {
      timeSigned: now - 100,
      fudge: 30,
    });
    const reply = await udpExchange(node.port, req.wire);
    expect(decode(reply!).header.rcode).toBe(Rcode.NOTAUTH);
    expect(tsigOf(reply!).error).toBe(Rcode.BADTIME);
    expect(await snapshot(node.port, WATCHED)).toEqual(before);
  });

  it('control: the same packet signed 100 s ago with fudge 300 is accepted and written', async () => {
    const now = Math.floor(Date.now() / 1000);
    const req = signedUpdate(key, ZONE, [txtAdd(`late.${ZONE}`, 300, 'in time')], {
      timeSigned: now - 100,
    });
    const reply = await udpExchange(node.port, req.wire);
    expect(decode(reply!).header.rcode).toBe(Rcode.NOERROR);
    expect(tsigOf(reply!).error).toBe(0);
    expect(verifyResponse(reply!, key, req.mac, now).status).toBe('ok');
    expect(await digTxt(node.port, `late.${ZONE}`)).toEqual(['in time']);
  });
});
