/**
 * Attack suite: what one writer may hold, against a real node (limits
 * lowered so the attacks stay short; docs/security.md, "Per-writer limits").
 *
 * - Slot squatting with valid manifests: a registrant (registered with the
 *   spec-written client) signs manifests for bob with keys of its own and
 *   adds them to one slot over TSIG until refused; the refused one is not
 *   stored and another registrant can still write to that slot.
 * - Row quota across credentials: the same subject fills its quota over
 *   TSIG; its bearer token (same subject, same Ed25519 key) is then refused
 *   over HTTP too, and nothing is stored; another registrant still writes.
 * - Anonymous claims: one network cannot place more than its share in one
 *   claim RRset, and claims from many networks together cannot hold more
 *   than the anonymous cap; refused claims are not stored.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rcode } from '../../src/dns/wire/constants.js';
import { encodeMessage } from '../../src/dns/wire/message.js';
import { txtAdd, updateMessage } from '../../src/dns/wire/update.js';
import { ed25519PublicKey } from '../../src/protocol/crypto/ed25519.js';
import { sha256 } from '../../src/protocol/crypto/hash.js';
import { mailboxHash } from '../../src/protocol/names.js';
import { encodeChunkRecord } from '../../src/protocol/records/chunk-record.js';
import { signClaimRecord } from '../../src/protocol/records/claim-record.js';
import { signSlotManifest } from '../../src/protocol/records/slot-manifest.js';
import { type MeshNode, nodeRecords, startMeshNode } from './cli-harness.js';
import { cleanup, decode, describeWith, nsupdate, tempDir } from './harness.js';
import {
  bindKeyText,
  type SpecKeys,
  specKeys,
  specRegisterToken,
  specRegisterTsig,
} from './spec-registration-client.js';

const ZONE = 'mesh.test';
const PER_NAME = 4;
const PER_WRITER = 12;
const CLAIM_CAP = 10;

const BOB_ID = sha256(randomBytes(32));
const BOB = mailboxHash(BOB_ID);

/** A TXT value as nsupdate character-strings (≤ 255 octets each). */
function txt(value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(`"${value.slice(i, i + 255)}"`);
  return parts.join(' ');
}

/** A valid manifest for bob, signed by a fresh key (any sender may write one). */
function manifestForBob(): string {
  const seed = randomBytes(32);
  const now = BigInt(Math.floor(Date.now() / 1000));
  return signSlotManifest(
    {
      msgId: randomBytes(16),
      senderSpk: ed25519PublicKey(seed),
      recipientId: BOB_ID,
      totalChunks: 1,
      dataChunks: 1,
      prekeyId: 0,
      ts: now,
      exp: now + 600n,
      chunkHashes: [randomBytes(32)],
    },
    seed,
  );
}

function claimUpdate(recipient: string, slot: number): Uint8Array {
  const seed = randomBytes(32);
  const now = Math.floor(Date.now() / 1000);
  const value = signClaimRecord(
    {
      msgId: randomBytes(16),
      senderSpk: ed25519PublicKey(seed),
      senderMailboxDomain: 'sender.example',
      slot,
      ts: now,
      exp: now + 300,
    },
    seed,
  );
  return encodeMessage(
    updateMessage({
      id: randomBytes(2).readUInt16BE(),
      zone: ZONE,
      updates: [txtAdd(`claim-${slot}.mb-${recipient}.${ZONE}`, 300, value)],
    }),
  );
}

/** Sends one UPDATE over UDP from `from` (a loopback address) and returns its RCODE. */
async function udpRcode(wire: Uint8Array, port: number, from: string): Promise<number> {
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve) => socket.bind(0, from, resolve));
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${from}`)), 10_000);
      socket.once('message', (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      socket.send(wire, port, '127.0.0.1');
    });
    return decode(new Uint8Array(reply)).header.rcode;
  } finally {
    socket.close();
  }
}

async function registerTsig(node: MeshNode, keys: SpecKeys, user: string): Promise<string> {
  const reg = await specRegisterTsig(node.endpoint, keys, `${user}@${ZONE}`);
  expect(reg.status).toBe(200);
  const file = join(await tempDir(`dnsmesh-${user}-`), `${user}.key`);
  await writeFile(file, bindKeyText(reg), { mode: 0o600 });
  return file;
}

function chunkName(): string {
  return `chunk-0001-${randomBytes(6).toString('hex')}.${ZONE}`;
}

describeWith(['nsupdate'], 'attacks-writer-limits', () => {
  let node: MeshNode;
  const malloryKeys = specKeys();
  let mallory: string;
  let carol: string;

  beforeAll(async () => {
    node = await startMeshNode(ZONE, {
      env: {
        DMP_MAX_VALUES_PER_NAME_PER_WRITER: String(PER_NAME),
        DMP_MAX_RECORDS_PER_WRITER: String(PER_WRITER),
        DMP_MAX_CLAIM_RECORDS: String(CLAIM_CAP),
      },
    });
    mallory = await registerTsig(node, malloryKeys, 'mallory');
    carol = await registerTsig(node, specKeys(), 'carol');
  }, 120_000);
  afterAll(cleanup);

  it('one registrant cannot squat a slot with valid manifests of its own', async () => {
    const slot = `slot-0.mb-${BOB}.${ZONE}`;
    for (let i = 0; i < PER_NAME; i++) {
      const r = await nsupdate(
        node.port,
        ZONE,
        [`update add ${slot} 300 TXT ${txt(manifestForBob())}`],
        {
          keyFile: mallory,
        },
      );
      expect(r.failure).toBeUndefined();
    }
    const before = nodeRecords(node);
    const extra = manifestForBob();
    const refused = await nsupdate(node.port, ZONE, [`update add ${slot} 300 TXT ${txt(extra)}`], {
      keyFile: mallory,
    });
    expect(refused.failure).toBe('REFUSED');
    expect(nodeRecords(node)).toEqual(before);
    // The slot is not closed to everyone else.
    const other = await nsupdate(
      node.port,
      ZONE,
      [`update add ${slot} 300 TXT ${txt(manifestForBob())}`],
      {
        keyFile: carol,
      },
    );
    expect(other.failure).toBeUndefined();
    expect(nodeRecords(node).filter((r) => r.name === slot)).toHaveLength(PER_NAME + 1);
  });

  it('a subject that filled its quota over TSIG is refused over HTTP with its token too', async () => {
    // Mallory holds PER_NAME rows from the previous test; fill the rest.
    const room = PER_WRITER - PER_NAME;
    const lines = Array.from(
      { length: room },
      () => `update add ${chunkName()} 300 TXT ${txt(encodeChunkRecord(randomBytes(100)))}`,
    );
    expect((await nsupdate(node.port, ZONE, lines, { keyFile: mallory })).failure).toBeUndefined();

    const before = nodeRecords(node);
    const over = await nsupdate(
      node.port,
      ZONE,
      [`update add ${chunkName()} 300 TXT ${txt(encodeChunkRecord(randomBytes(100)))}`],
      { keyFile: mallory },
    );
    expect(over.failure).toBe('REFUSED');

    const tokenReply = await specRegisterToken(node.endpoint, malloryKeys, `mallory@${ZONE}`);
    expect(tokenReply.status).toBe(200);
    const res = await fetch(`${node.endpoint}/v1/records/${chunkName()}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokenReply.body.token as string}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ value: encodeChunkRecord(randomBytes(100)), ttl: 300 }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/quota/);
    expect(nodeRecords(node)).toEqual(before);

    // Everybody else still writes.
    const carolWrite = await nsupdate(
      node.port,
      ZONE,
      [`update add ${chunkName()} 300 TXT ${txt(encodeChunkRecord(randomBytes(100)))}`],
      { keyFile: carol },
    );
    expect(carolWrite.failure).toBeUndefined();
  });

  it('anonymous claims: a share per network per RRset, and a cap for all networks together', async () => {
    const recipient = mailboxHash(sha256(randomBytes(32)));
    const rrset = `claim-3.mb-${recipient}.${ZONE}`;
    const rcodes: number[] = [];
    for (let i = 0; i <= PER_NAME; i++) {
      rcodes.push(await udpRcode(claimUpdate(recipient, 3), node.port, '127.0.0.1'));
    }
    expect(rcodes).toEqual([...Array(PER_NAME).fill(Rcode.NOERROR), Rcode.REFUSED]);
    expect(nodeRecords(node).filter((r) => r.name === rrset)).toHaveLength(PER_NAME);

    // Other networks (127.0.N.0/24) fill the anonymous cap; then even a
    // fresh network is refused, and nothing it sent is stored.
    let accepted = PER_NAME;
    for (let net = 1; accepted < CLAIM_CAP && net < 20; net++) {
      const r = await udpRcode(claimUpdate(recipient, net % 10), node.port, `127.0.${net}.1`);
      if (r === Rcode.NOERROR) accepted++;
    }
    expect(accepted).toBe(CLAIM_CAP);
    const before = nodeRecords(node);
    expect(await udpRcode(claimUpdate(recipient, 5), node.port, '127.0.77.1')).toBe(Rcode.REFUSED);
    expect(nodeRecords(node)).toEqual(before);
    // Registrants are not affected by the anonymous cap.
    const carolWrite = await nsupdate(
      node.port,
      ZONE,
      [`update add ${chunkName()} 300 TXT ${txt(encodeChunkRecord(randomBytes(100)))}`],
      { keyFile: carol },
    );
    expect(carolWrite.failure).toBeUndefined();
  });
});
