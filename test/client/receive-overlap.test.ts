/**
 * The three receive phases overlap their DNS reads: the slot walk's and the
 * provider phase's names are asked while phase 1's claim reads are still
 * unanswered, so one receive costs about one round of DNS latency, not
 * three. Checked by order of events, not by time (see {@link PhaseGate}).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TxtAnswer } from '../../src/dns/client/txt-answer.js';
import type { ReadTxtOptions, TxtReader } from '../../src/dns/client/txt-reader.js';
import { pinned, type TestUser, TestWorld } from './harness/world.js';

/**
 * Holds back every claim and slot answer until both kinds have been asked.
 * Sequential phases would need claim answers before asking any slot name:
 * they would only get past the gate when it gives up (after 2 s).
 */
class PhaseGate implements TxtReader {
  readonly asked: string[] = [];
  gaveUp = false;
  private claims = false;
  private slots = false;
  private open!: () => void;
  private readonly opened = new Promise<void>((r) => {
    this.open = r;
  });

  constructor(private readonly inner: TxtReader) {}

  async readTxt(name: string, options?: ReadTxtOptions): Promise<TxtAnswer> {
    const label = name.split('.')[0]!;
    this.asked.push(label);
    if (label.startsWith('claim-')) this.claims = true;
    else if (label.startsWith('slot-')) this.slots = true;
    else return this.inner.readTxt(name, options);
    if (this.claims && this.slots) this.open();
    const answer = this.inner.readTxt(name, options);
    const timeout = new Promise<void>((r) => setTimeout(r, 2000).unref());
    await Promise.race([this.opened, timeout.then(() => (this.gaveUp = true))]);
    return answer;
  }
}

describe('receive overlaps its phases', () => {
  let world: TestWorld;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    world = await TestWorld.start(['mesh.test', 'far.test']);
    alice = world.user('alice', 'far.test');
    bob = world.user('bob', 'mesh.test');
  });
  afterAll(async () => world?.close());

  it('slot-walk names are asked before own-zone claims are answered; delivery unchanged', async () => {
    await alice.client({ contacts: { bob: pinned(bob) } }).send('bob', 'overlapped');
    const reader = new PhaseGate(bob.reader);
    const got = await bob.client({ reader, contacts: { alice: pinned(alice) } }).receive();
    expect(reader.gaveUp).toBe(false);
    // Phase 1, the fast path, is queued first, never behind the walk.
    expect(reader.asked.slice(0, 10).every((l) => l.startsWith('claim-'))).toBe(true);
    expect(got.messages.map((m) => new TextDecoder().decode(m.plaintext))).toEqual(['overlapped']);
    expect(got.stats.phases).toEqual(['own-zone-claims', 'slot-walk']);
  });
});
