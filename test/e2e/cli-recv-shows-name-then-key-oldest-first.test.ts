/**
 * Scenario: what `recv` shows a person (issue 14, "first run"). Messages come
 * oldest first by send time, whatever order the pass found them in; each
 * starts with who sent it (the contact's label) before the abbreviated
 * signing key, then the send time in the reader's local time zone. `--json`
 * is unchanged: exact bodies, `ts` in Unix seconds, the whole key.
 *
 * Alice sends six messages newest first — each later send runs on a clock
 * set 20 s further back. A pass delivers them in mailbox-slot order, which
 * is random (the slot comes from the message id), so unsorted output is in
 * time order by chance once in 720 runs. Bob reads in Asia/Kolkata
 * (UTC+05:30), so a UTC time would show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliUser,
  FAKE_CLOCK,
  type MeshNode,
  makeUser,
  recvJson,
  setupUser,
  startMeshNode,
} from './cli-harness.js';
import { cleanup } from './harness.js';

const KOLKATA_OFFSET_S = 5.5 * 3600;

/** `YYYY-MM-DD HH:MM:SS` read as a Kolkata wall clock, in Unix seconds. */
function kolkataToUnix(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`) / 1000 - KOLKATA_OFFSET_S;
}

describe('cli-recv-shows-name-then-key-oldest-first', () => {
  let node: MeshNode;
  let alice: CliUser;
  let bob: CliUser;
  let aliceSpk: string;

  beforeAll(async () => {
    node = await startMeshNode('mesh.test');
    [alice, bob] = await Promise.all([
      makeUser('alice', { preload: [FAKE_CLOCK] }),
      makeUser('bob', { env: { TZ: 'Asia/Kolkata' } }),
    ]);
    const [a] = await Promise.all([setupUser(alice, node), setupUser(bob, node)]);
    aliceSpk = a.spk;
    await alice.ok(['identity', 'fetch', 'bob', '--add']);
    await bob.ok(['identity', 'fetch', 'alice', '--add']);
  });
  afterAll(cleanup);

  const COUNT = 6;
  const STEP_S = 20;
  const INDEXES = Array.from({ length: COUNT }, (_, i) => i);
  /** When `message i` is stamped (its send's clock starts then). */
  const sentAt = (base: number, i: number) => base - (COUNT - 1 - i) * STEP_S;

  /** Sends `message 5` … `message 0`, each on a clock 20 s earlier than the one before. */
  async function sendNewestFirst(base: number): Promise<void> {
    for (const i of [...INDEXES].reverse()) {
      const at = sentAt(base, i);
      await alice.ok(['send', 'bob', `message ${i}`], {
        env: { DNSMESH_TEST_NOW_MS: String(at * 1000) },
      });
    }
  }

  it('prints oldest first: name, short key, local time, then the body', async () => {
    const base = Math.floor(Date.now() / 1000);
    await sendNewestFirst(base);
    const r = await bob.ok(['recv']);
    expect(r.stderr).toBe('');
    const blocks = r.stdout.trimEnd().split('\n\n');
    expect(blocks.map((b) => b.split('\n')[1])).toEqual(INDEXES.map((i) => `  message ${i}`));
    const key = `${aliceSpk.slice(0, 8)}…${aliceSpk.slice(-4)}`;
    blocks.forEach((block, i) => {
      const header = block.split('\n')[0]!;
      const m =
        /^from alice \(([0-9a-f]{8}…[0-9a-f]{4})\) at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)$/.exec(
          header,
        );
      expect(m, header).not.toBeNull();
      expect(m![1]).toBe(key);
      // Stamped when the send sealed, a moment after its clock started.
      const shown = kolkataToUnix(m![2]!);
      expect(shown).toBeGreaterThanOrEqual(sentAt(base, i));
      expect(shown).toBeLessThan(sentAt(base, i) + STEP_S);
    });
    expect(r.stdout).not.toMatch(/ts=/);
  });

  it('--json is as before: every field, exact values', async () => {
    const base = Math.floor(Date.now() / 1000);
    await sendNewestFirst(base);
    const { messages } = await recvJson(bob);
    expect(messages.map((m) => m.text).sort()).toEqual(INDEXES.map((i) => `message ${i}`));
    for (const m of messages) {
      expect(Object.keys(m)).toEqual([
        'sender_spk',
        'contact',
        'sender_label',
        'ts',
        'msg_id',
        'text',
        'body_base64',
        'zone',
        'via',
      ]);
      expect(m).toMatchObject({ sender_spk: aliceSpk, contact: 'alice' });
      const i = Number(m.text!.slice(-1));
      expect(m.ts).toBeGreaterThanOrEqual(sentAt(base, i));
    }
  });
});
