/**
 * Scenario: two people, one node, nothing but the real CLI. alice and bob
 * each run init → tsig register → identity publish against a real
 * `dnsmesh-node` (multi-tenant, self-service registration, DNS UPDATE),
 * pin each other with `identity fetch --add`, and message both ways —
 * first without one-time prekeys (long-term key), then with them (the
 * prekey is consumed: gone from the node after the recipient's recv).
 * Sizes: a 1-byte message and the largest one the limits allow arrive
 * intact; one byte more is refused up front, naming the limit, and
 * nothing reaches the node. A second recv delivers nothing (replay cache).
 * Tampering through a TSIG key the test mints on the node — a re-signed
 * manifest, chunks swapped for another message's — never delivers altered
 * or foreign content.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxBodyBytes } from '../../src/client/message-limits.js';
import { parseAndVerifySlotManifest } from '../../src/protocol/records/slot-manifest.js';
import {
  type CliUser,
  type MeshNode,
  makeUser,
  newRows,
  nodeRecords,
  recvJson,
  sendUpdate,
  setupUser,
  startMeshNode,
  storeFingerprint,
} from './cli-harness.js';
import { cleanup, type KeyMaterial, mintKey } from './harness.js';

const ZONE = 'mesh.test';
const MANIFEST_PREFIX = 'v=dmp1;t=manifest;d=';

interface Person {
  user: CliUser;
  spk: string;
  x25519: string;
}

/** Rows a send added to the node: its manifest and chunks. */
function sentRecords(before: readonly string[], node: MeshNode) {
  const rows = newRows(before, storeFingerprint(node)).map((r) => {
    const tab = r.indexOf('\t');
    return { name: r.slice(0, tab), value: r.slice(tab + 1) };
  });
  const manifests = rows.filter((r) => r.name.startsWith('slot-'));
  const chunks = rows
    .filter((r) => r.name.startsWith('chunk-'))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { manifests, chunks };
}

function prekeyCount(node: MeshNode, name: string): number {
  return nodeRecords(node).filter((r) => r.name === name).length;
}

describe('cli-two-users-one-node', () => {
  let node: MeshNode;
  let alice: Person;
  let bob: Person;
  let key: KeyMaterial;

  const person = async (name: string): Promise<Person> => {
    const user = await makeUser(name);
    return { user, ...(await setupUser(user, node)) };
  };

  /** Sends, returns the manifest it published (parsed) and the new rows. */
  const send = async (from: Person, to: string, text: string) => {
    const before = storeFingerprint(node);
    const r = await from.user.ok(['send', to, text]);
    const summary = new RegExp(
      `^sent to ${to} \\(${to}@mesh\\.test\\) — (\\d+ bytes?|\\d+\\.\\d KB) in (\\d+) chunks?; ` +
        'first-contact pointer published at 1/1 provider\n$',
    ).exec(r.stdout);
    expect(summary, r.stdout).not.toBeNull();
    const rows = sentRecords(before, node);
    expect(rows.manifests).toHaveLength(1);
    const parsed = parseAndVerifySlotManifest(
      rows.manifests[0]!.value,
      Math.floor(Date.now() / 1000),
    );
    if (!parsed.ok) throw new Error(`published manifest does not verify: ${parsed.detail}`);
    expect(rows.chunks).toHaveLength(parsed.value.totalChunks);
    expect(Number(summary![2])).toBe(parsed.value.totalChunks);
    return { manifest: parsed.value, ...rows };
  };

  beforeAll(async () => {
    node = await startMeshNode(ZONE);
    [alice, bob] = await Promise.all([person('alice'), person('bob')]);
    key = await mintKey(node.dataDir, ZONE, 'tamper');
  });
  afterAll(cleanup);

  it('registration put a TSIG key for each user into their config', async () => {
    for (const p of [alice, bob]) {
      const c = await p.user.readConfig();
      expect(c.tsig_key_name).toMatch(
        new RegExp(`^${p.user.name}-[0-9a-f]{8}-[0-9a-f]{6}\\.mesh\\.test\\.$`),
      );
      expect(c.tsig_zone).toBe(ZONE);
      expect(c.tsig_dns_port).toBe(node.port);
      expect(c.verify_pubkey).toBe(p.spk);
    }
  });

  it('identity fetch --add pins each other', async () => {
    const a = await alice.user.ok(['identity', 'fetch', 'bob', '--add']);
    expect(a.stdout).toContain(`signing_public_key: ${bob.spk}\n`);
    expect(a.stdout).toContain('added contact bob (signing key pinned)');
    const b = await bob.user.ok(['identity', 'fetch', 'alice', '--add', '--json']);
    expect(JSON.parse(b.stdout)).toMatchObject({
      username: 'alice',
      address: `alice@${ZONE}`,
      public_key: alice.x25519,
      signing_public_key: alice.spk,
    });
    expect((await alice.user.readConfig()).contacts.get('bob')).toEqual(
      expect.objectContaining({ pub: bob.x25519, spk: bob.spk }),
    );
    expect((await bob.user.readConfig()).contacts.get('alice')).toEqual(
      expect.objectContaining({ pub: alice.x25519, spk: alice.spk }),
    );
  });

  it('without prekeys: alice → bob, then bob → alice, each delivered once', async () => {
    const sent = await send(alice, 'bob', 'hello bob, no prekeys here');
    expect(sent.manifest.prekeyId).toBe(0);
    const recv = await bob.user.ok(['recv']);
    expect(recv.stderr).toBe('');
    const lines = recv.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^from alice \\(${alice.spk.slice(0, 8)}…${alice.spk.slice(-4)}\\) at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`,
      ),
    );
    expect(lines[1]).toBe('  hello bob, no prekeys here');
    // Replay: the records are still in DNS, the message is not delivered again.
    expect((await bob.user.ok(['recv'])).stdout).toBe('(no new messages)\n');

    const back = await send(bob, 'alice', 'hi alice — reply without prekeys ✓');
    expect(back.manifest.prekeyId).toBe(0);
    const got = await recvJson(alice.user);
    expect(got.messages.map((m) => [m.text, m.contact, m.sender_spk])).toEqual([
      ['hi alice — reply without prekeys ✓', 'bob', bob.spk],
    ]);
    expect(got.messages[0]!.msg_id).toBe(Buffer.from(back.manifest.msgId).toString('hex'));
    expect((await recvJson(alice.user)).messages).toEqual([]);
  });

  it('with prekeys: each send uses one and the recipient consumes it at the node', async () => {
    const pools: Record<string, string> = {};
    for (const p of [alice, bob]) {
      const r = await p.user.ok(['identity', 'refresh-prekeys', '--count', '3']);
      const m = /^published 3\/3 prekeys to (\S+)\n/.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      pools[p.user.name] = m![1]!;
      expect(prekeyCount(node, m![1]!)).toBe(3);
    }

    const sent = await send(alice, 'bob', 'forward-secret hello to bob');
    expect(sent.manifest.prekeyId).not.toBe(0);
    const got = await recvJson(bob.user);
    expect(got.messages.map((m) => m.text)).toEqual(['forward-secret hello to bob']);
    expect(prekeyCount(node, pools.bob!)).toBe(2);

    const back = await send(bob, 'alice', 'forward-secret reply to alice');
    expect(back.manifest.prekeyId).not.toBe(0);
    expect((await recvJson(alice.user)).messages.map((m) => m.text)).toEqual([
      'forward-secret reply to alice',
    ]);
    expect(prekeyCount(node, pools.alice!)).toBe(2);
    expect((await recvJson(alice.user)).messages).toEqual([]);
  });

  it('a 1-byte message arrives', async () => {
    await send(alice, 'bob', 'x');
    const got = await recvJson(bob.user);
    expect(got.messages.map((m) => m.text)).toEqual(['x']);
  });

  it('the largest allowed message arrives intact; one byte more is refused, naming the limit', async () => {
    const max = maxBodyBytes({ ts: Math.floor(Date.now() / 1000), ttl: 300, maxValueBytes: 2048 });
    expect(max).toBeGreaterThan(1000);
    // Printable, non-repeating ASCII so a misplaced chunk could not go unnoticed.
    const text = Array.from({ length: max }, (_, i) =>
      String.fromCharCode(33 + ((i * 7) % 94)),
    ).join('');
    const sent = await send(alice, 'bob', text);
    expect(sent.chunks.length).toBe(sent.manifest.totalChunks);
    const got = await recvJson(bob.user);
    expect(got.messages).toHaveLength(1);
    expect(got.messages[0]!.text).toBe(text);

    const before = storeFingerprint(node);
    const configBefore = await alice.user.readConfig();
    const over = await alice.user.cli(['send', 'bob', `${text}!`]);
    expect(over.code).not.toBe(0);
    expect(over.stdout).toBe('');
    expect(over.stderr).toMatch(/^dnsmesh: /);
    expect(over.stderr).toContain(`${max + 1} bytes`);
    expect(over.stderr).toContain(`at most ${max} bytes`);
    expect(over.stderr).toMatch(/2048-byte value cap|DMP_MAX_VALUE_BYTES/);
    expect(storeFingerprint(node)).toEqual(before);
    expect(await alice.user.readConfig()).toEqual(configBefore);
  });

  it('tampering: a manifest re-signed by nobody (one byte changed) is never delivered', async () => {
    const sent = await send(alice, 'bob', 'original text');
    const original = sent.manifests[0]!;
    const blob = Buffer.from(original.value.slice(MANIFEST_PREFIX.length), 'base64');
    // Byte 100 lies in the signed body (ts / exp); the signature no longer matches.
    blob[100] = blob[100]! ^ 0x01;
    const forged = `${MANIFEST_PREFIX}${blob.toString('base64')}`;
    const rcode = await sendUpdate(node.port, ZONE, key, [
      { remove: original.name, value: original.value },
      { add: original.name, value: forged },
    ]);
    expect(rcode).toBe(0);
    // The slot may hold earlier manifests too; only this one was replaced.
    const atSlot = nodeRecords(node)
      .filter((r) => r.name === original.name)
      .map((r) => r.value);
    expect(atSlot).toContain(forged);
    expect(atSlot).not.toContain(original.value);
    const r = await bob.user.ok(['recv']);
    expect(r.stdout).toBe('(no new messages)\n');
  });

  it('tampering: chunks swapped for another message’s — foreign data is refused', async () => {
    // Two messages of the same shape; every chunk of the first is overwritten
    // with the same-index chunk of the second (valid chunk records, wrong message).
    // Same length, so both have the same number of chunks.
    const first = await send(alice, 'bob', 'first message:  must never arrive');
    const second = await send(alice, 'bob', 'second message: arrives just once');
    expect(second.chunks.length).toBe(first.chunks.length);
    for (const [i, chunk] of first.chunks.entries()) {
      const rcode = await sendUpdate(node.port, ZONE, key, [
        { remove: chunk.name, value: chunk.value },
        { add: chunk.name, value: second.chunks[i]!.value },
      ]);
      expect(rcode).toBe(0);
    }
    const got = await recvJson(bob.user);
    expect(got.messages.map((m) => m.text)).toEqual(['second message: arrives just once']);
    expect((await recvJson(bob.user)).messages).toEqual([]);
  });

  it('tampering: one chunk replaced — erasure coding recovers the original text', async () => {
    const victim = await send(alice, 'bob', 'one bad chunk does not change a word');
    const donor = await send(bob, 'alice', 'donor chunk');
    const chunk = victim.chunks[0]!;
    const rcode = await sendUpdate(node.port, ZONE, key, [
      { remove: chunk.name, value: chunk.value },
      { add: chunk.name, value: donor.chunks[0]!.value },
    ]);
    expect(rcode).toBe(0);
    const got = await recvJson(bob.user);
    expect(got.messages.map((m) => m.text)).toEqual(['one bad chunk does not change a word']);
    expect((await recvJson(alice.user)).messages.map((m) => m.text)).toEqual(['donor chunk']);
  });
});
