/**
 * Scenario: an UPDATE for a zone the node does not serve is NOTAUTH; one for
 * our zone whose records lie outside it is NOTZONE (RFC 2136 §3.1, §3.4.1.3).
 * Both are signed replies to a signed request, and nothing is written.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyResponse } from '../../src/dns/tsig.js';
import { Rcode } from '../../src/dns/wire/constants.js';
import { txtAdd } from '../../src/dns/wire/update.js';
import {
  cleanup,
  decode,
  describeWith,
  type KeyMaterial,
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
const WATCHED = [`in.${ZONE}`];

describeWith(['dig', 'nsupdate'], 'update-wrong-zone-notauth-notzone', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE });
  });
  afterAll(cleanup);

  it('nsupdate for a zone we do not serve: NOTAUTH', async () => {
    const r = await nsupdate(node.port, 'other.test', ['update add x.other.test 300 TXT "x"'], {
      keyFile: key.file,
    });
    expect(r.failure).toBe('NOTAUTH');
  });

  it('nsupdate for a sub-zone name that is not our apex: NOTAUTH', async () => {
    const r = await nsupdate(node.port, `sub.${ZONE}`, [`update add x.sub.${ZONE} 300 TXT "x"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBe('NOTAUTH');
    expect(await snapshot(node.port, [`x.sub.${ZONE}`])).toEqual({ [`x.sub.${ZONE}`]: [] });
  });

  it('raw: our zone, a record outside it plus one inside → NOTZONE, signed, nothing written', async () => {
    const before = await snapshot(node.port, WATCHED);
    const req = signedUpdate(key, ZONE, [
      txtAdd(`in.${ZONE}`, 300, 'inside'),
      txtAdd('x.other.test', 300, 'outside'),
    ]);
    const reply = await udpExchange(node.port, req.wire);
    expect(decode(reply!).header.rcode).toBe(Rcode.NOTZONE);
    expect(verifyResponse(reply!, key, req.mac, Math.floor(Date.now() / 1000)).status).toBe('ok');
    expect(await snapshot(node.port, WATCHED)).toEqual(before);
  });

  it('raw: zone other.test, signed → NOTAUTH reply is signed too', async () => {
    const req = signedUpdate(key, 'other.test', [txtAdd('x.other.test', 300, 'x')]);
    const reply = await udpExchange(node.port, req.wire);
    expect(decode(reply!).header.rcode).toBe(Rcode.NOTAUTH);
    expect(verifyResponse(reply!, key, req.mac, Math.floor(Date.now() / 1000)).status).toBe('ok');
  });
});
