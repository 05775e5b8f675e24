/**
 * Scenario: the operator flow. `dnsmesh-node key add` mints a TSIG key and
 * prints a BIND key file; nsupdate (UDP and TCP) uses it to add values,
 * delete one value (class NONE) and delete the RRset (class ANY), each
 * acknowledged NOERROR with a TSIG-signed reply (nsupdate verifies it) and
 * visible to dig right after. Deleting something absent is a NOERROR no-op
 * (RFC 2136 §3.4.2; the reference said SERVFAIL). An UPDATE holding several
 * operations applies them in order.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  describeWith,
  digTxt,
  type KeyMaterial,
  mintKey,
  type NodeProcess,
  nsupdate,
  snapshot,
  startNode,
  tempDir,
} from './harness.js';

const ZONE = 'mesh.test';
const NAME = `rec.${ZONE}`;

describeWith(['dig', 'nsupdate'], 'nsupdate-add-delete-with-minted-key', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'operator');
    node = await startNode({ dataDir, zone: ZONE });
  });
  afterAll(cleanup);

  it('the key file names the key under the zone with hmac-sha256 and a 32-byte secret', () => {
    expect(key.name).toBe(`operator.${ZONE}.`);
    expect(key.algorithm).toBe('hmac-sha256');
    expect(key.secret).toHaveLength(32);
  });

  it('add over UDP, add another over TCP: both values served', async () => {
    const udp = await nsupdate(node.port, ZONE, [`update add ${NAME} 300 TXT "alpha"`], {
      keyFile: key.file,
    });
    expect(udp.failure).toBeUndefined();
    expect(udp.code).toBe(0);
    const tcp = await nsupdate(
      node.port,
      ZONE,
      [`update add ${NAME} 300 TXT "beta"`],
      { keyFile: key.file },
      { tcp: true },
    );
    expect(tcp.failure).toBeUndefined();
    expect((await digTxt(node.port, NAME)).sort()).toEqual(['alpha', 'beta']);
  });

  it('re-adding an existing value does not duplicate it', async () => {
    const r = await nsupdate(node.port, ZONE, [`update add ${NAME} 600 TXT "alpha"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
    expect((await digTxt(node.port, NAME)).sort()).toEqual(['alpha', 'beta']);
  });

  it('delete one value (class NONE): the other stays', async () => {
    const r = await nsupdate(node.port, ZONE, [`update delete ${NAME} TXT "alpha"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
    expect(await digTxt(node.port, NAME)).toEqual(['beta']);
  });

  it('deleting an absent value is a NOERROR no-op', async () => {
    const before = await snapshot(node.port, [NAME]);
    const r = await nsupdate(node.port, ZONE, [`update delete ${NAME} TXT "never-written"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
    expect(await snapshot(node.port, [NAME])).toEqual(before);
  });

  it('delete the RRset (class ANY): NXDOMAIN afterwards; deleting it again is a no-op', async () => {
    let r = await nsupdate(node.port, ZONE, [`update delete ${NAME} TXT`], { keyFile: key.file });
    expect(r.failure).toBeUndefined();
    expect(await digTxt(node.port, NAME)).toEqual([]);
    r = await nsupdate(node.port, ZONE, [`update delete ${NAME} TXT`], { keyFile: key.file });
    expect(r.failure).toBeUndefined();
  });

  it('one UPDATE with several operations applies them in order', async () => {
    const r = await nsupdate(
      node.port,
      ZONE,
      [
        `update add a.${ZONE} 300 TXT "1"`,
        `update add a.${ZONE} 300 TXT "2"`,
        `update add b.${ZONE} 300 TXT "3"`,
        `update delete a.${ZONE} TXT "1"`,
      ],
      { keyFile: key.file },
    );
    expect(r.failure).toBeUndefined();
    expect(await snapshot(node.port, [`a.${ZONE}`, `b.${ZONE}`])).toEqual({
      [`a.${ZONE}`]: ['2'],
      [`b.${ZONE}`]: ['3'],
    });
  });

  it('owner names are case-insensitive: written in upper case, read in lower case', async () => {
    const r = await nsupdate(node.port, ZONE, [`update add MiXeD.MESH.test 300 TXT "case"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
    expect(await digTxt(node.port, `mixed.${ZONE}`)).toEqual(['case']);
  });
});
