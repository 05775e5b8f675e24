/**
 * "Nothing there" versus "nothing reachable" (the node-down bug of issue 4):
 * a receive or identity fetch whose every lookup failed on the network
 * throws `UnreachableError` naming the server, while a partly reachable
 * mesh delivers what it can and reports the unanswered names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnreachableError } from '../../src/client/errors.js';
import { DirectReader } from '../../src/dns/client/direct-reader.js';
import { DnsConnectionError } from '../../src/dns/client/errors.js';
import type { TxtAnswer } from '../../src/dns/client/txt-answer.js';
import type { ReadTxtOptions, TxtReader } from '../../src/dns/client/txt-reader.js';
import { deadPort } from '../dns/client/fault-server.js';
import { pinned, type TestUser, TestWorld } from './harness/world.js';

/** Fails every name under `zone` as a refused connection; passes the rest to `inner`. */
class ZoneOutage implements TxtReader {
  constructor(
    private readonly inner: TxtReader,
    private readonly zone: string,
  ) {}
  async readTxt(name: string, options?: ReadTxtOptions): Promise<TxtAnswer> {
    if (name.toLowerCase().endsWith(`.${this.zone}`)) {
      const error = new DnsConnectionError('127.0.0.1:1', 'udp', 'connection-refused', 'refused');
      return { status: 'error', error };
    }
    return this.inner.readTxt(name, options);
  }
}

describe('unreachable resolvers are reported, not read as an empty mailbox', () => {
  let world: TestWorld;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dead: DirectReader;
  let deadAt: string;
  beforeAll(async () => {
    world = await TestWorld.start(['mesh.test', 'far.test']);
    alice = world.user('alice', 'mesh.test');
    bob = world.user('bob', 'mesh.test');
    carol = world.user('carol', 'far.test');
    const port = await deadPort();
    deadAt = `127.0.0.1:${port}`;
    dead = new DirectReader({ server: { host: '127.0.0.1', port }, timeoutMs: 500 });
  });
  afterAll(async () => world?.close());

  it('receive with every lookup failing throws UnreachableError naming host:port', async () => {
    const client = bob.client({ reader: dead, contacts: { alice: pinned(alice) } });
    const err = await client.receive().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    const u = err as UnreachableError;
    expect(u.code).toBe('unreachable');
    expect(u.operation).toBe('receive');
    expect(u.message).toContain(deadAt);
    expect(u.reasons.length).toBeGreaterThan(0);
  });

  it('identity fetch with every lookup failing throws instead of "not-found"', async () => {
    const err = await alice
      .client({ reader: dead })
      .fetchIdentity('bob@mesh.test')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toContain(deadAt);
  });

  it('an empty mailbox on a reachable node is still just empty', async () => {
    const got = await bob.client({ contacts: { alice: pinned(alice) } }).receive();
    expect(got.messages).toEqual([]);
    expect(got.stats.unanswered).toEqual({ names: 0, reasons: [] });
    expect((await alice.client().fetchIdentity('nobody@mesh.test')).status).toBe('not-found');
  });

  it('a partial outage delivers what is reachable and counts the unanswered names', async () => {
    await alice.client({ contacts: { bob: pinned(bob) } }).send('bob', 'through the outage');
    const reader = new ZoneOutage(bob.reader, 'far.test');
    const client = bob.client({
      reader,
      contacts: { alice: pinned(alice), carol: pinned(carol) },
    });
    const got = await client.receive();
    expect(got.messages.map((m) => new TextDecoder().decode(m.plaintext))).toEqual([
      'through the outage',
    ]);
    // far.test's ten mailbox slots went unread.
    expect(got.stats.unanswered.names).toBe(10);
    expect(got.stats.unanswered.reasons).toEqual(['refused (127.0.0.1:1/udp)']);
  });
});
