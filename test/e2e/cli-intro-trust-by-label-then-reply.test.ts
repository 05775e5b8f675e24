/**
 * Scenario: a stranger's first message, from `intro list` to a reply
 * (issue 14, "first run"). `intro list` heads each intro with the label
 * `intro-<12 hex>` and says who it is from (the verified address when the
 * message carried one, else the mailbox zone); `intro accept|trust|block`
 * take that label (or the address) as well as the number, and refuse a
 * label that names several intros, listing them. Trusting without
 * `--username` pins the signing key but cannot learn the encryption key:
 * trust says so with the exact `identity fetch` to run, `contacts list`
 * shows the contact as having no encryption key, and `send` refuses it
 * (exit 2, before the passphrase, publishing nothing) with the same
 * command — which, run as printed, completes the contact so the reply
 * goes out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliUser,
  type MeshNode,
  makeUser,
  recvJson,
  setupUser,
  startMeshNode,
  storeFingerprint,
} from './cli-harness.js';
import { cleanup } from './harness.js';

interface IntroJson {
  id: number;
  sender_spk: string;
  sender_label: string | null;
  from_zone: string;
  text: string | null;
}

describe('cli-intro-trust-by-label-then-reply', () => {
  let node: MeshNode;
  let bob: CliUser;
  let carol: CliUser;
  let dave: CliUser;
  let erin: CliUser;
  const spk: Record<string, string> = {};

  const introsJson = async (): Promise<IntroJson[]> =>
    JSON.parse((await bob.ok(['intro', 'list', '--json'])).stdout);

  beforeAll(async () => {
    node = await startMeshNode('mesh.test');
    [bob, carol, dave, erin] = await Promise.all([
      makeUser('bob'),
      makeUser('carol'),
      makeUser('dave'),
      makeUser('erin'),
    ]);
    const keys = await Promise.all([bob, carol, dave, erin].map((u) => setupUser(u, node)));
    for (const [i, u] of [bob, carol, dave, erin].entries()) spk[u.name] = keys[i]!.spk;
    // Strangers know bob's address; bob knows none of them.
    await Promise.all([carol, dave, erin].map((u) => u.ok(['identity', 'fetch', 'bob', '--add'])));
  });
  afterAll(cleanup);

  it('a stranger without an address: listed by label and zone, trusted by label, completed, answered', async () => {
    await carol.ok(['send', 'bob', 'hi bob, it is carol']);
    expect((await recvJson(bob)).new_intros).toBe(1);
    const label = `intro-${spk.carol!.slice(0, 12)}`;
    const [intro] = await introsJson();
    expect(intro).toMatchObject({
      sender_spk: spk.carol,
      sender_label: null,
      from_zone: 'mesh.test',
    });

    const list = await bob.ok(['intro', 'list']);
    expect(list.stdout).toContain(
      `#${intro!.id}  ${label}  [fresh]\n` +
        '  from:       someone at mesh.test (their mailbox zone; the message names no address)\n' +
        `  sender_spk: ${spk.carol}\n`,
    );

    const trust = await bob.ok(['intro', 'trust', label]);
    expect(trust.stdout).toBe(
      `trusted intro #${intro!.id} as \`${label}\` — signing key pinned, so their next messages skip the queue\n` +
        '  hi bob, it is carol\n' +
        '  You cannot reply yet: an intro does not carry the encryption key.\n' +
        `  Ask them for their username, then run \`dnsmesh identity fetch <username>@mesh.test --add\` (it completes \`${label}\`).\n`,
    );

    const contacts = await bob.ok(['contacts', 'list']);
    expect(contacts.stdout).toBe(`${label}  (no encryption key)  (pinned)\n`);
    expect(contacts.stderr).toBe(
      `  note: ${label} has no encryption key yet, so nothing can be sent to it — ` +
        '`dnsmesh identity fetch <username>@mesh.test --add` completes it\n',
    );
    expect(JSON.parse((await bob.ok(['contacts', 'list', '--json'])).stdout)).toEqual([
      { label, pub: '', spk: spk.carol, domain: 'mesh.test', remote_username: '', pinned: true },
    ]);

    const before = storeFingerprint(node);
    const refused = await bob.cli(['send', label, 'hello carol'], {
      env: { DMP_PASSPHRASE: 'not even checked' },
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `dnsmesh: send failed: \`${label}\` has no encryption key yet (its signing key was pinned by ` +
        '`intro trust`, which cannot learn the other) — run ' +
        '`dnsmesh identity fetch <username>@mesh.test --add` first\n',
    );
    expect(storeFingerprint(node)).toEqual(before);

    // Carol's next message skips the queue: her key is pinned.
    await carol.ok(['send', 'bob', 'me again']);
    const direct = await recvJson(bob);
    expect(direct.new_intros).toBe(0);
    expect(direct.messages.map((m) => [m.contact, m.text])).toEqual([[label, 'me again']]);

    // Carol told bob her username; the printed command, as printed, completes the contact.
    const fetched = await bob.ok(['identity', 'fetch', 'carol@mesh.test', '--add']);
    expect(fetched.stdout).toContain(`upgraded contact \`${label}\``);
    expect((await bob.ok(['contacts', 'list'])).stderr).toBe('');
    await bob.ok(['send', label, 'hello carol, got your message']);
    await carol.ok(['identity', 'fetch', 'bob', '--add']);
    expect((await recvJson(carol)).messages.map((m) => m.text)).toEqual([
      'hello carol, got your message',
    ]);
  });

  it('a stranger whose message names a verified address: shown, and trusted by that address', async () => {
    // A DMPv2 reader: senders wrap their address in an envelope bob verifies.
    await bob.ok(['identity', 'publish', '--advertise-v2']);
    await dave.ok(['send', 'bob', 'hi bob, dave here']);
    expect((await recvJson(bob)).new_intros).toBe(1);
    const [intro] = await introsJson();
    expect(intro).toMatchObject({ sender_spk: spk.dave, sender_label: 'dave@mesh.test' });
    const list = await bob.ok(['intro', 'list']);
    expect(list.stdout).toContain(
      `#${intro!.id}  intro-${spk.dave!.slice(0, 12)}  [fresh]\n` +
        '  from:       dave@mesh.test (verified address; mailbox zone mesh.test)\n',
    );
    const trust = await bob.ok(['intro', 'trust', 'dave@mesh.test']);
    expect(trust.stdout).toContain(
      `trusted intro #${intro!.id} as \`intro-${spk.dave!.slice(0, 12)}\``,
    );
    expect(trust.stdout).toContain(
      `  Run \`dnsmesh identity fetch dave@mesh.test --add\` (it completes \`intro-${spk.dave!.slice(0, 12)}\`).\n`,
    );
  });

  it('a label naming several intros is refused with their numbers; unknown labels and junk too', async () => {
    await erin.ok(['send', 'bob', 'erin, one']);
    await erin.ok(['send', 'bob', 'erin, two']);
    expect((await recvJson(bob)).new_intros).toBe(2);
    const label = `intro-${spk.erin!.slice(0, 12)}`;
    const ids = (await introsJson()).map((i) => i.id).sort((a, b) => a - b);
    expect(ids).toHaveLength(2);

    const several = await bob.cli(['intro', 'accept', label]);
    expect(several.code).toBe(1);
    expect(several.stderr).toMatch(
      new RegExp(
        `^dnsmesh: ${label} has 2 pending intros \\(#\\d+, #\\d+\\) — name one by its number\n$`,
      ),
    );
    for (const id of ids) expect(several.stderr).toContain(`#${id}`);

    const nobody = await bob.cli(['intro', 'block', 'intro-000000000000']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/^dnsmesh: no pending intro from intro-000000000000 — /);
    const junk = await bob.cli(['intro', 'trust', 'first']);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/expected an intro number or the label `intro list` shows/);

    const trust = await bob.ok(['intro', 'trust', `#${ids[0]}`, '--username', 'erin']);
    expect(trust.stdout).toContain(`trusted intro #${ids[0]} as \`erin\``);
    expect(trust.stdout).toContain(
      '  Run `dnsmesh identity fetch erin@mesh.test --add` (it completes `erin`).\n',
    );
    expect(trust.stdout).toContain(
      `  1 more intro(s) from this sender wait (#${ids[1]}): \`dnsmesh intro accept <number>\` delivers each.\n`,
    );
    const accepted = await bob.ok(['intro', 'accept', label]);
    expect(accepted.stdout).toMatch(
      new RegExp(`^accepted intro #${ids[1]}\\n  erin, (one|two)\\n`),
    );
    expect((await bob.ok(['intro', 'list'])).stdout).toBe('(no pending intros)\n');
  });
});
