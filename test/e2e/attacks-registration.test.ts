/**
 * Attack suite: identity takeover through registration, performed against a
 * real node by a registration client written from the spec
 * (./spec-registration-client.ts, no project code) and by nsupdate.
 *
 * 1. Same-named subject of another domain: `alice@evil.example` registers
 *    at the node serving `mesh.test` and tries to replace alice@mesh.test's
 *    identity with a signed UPDATE ("delete RRset + add forged value").
 * 2. Crossing ceremonies: after alice registered a TSIG key, another key
 *    asks for a bearer token for `alice@mesh.test` (and, the other way
 *    round, for a TSIG key after bob got a token).
 *
 * Every attack must be refused with nothing stored or changed.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MeshNode, nodeRecords, startMeshNode } from './cli-harness.js';
import { cleanup, describeWith, digTxt, nsupdate, tempDir } from './harness.js';
import {
  bindKeyText,
  type SpecKeys,
  specKeys,
  specRegisterToken,
  specRegisterTsig,
} from './spec-registration-client.js';

const ZONE = 'mesh.test';
const hash = (local: string, chars: number) =>
  createHash('sha256').update(local).digest('hex').slice(0, chars);
const ALICE_ID = `id-${hash('alice', 16)}.${ZONE}`;
const ALICE_VALUE = 'v=dmp1;t=identity;alice-genuine';
const OWNED =
  'subject already has a live token; re-registration must be signed with the previously-registered Ed25519 key';

async function keyFile(dir: string, label: string, reply: { body: Record<string, unknown> }) {
  const file = join(dir, `${label}.key`);
  await writeFile(file, bindKeyText(reply as never), { mode: 0o600 });
  return file;
}

describeWith(['nsupdate', 'dig'], 'attacks-registration', () => {
  let open: MeshNode; // an operator who admits a second domain
  let strict: MeshNode; // the default allowlist
  let dir: string;
  let alice: SpecKeys;
  let mallory: SpecKeys;

  beforeAll(async () => {
    dir = await tempDir('dnsmesh-attack-');
    [open, strict] = await Promise.all([
      startMeshNode(ZONE, { env: { DMP_REGISTRATION_ALLOWLIST: 'mesh.test,evil.example' } }),
      startMeshNode(ZONE),
    ]);
    alice = specKeys();
    mallory = specKeys();
    const reg = await specRegisterTsig(open.endpoint, alice, `alice@${ZONE}`);
    expect(reg.status).toBe(200);
    const file = await keyFile(dir, 'alice', reg);
    const put = await nsupdate(
      open.port,
      ZONE,
      [`update add ${ALICE_ID} 300 TXT "${ALICE_VALUE}"`],
      { keyFile: file },
    );
    expect(put.failure).toBeUndefined();
    expect(await digTxt(open.port, ALICE_ID)).toEqual([ALICE_VALUE]);
  });
  afterAll(cleanup);

  describe('a same-named subject of another domain', () => {
    it('is refused registration by default (403)', async () => {
      const r = await specRegisterTsig(strict.endpoint, mallory, 'alice@evil.example');
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ error: 'subject not in registration allowlist' });
    });

    it('admitted by the allowlist, gets no identity name and cannot replace alice’s', async () => {
      const before = nodeRecords(open);
      const r = await specRegisterTsig(open.endpoint, mallory, 'alice@evil.example');
      expect(r.status).toBe(200);
      const suffixes = r.body.allowed_suffixes as string[];
      expect(suffixes).not.toContain(ALICE_ID);
      expect(suffixes.filter((s) => s.startsWith('id-'))).toEqual([]);
      const file = await keyFile(dir, 'mallory', r);
      const attack = await nsupdate(
        open.port,
        ZONE,
        [
          `update delete ${ALICE_ID} TXT`,
          `update add ${ALICE_ID} 300 TXT "v=dmp1;t=identity;forged"`,
        ],
        { keyFile: file },
      );
      expect(attack.failure).toBe('REFUSED');
      expect(await digTxt(open.port, ALICE_ID)).toEqual([ALICE_VALUE]);
      expect(nodeRecords(open)).toEqual(before);
    });
  });

  describe('crossing the two ceremonies', () => {
    it('another key gets no bearer token for a subject holding a TSIG key (409)', async () => {
      const r = await specRegisterToken(open.endpoint, mallory, `alice@${ZONE}`);
      expect(r).toEqual({ status: 409, body: { error: OWNED } });
      // Without a token of alice's, mallory's own token cannot touch her identity.
      const own = await specRegisterToken(open.endpoint, mallory, `mallory@${ZONE}`);
      expect(own.status).toBe(200);
      const before = nodeRecords(open);
      for (const method of ['POST', 'DELETE']) {
        const res = await fetch(`${open.endpoint}/v1/records/${ALICE_ID}`, {
          method,
          headers: {
            authorization: `Bearer ${own.body.token as string}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ value: 'v=dmp1;t=identity;forged', ttl: 300 }),
        });
        expect(res.status).toBe(401);
      }
      expect(nodeRecords(open)).toEqual(before);
      expect(await digTxt(open.port, ALICE_ID)).toEqual([ALICE_VALUE]);
    });

    it('another key gets no TSIG key for a subject holding a token (409)', async () => {
      const bob = specKeys();
      expect((await specRegisterToken(open.endpoint, bob, `bob@${ZONE}`)).status).toBe(200);
      const r = await specRegisterTsig(open.endpoint, mallory, `bob@${ZONE}`);
      expect(r).toEqual({ status: 409, body: { error: OWNED } });
      // The legitimate owner still can.
      expect((await specRegisterTsig(open.endpoint, bob, `bob@${ZONE}`)).status).toBe(200);
    });
  });
});
