/**
 * Scenario: progress lines on a terminal, silence elsewhere (issue 4: "progress
 * shown on a TTY for multi-chunk sends and multi-zone receives"). The CLI is
 * run under util-linux `script`, which gives it a pseudo-terminal; the same
 * commands with pipes must print no progress (scripts parse that output).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type CliUser,
  type MeshNode,
  makeUser,
  onTty as onPty,
  setupUser,
  startMeshNode,
} from './cli-harness.js';
import { cleanup, describeWith } from './harness.js';

/** `dnsmesh …args` for `user` on a pseudo-terminal; returns everything the terminal showed. */
async function onTty(user: CliUser, args: readonly string[]): Promise<string> {
  const r = await onPty(user, args);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

describeWith(['script'], 'cli-progress-on-tty', () => {
  let node: MeshNode;
  let alice: CliUser;
  let bob: CliUser;
  // Several kilobytes: many chunks, so chunk progress has steps to show.
  const long = 'progress '.repeat(330);

  beforeAll(async () => {
    node = await startMeshNode('mesh.test');
    [alice, bob] = await Promise.all([makeUser('alice'), makeUser('bob')]);
    await Promise.all([setupUser(alice, node), setupUser(bob, node)]);
    await alice.ok(['identity', 'fetch', 'bob', '--add']);
    await bob.ok(['identity', 'fetch', 'alice', '--add']);
  });
  afterAll(cleanup);

  it('send on a terminal shows chunk progress, then clears it', async () => {
    const screen = await onTty(alice, ['send', 'bob', long]);
    expect(screen).toMatch(/publishing chunks \d+\/\d+…/);
    expect(screen).toContain('\x1b[2K');
  });

  it('recv on a terminal shows each phase as it finishes', async () => {
    const screen = await onTty(bob, ['recv']);
    expect(screen).toContain('checking for messages…');
    expect(screen).toMatch(/own zone checked; \d+ message\(s\)/);
    expect(screen).toMatch(/1 contact zone\(s\) walked/);
    expect(screen).toContain(long.trim());
  });

  it('through pipes the same commands print no progress at all', async () => {
    const send = await alice.ok(['send', 'bob', long]);
    const recv = await bob.ok(['recv']);
    for (const out of [send.stdout, send.stderr, recv.stdout, recv.stderr]) {
      expect(out).not.toContain('\r');
      expect(out).not.toContain('\x1b[');
      expect(out).not.toContain('publishing chunks');
    }
    expect(recv.stdout).toContain(long.trim());
  });
});
