/**
 * Short deadlines for strangers' zones (hardening): a claim from an
 * unpinned sender pointing at a zone whose server never answers must not
 * stall a receive pass. The black hole is a real loopback UDP socket that
 * reads every query and answers none; the reader for it would wait 30 s,
 * so a pass that finishes in well under 20 s was cut short by the client.
 * A pinned contact's zone, even a slow one, keeps the normal deadlines.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LookupSession } from '../../src/client/lookup-session.js';
import { DirectReader } from '../../src/dns/client/direct-reader.js';
import type { TxtAnswer } from '../../src/dns/client/txt-answer.js';
import type { ReadTxtOptions, TxtReader } from '../../src/dns/client/txt-reader.js';
import { pinned, type TestUser, TestWorld } from './harness/world.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const PROVIDER = [{ zone: 'provider.test' }];
/** Catches a hang; not a performance assertion. */
const HANG_MS = 20_000;

/** A UDP socket on loopback that logs every query name and never answers. */
class BlackHole {
  readonly asked: string[] = [];
  private constructor(readonly socket: Socket) {}

  static async open(): Promise<BlackHole> {
    const socket = createSocket('udp4');
    const hole = new BlackHole(socket);
    socket.on('message', (msg: Buffer) => hole.asked.push(questionName(msg)));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return hole;
  }

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.socket.address().port };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** The (lower-cased) question name of a query, read from its labels. */
function questionName(msg: Buffer): string {
  const labels: string[] = [];
  for (let i = 12; i < msg.length && msg[i] !== 0; i += msg[i]! + 1) {
    labels.push(msg.subarray(i + 1, i + 1 + msg[i]!).toString('latin1'));
  }
  return labels.join('.').toLowerCase();
}

/**
 * Bob's view of the mesh: names for which `toHole` is true are asked of the
 * black hole (with a 30 s reader timeout), names in `slow` zones are
 * answered after `slowMs`, everything else by the world's server.
 */
class Routing implements TxtReader {
  toHole: (name: string) => boolean = () => false;
  slow: { zones: string[]; ms: number } = { zones: [], ms: 0 };
  constructor(
    private readonly mesh: TxtReader,
    private readonly hole: TxtReader,
  ) {}

  async readTxt(name: string, options?: ReadTxtOptions): Promise<TxtAnswer> {
    const lower = name.toLowerCase();
    if (this.toHole(lower)) return this.hole.readTxt(name, options);
    if (this.slow.zones.some((z) => lower.endsWith(`.${z}`))) {
      await new Promise((resolve) => setTimeout(resolve, this.slow.ms));
    }
    return this.mesh.readTxt(name, options);
  }
}

const inZone = (zone: string) => (name: string) => name.endsWith(`.${zone}`);

describe('deadlines for strangers’ zones', () => {
  let world: TestWorld;
  let hole: BlackHole;
  let routing: Routing;
  let bob: TestUser;
  let carol: TestUser;
  const strangers: TestUser[] = [];
  const holeZones = ['hole0.test', 'hole1.test', 'hole2.test'];

  beforeAll(async () => {
    world = await TestWorld.start(['bob.test', 'carol.test', 'provider.test', ...holeZones]);
    hole = await BlackHole.open();
    bob = world.user('bob', 'bob.test');
    carol = world.user('carol', 'carol.test');
    for (const [i, zone] of holeZones.entries()) strangers.push(world.user(`s${i}`, zone));
    routing = new Routing(
      bob.reader,
      new DirectReader({ server: hole.address, timeoutMs: 30_000 }),
    );
  });
  afterAll(async () => {
    await hole?.close();
    await world?.close();
  });

  const bobClient = () => bob.client({ contacts: { carol: pinned(carol) }, reader: routing });
  const fromStranger = (i: number, body: string) =>
    strangers[i]!.client({ contacts: { bob: pinned(bob, false) } }).send('bob', body, {
      claimProviders: PROVIDER,
    });
  const fromCarol = (body: string) =>
    carol
      .client({ contacts: { bob: pinned(bob, false) } })
      .send('bob', body, { claimProviders: PROVIDER });

  it('abandons a black-holed stranger zone, delivers the pinned message, retries next pass', async () => {
    await fromStranger(0, 'from the black hole');
    await fromCarol('carol, pinned');
    routing.toHole = inZone('hole0.test');

    const started = performance.now();
    const first = await bobClient().receive({ claimProviders: PROVIDER, skipPrimary: true });
    expect(performance.now() - started).toBeLessThan(HANG_MS);
    expect(first.messages.map((m) => text(m.plaintext))).toEqual(['carol, pinned']);
    expect(first.intros).toEqual([]);
    expect(first.stats.dropped['stranger-timeout']).toBe(1);
    expect(first.stats.dropped['claim-no-manifest']).toBeUndefined();
    // The ten slot reads in the stranger's zone were sent, then given up.
    expect(hole.asked.some((q) => q.startsWith('slot-') && q.endsWith('.hole0.test'))).toBe(true);
    expect(first.stats.strangerTimeouts.lookups).toBe(10);
    // Given up is not "unreachable": nothing is reported as a network failure.
    expect(first.stats.unanswered.names).toBe(0);

    // The claim stayed on the provider: once the zone answers, it arrives.
    routing.toHole = () => false;
    const second = await bobClient().receive({ claimProviders: PROVIDER, skipPrimary: true });
    expect(second.intros.map((i) => text(i.plaintext))).toEqual(['from the black hole']);
    expect(second.stats.strangerTimeouts).toEqual({ lookups: 0, budgetSpent: false });
  });

  it('a stranger zone that answers its slots but black-holes its chunks is cut short too', async () => {
    await fromStranger(1, 'chunks in the black hole');
    routing.toHole = (name) => name.startsWith('chunk-') && name.endsWith('.hole1.test');

    const started = performance.now();
    const first = await bobClient().receive({ claimProviders: PROVIDER, skipPrimary: true });
    expect(performance.now() - started).toBeLessThan(HANG_MS);
    expect(first.intros).toEqual([]);
    expect(first.stats.dropped['stranger-timeout']).toBe(1);
    expect(Object.keys(first.stats.dropped).some((r) => r.startsWith('undecodable'))).toBe(false);
    expect(hole.asked.some((q) => q.startsWith('chunk-') && q.endsWith('.hole1.test'))).toBe(true);

    // Not marked delivered: the next pass decodes it.
    routing.toHole = () => false;
    const second = await bobClient().receive({ claimProviders: PROVIDER, skipPrimary: true });
    expect(second.intros.map((i) => text(i.plaintext))).toEqual(['chunks in the black hole']);
  });

  it('the per-pass budget cuts every stranger read, whatever the per-lookup deadline', async () => {
    for (const i of [0, 1, 2]) await fromStranger(i, `budget ${i}`);
    await fromCarol('carol again');
    routing.toHole = (name) => holeZones.some((z) => name.endsWith(`.${z}`));

    const started = performance.now();
    const got = await bobClient().receive({
      claimProviders: PROVIDER,
      skipPrimary: true,
      strangerLookupTimeoutMs: 60_000,
      strangerBudgetMs: 500,
    });
    expect(performance.now() - started).toBeLessThan(HANG_MS);
    expect(got.messages.map((m) => text(m.plaintext))).toEqual(['carol again']);
    expect(got.intros).toEqual([]);
    expect(got.stats.dropped['stranger-timeout']).toBe(3);
    expect(got.stats.strangerTimeouts).toEqual({ lookups: 30, budgetSpent: true });
    routing.toHole = () => false;
    const next = await bobClient().receive({ claimProviders: PROVIDER, skipPrimary: true });
    expect(next.intros.map((i) => text(i.plaintext)).sort()).toEqual([
      'budget 0',
      'budget 1',
      'budget 2',
    ]);
  });

  it('a slow pinned zone keeps the normal deadlines; an equally slow stranger zone does not', async () => {
    await fromStranger(2, 'slow stranger');
    await fromCarol('slow carol');
    // Slower than the stranger deadline, well within the reader's own.
    routing.slow = { zones: ['carol.test', 'hole2.test'], ms: 400 };
    try {
      const got = await bobClient().receive({
        claimProviders: PROVIDER,
        skipPrimary: true,
        strangerLookupTimeoutMs: 200,
      });
      expect(got.messages.map((m) => text(m.plaintext))).toEqual(['slow carol']);
      expect(got.intros).toEqual([]);
      expect(got.stats.dropped['stranger-timeout']).toBe(1);
    } finally {
      routing.slow = { zones: [], ms: 0 };
    }
  });

  it('rejects a non-positive deadline', async () => {
    await expect(bobClient().receive({ strangerBudgetMs: 0 })).rejects.toMatchObject({
      code: 'invalid-options',
    });
  });
});

describe('LookupSession deadlines', () => {
  /** Answers every name after `ms`, honouring the abort signal; counts reads. */
  const slowReader = (ms: number) => {
    const reads: string[] = [];
    const reader: TxtReader = {
      readTxt: (name, options) =>
        new Promise((resolve) => {
          reads.push(name);
          const timer = setTimeout(() => resolve({ status: 'found', values: ['v'] }), ms);
          options?.signal?.addEventListener('abort', () => clearTimeout(timer));
        }),
    };
    return { reader, reads };
  };

  it('gives a read up at its deadline, and a caller without one reads the name again', async () => {
    const { reader, reads } = slowReader(100);
    const session = new LookupSession(reader, 4);
    const short = session.values('a.test', undefined, { timeoutMs: 10 });
    const normal = session.values('A.test');
    expect(await short).toBeUndefined();
    expect(await normal).toEqual(['v']);
    expect(session.abandoned('a.test')).toBe(false);
    expect(session.abandonedCount()).toBe(1);
    expect(reads).toEqual(['a.test', 'A.test']);
    expect(session.reach()).toEqual({ answered: 1, failures: [] });
  });

  it('keeps an answer that arrived in time for every caller', async () => {
    const { reader, reads } = slowReader(5);
    const session = new LookupSession(reader, 4);
    expect(await session.values('b.test', undefined, { timeoutMs: 5_000 })).toEqual(['v']);
    expect(await session.values('b.test')).toEqual(['v']);
    expect(reads).toEqual(['b.test']);
    expect(session.abandonedCount()).toBe(0);
  });
});
