/**
 * Scenario: a message that tries to drive the reader's terminal (issue 14,
 * "terminal escape injection"). Alice sends bob a body that clears the
 * screen, retitles the window, rings the bell, overwrites its own line with
 * a carriage return and reverses text with a bidi override. On bob's
 * terminal `recv` shows those characters instead of obeying them; `--json`
 * keeps the body exact.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type CliUser,
  type MeshNode,
  makeUser,
  onTty,
  recvJson,
  setupUser,
  startMeshNode,
} from './cli-harness.js';
import { cleanup, describeWith } from './harness.js';

const HOSTILE = 'hello\x1b[2J\x1b]0;pwned\x07 bell\x07\rfrom mallory \u202Eevil\u202C\x9b31m end';
const RAW = ['\x1b[2J', '\x1b]0;pwned', '\x07', '\rfrom mallory', '\u202E', '\x9b'];

describeWith(['script'], 'cli-terminal-escapes', () => {
  let node: MeshNode;
  let alice: CliUser;
  let bob: CliUser;

  beforeAll(async () => {
    node = await startMeshNode('mesh.test');
    [alice, bob] = await Promise.all([makeUser('alice'), makeUser('bob')]);
    await Promise.all([setupUser(alice, node), setupUser(bob, node)]);
    await alice.ok(['identity', 'fetch', 'bob', '--add']);
    await bob.ok(['identity', 'fetch', 'alice', '--add']);
  });
  afterAll(cleanup);

  it('recv on a terminal shows control characters instead of obeying them', async () => {
    await alice.ok(['send', 'bob', HOSTILE]);
    const r = await onTty(bob, ['recv']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const screen = r.stdout;
    for (const raw of RAW) expect(screen).not.toContain(raw);
    expect(screen).toContain(
      'hello^[[2J^[]0;pwned^G bell^G^Mfrom mallory <U+202E>evil<U+202C><U+009B>31m end',
    );
  });

  it('recv through a pipe is made safe too, and --json keeps the exact body', async () => {
    await alice.ok(['send', 'bob', HOSTILE]);
    await alice.ok(['send', 'bob', 'line one\n\tline two']);
    const { messages } = await recvJson(bob);
    expect(messages.map((m) => m.text).sort()).toEqual([HOSTILE, 'line one\n\tline two'].sort());

    await alice.ok(['send', 'bob', HOSTILE]);
    await alice.ok(['send', 'bob', 'line one\n\tline two']);
    const piped = await bob.ok(['recv']);
    for (const raw of RAW) expect(piped.stdout).not.toContain(raw);
    // Newlines and tabs of a multi-line message keep their meaning.
    expect(piped.stdout).toContain('  line one\n  \tline two');
  });
});
