/**
 * Attack suite: writes that would fill the disk or squat mailboxes, against
 * a real node, while a legitimate pair of CLI users keeps exchanging mail.
 *
 * - Mailbox squatting: a registrant (registered with the spec-written
 *   client) fills bob's slot RRset with junk over TSIG → REFUSED, nothing
 *   stored.
 * - Many claims in one datagram: one unsigned UPDATE carrying 60 valid
 *   claims → REFUSED, nothing stored.
 * - Flood: for a bounded time, unsigned claims to random recipients from
 *   one client network (127.0.1.0/24) and TSIG writes from one key, as fast
 *   as the node answers; rows written per second are printed and bounded by
 *   the budgets, and alice → bob send + recv still works during the flood
 *   (its wall time printed).
 * - Off-zone writes over HTTP: refused, nothing stored.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rcode } from '../../src/dns/wire/constants.js';
import { encodeMessage } from '../../src/dns/wire/message.js';
import { txtAdd, updateMessage } from '../../src/dns/wire/update.js';
import { generateBearerToken } from '../../src/node/auth/bearer-token.js';
import { ed25519PublicKey } from '../../src/protocol/crypto/ed25519.js';
import { sha256 } from '../../src/protocol/crypto/hash.js';
import { mailboxHash } from '../../src/protocol/names.js';
import { signClaimRecord } from '../../src/protocol/records/claim-record.js';
import {
  type CliUser,
  type MeshNode,
  makeUser,
  nodeRecords,
  OPERATOR_TOKEN,
  recvJson,
  setupUser,
  startMeshNode,
} from './cli-harness.js';
import { cleanup, decode, describeWith, nsupdate, run, tempDir, toolPath } from './harness.js';
import { bindKeyText, specKeys, specRegisterTsig } from './spec-registration-client.js';

const ZONE = 'mesh.test';
const FLOOD_MS = 3_000;
const FLOOD_MAX_PACKETS = 20_000;
const CLAIM_RATE = 5;
const CLAIM_BURST = 20;
const KEY_RATE = 50;
const KEY_BURST = 100;
const SEED = randomBytes(32);

function claimFor(recipientHash: string, slot: number): Uint8Array {
  const now = Math.floor(Date.now() / 1000);
  const value = signClaimRecord(
    {
      msgId: randomBytes(16),
      senderSpk: ed25519PublicKey(SEED),
      senderMailboxDomain: 'flood.example',
      slot,
      ts: now,
      exp: now + 300,
    },
    SEED,
  );
  return encodeMessage(
    updateMessage({
      id: randomBytes(2).readUInt16BE(),
      zone: ZONE,
      updates: [txtAdd(`claim-${slot}.mb-${recipientHash}.${ZONE}`, 300, value)],
    }),
  );
}

describeWith(['nsupdate', 'dig'], 'attacks-writes', () => {
  let node: MeshNode;
  let alice: CliUser;
  let bob: CliUser;
  let bobMailbox: string;
  let malloryKey: string;

  beforeAll(async () => {
    node = await startMeshNode(ZONE, {
      env: {
        DMP_CLAIM_RATE_PER_NETWORK: String(CLAIM_RATE),
        DMP_CLAIM_BURST_PER_NETWORK: String(CLAIM_BURST),
        DMP_TSIG_KEY_RATE: String(KEY_RATE),
        DMP_TSIG_KEY_BURST: String(KEY_BURST),
      },
    });
    [alice, bob] = await Promise.all([makeUser('alice'), makeUser('bob')]);
    await setupUser(alice, node);
    const b = await setupUser(bob, node);
    bobMailbox = mailboxHash(sha256(Buffer.from(b.x25519, 'hex')));
    await alice.ok(['identity', 'fetch', 'bob', '--add']);
    await bob.ok(['identity', 'fetch', 'alice', '--add']);
    const reg = await specRegisterTsig(node.endpoint, specKeys(), `mallory@${ZONE}`);
    expect(reg.status).toBe(200);
    malloryKey = join(await tempDir('dnsmesh-mallory-'), 'mallory.key');
    await writeFile(malloryKey, bindKeyText(reg), { mode: 0o600 });
  }, 180_000);
  afterAll(cleanup);

  it('a registrant cannot fill a mailbox slot with junk', async () => {
    const before = nodeRecords(node);
    const slot = `slot-0.mb-${bobMailbox}.${ZONE}`;
    const lines = Array.from({ length: 10 }, (_, i) => `update add ${slot} 300 TXT "junk-${i}"`);
    const r = await nsupdate(node.port, ZONE, lines, { keyFile: malloryKey });
    expect(r.failure).toBe('REFUSED');
    expect(nodeRecords(node)).toEqual(before);
  });

  it('one unsigned UPDATE cannot carry more than a few claims', async () => {
    const before = nodeRecords(node);
    const updates = Array.from({ length: 60 }, (_, i) => {
      const wire = decode(claimFor(bobMailbox, i % 10));
      return wire.authorities[0]!;
    });
    const big = encodeMessage(updateMessage({ id: 4242, zone: ZONE, updates }));
    const socket = dgram.createSocket('udp4');
    try {
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reply')), 10_000);
        socket.once('message', (m) => {
          clearTimeout(timer);
          resolve(m);
        });
        socket.send(big, node.port, '127.0.0.1');
      });
      expect(decode(new Uint8Array(reply)).header.rcode).toBe(Rcode.REFUSED);
    } finally {
      socket.close();
    }
    expect(nodeRecords(node)).toEqual(before);
  });

  it('refuses off-zone names over HTTP, even with the operator token', async () => {
    const res = await fetch(`${node.endpoint}/v1/records/chunk-0001-0123456789ab.evil.example`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'v=dmp1;t=chunk;d=AAAA', ttl: 300 }),
    });
    expect(res.status).toBe(403);
    expect(nodeRecords(node).some((r) => r.name.endsWith('evil.example'))).toBe(false);
  });

  it('well-formed unknown tokens add no audit rows (they are counted in metrics)', async () => {
    const db = new Database(node.dbPath, { readonly: true, fileMustExist: true });
    const auditRows = () =>
      (db.prepare('SELECT count(*) AS n FROM token_audit').get() as { n: number }).n;
    try {
      const before = auditRows();
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`${node.endpoint}/v1/records/dmp.alice.${ZONE}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${generateBearerToken()}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ value: 'v', ttl: 60 }),
        });
        expect(res.status).toBe(401);
      }
      expect(auditRows()).toBe(before);
      const metrics = await fetch(`${node.endpoint}/metrics`, {
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
      });
      const counted = (await metrics.text())
        .split('\n')
        .filter((l) => l.startsWith('dmp_http_token_rejections_total{'))
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
      expect(counted).toBeGreaterThanOrEqual(50);
    } finally {
      db.close();
    }
  });

  it('a claim and TSIG flood writes within its budgets while alice and bob keep talking', async () => {
    const rowsBefore = nodeRecords(node).length;
    // Claims from another client network than the users' (127.0.0.0/24).
    const flooder = dgram.createSocket('udp4');
    await new Promise<void>((r) => flooder.bind(0, '127.0.1.1', () => r()));
    let claimsSent = 0;
    let claimReplies = 0;
    let claimsAccepted = 0;
    flooder.on('message', (m) => {
      claimReplies++;
      if (decode(new Uint8Array(m)).header.rcode === Rcode.NOERROR) claimsAccepted++;
    });
    const started = performance.now();
    const until = started + FLOOD_MS;
    let stop = false;
    const claimFlood = (async () => {
      while (!stop && performance.now() < until && claimsSent < FLOOD_MAX_PACKETS) {
        const recipient = randomBytes(6).toString('hex');
        flooder.send(claimFor(recipient, claimsSent % 10), node.port, '127.0.0.1');
        claimsSent++;
        if (claimsSent % 50 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    // TSIG writes from one key: new chunk names as fast as nsupdate goes.
    const tsigFlood = (async () => {
      const lines: string[] = [];
      for (let i = 0; i < 2_000; i++) {
        lines.push(
          `update add chunk-${i}-${'cd'.repeat(6)}.${ZONE} 300 TXT "v=dmp1;t=chunk;d=AAAA"`,
          'send',
        );
      }
      return run(toolPath('nsupdate')!, ['-k', malloryKey, '-t', '5'], {
        input: [`server 127.0.0.1 ${node.port}`, `zone ${ZONE}`, ...lines, ''].join('\n'),
        timeoutMs: FLOOD_MS + 2_000,
      });
    })();

    // Meanwhile, the legitimate users.
    const t0 = performance.now();
    await alice.ok(['send', 'bob', 'through the flood']);
    const got = await recvJson(bob);
    const exchangeMs = performance.now() - t0;
    expect(got.messages.map((m) => m.text)).toEqual(['through the flood']);

    await claimFlood;
    stop = true;
    await tsigFlood;
    const floodSeconds = (performance.now() - started) / 1000;
    flooder.close();
    const written = nodeRecords(node).length - rowsBefore;
    console.log(
      `[flood] ${floodSeconds.toFixed(1)} s: ${claimsSent} claim UPDATEs sent, ${claimReplies} answered, ` +
        `${claimsAccepted} accepted; rows written ${written} = ${(written / floodSeconds).toFixed(0)}/s ` +
        `(budgets: claims ${CLAIM_RATE}/s burst ${CLAIM_BURST} per network, key ${KEY_RATE}/s burst ${KEY_BURST}); ` +
        `alice→bob send+recv during the flood ${exchangeMs.toFixed(0)} ms`,
    );
    expect(claimsSent).toBeGreaterThan(CLAIM_BURST * 5);
    // Every claim accepted fits the network's budget over the flood's time.
    expect(claimsAccepted).toBeLessThanOrEqual(
      CLAIM_BURST + Math.ceil(CLAIM_RATE * floodSeconds) + 1,
    );
    // Rows: budgeted claims + budgeted TSIG writes + the legitimate exchange
    // (a manifest, its chunks and a claim: a few rows).
    const keyBound = KEY_BURST + Math.ceil(KEY_RATE * floodSeconds) + 1;
    expect(written).toBeLessThanOrEqual(claimsAccepted + keyBound + 20);
  }, 180_000);
});
