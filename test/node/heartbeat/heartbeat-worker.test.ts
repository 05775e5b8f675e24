/** HeartbeatWorker over a real sqlite store and a scripted DNS reader. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TxtAnswer } from '../../../src/dns/client/txt-answer.js';
import type { TxtReader } from '../../../src/dns/client/txt-reader.js';
import { harvestZones, seedZone } from '../../../src/node/heartbeat/harvest-zones.js';
import { HeartbeatWorker } from '../../../src/node/heartbeat/heartbeat-worker.js';
import { loadOperatorSeed } from '../../../src/node/heartbeat/operator-key.js';
import { createNodeLogger } from '../../../src/node/log.js';
import {
  MEMORY_PATH,
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/node/store/sqlite/database.js';
import { SqliteSeenStore } from '../../../src/node/store/sqlite/heartbeat-seen-store.js';
import { SqliteRecordStore } from '../../../src/node/store/sqlite/record-store.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import {
  CAP_CLAIM_PROVIDER,
  parseAndVerifyHeartbeat,
  signHeartbeat,
} from '../../../src/protocol/records/heartbeat-record.js';

const NOW = 1_800_000_000;
const seed = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (n * 17 + i) & 0xff);
const peerWire = (n: number, ts = NOW) =>
  signHeartbeat(
    {
      endpoint: `https://peer${n}.example.net`,
      version: '1',
      capabilities: 1,
      claimProviderZone: `peer${n}.example.net`,
      ts,
      exp: ts + 3600,
    },
    seed(n),
  );

class ScriptedReader implements TxtReader {
  readonly asked: string[] = [];
  constructor(readonly rrsets: Map<string, string[]>) {}
  async readTxt(name: string): Promise<TxtAnswer> {
    this.asked.push(name);
    const values = this.rrsets.get(name);
    return values ? { status: 'found', values } : { status: 'nxdomain' };
  }
}

let db: NodeDatabase;
let records: SqliteRecordStore;
let seen: SqliteSeenStore;
beforeEach(() => {
  db = openNodeDatabase(MEMORY_PATH);
  records = new SqliteRecordStore(db);
  seen = new SqliteSeenStore(db);
});
afterEach(() => {
  records.close();
  db.close();
});

function worker(reader: TxtReader, extra: { claimProvider?: boolean; gossipLimit?: number } = {}) {
  return new HeartbeatWorker({
    records,
    seen,
    reader,
    zone: 'self.example.net',
    selfEndpoint: 'https://self.example.net',
    operatorSeed: seed(0),
    version: '0.1.0',
    claimProvider: extra.claimProvider ?? true,
    ttlSeconds: 86_400,
    intervalMs: 60_000,
    seeds: ['https://peer1.example.net:8443/'],
    maxPeers: 25,
    gossipLimit: extra.gossipLimit ?? 50,
    now: () => NOW,
    log: createNodeLogger({ level: 'silent', format: 'json' }),
  });
}

describe('HeartbeatWorker tick', () => {
  it('publishes its own heartbeat, harvests the seed and gossips what verified', async () => {
    const forged = `${peerWire(3).slice(0, -8)}AAAAAAA=`;
    const mine = signHeartbeat(
      {
        endpoint: 'https://self.example.net',
        version: 'old',
        capabilities: 0,
        claimProviderZone: 'self.example.net',
        ts: NOW - 10,
        exp: NOW + 100,
      },
      seed(0),
    );
    const reader = new ScriptedReader(
      new Map([
        ['_dnsmesh-heartbeat.peer1.example.net', [peerWire(1)]],
        ['_dnsmesh-seen.peer1.example.net', [peerWire(2, NOW - 5), forged, mine]],
      ]),
    );
    // A stale own wire and another operator's wire already at our name.
    records.publish('_dnsmesh-heartbeat.self.example.net', mine, 100, NOW);
    records.publish('_dnsmesh-heartbeat.self.example.net', peerWire(4), 100, NOW);
    const w = worker(reader);
    await w.tick();

    const own = records.query('_dnsmesh-heartbeat.self.example.net', NOW);
    expect(own).toHaveLength(2);
    expect(own).toContain(peerWire(4)); // other signers' wires are never touched
    const fresh = own.find((v) => v !== peerWire(4))!;
    const hb = parseAndVerifyHeartbeat(fresh, { now: NOW });
    expect(hb.ok && hb.value.capabilities & CAP_CLAIM_PROVIDER).toBe(CAP_CLAIM_PROVIDER);
    expect(hb.ok && toHex(hb.value.operatorSpk)).toBe(toHex(ed25519PublicKey(seed(0))));

    expect(reader.asked).toEqual([
      '_dnsmesh-heartbeat.peer1.example.net',
      '_dnsmesh-seen.peer1.example.net',
    ]);
    // Newest first; the forged wire and our own are not republished.
    expect([...records.query('_dnsmesh-seen.self.example.net', NOW)].sort()).toEqual(
      [peerWire(1), peerWire(2, NOW - 5)].sort(),
    );
  });

  it('advertises no claim capability when the node takes no claims', async () => {
    await worker(new ScriptedReader(new Map()), { claimProvider: false }).tick();
    const [wire] = records.query('_dnsmesh-heartbeat.self.example.net', NOW);
    const hb = parseAndVerifyHeartbeat(wire!, { now: NOW });
    expect(hb.ok && hb.value.capabilities).toBe(0);
  });

  it('replaces its own wire each tick and harvests the zones it has seen next', async () => {
    const reader = new ScriptedReader(
      new Map([['_dnsmesh-seen.peer1.example.net', [peerWire(2)]]]),
    );
    const w = worker(reader, { gossipLimit: 1 });
    await w.tick();
    await w.tick();
    expect(records.query('_dnsmesh-heartbeat.self.example.net', NOW)).toHaveLength(1);
    expect(records.query('_dnsmesh-seen.self.example.net', NOW)).toEqual([peerWire(2)]);
    // Second tick: peer2's zone (from the seen wire) is harvested too.
    expect(reader.asked).toContain('_dnsmesh-heartbeat.peer2.example.net');
  });
});

describe('HeartbeatWorker gossip cap', () => {
  it('publishes at most 50 seen wires, the newest, one per operator', async () => {
    // 60 operators harvested from one seen list (the harvest takes 20 per RRset, so fill the store directly).
    for (let n = 1; n <= 60; n++) seen.accept(peerWire(n, NOW - n), NOW, 'x');
    // Operator 1 also from a second endpoint, older: only its newest wire goes out.
    seen.accept(
      signHeartbeat(
        {
          endpoint: 'https://other1.example.net',
          version: '1',
          capabilities: 0,
          claimProviderZone: '',
          ts: NOW - 100,
          exp: NOW + 3600,
        },
        seed(1),
      ),
      NOW,
      'x',
    );
    const w = worker(new ScriptedReader(new Map()));
    await w.tick();
    const published = records.query('_dnsmesh-seen.self.example.net', NOW);
    expect([...published].sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => peerWire(i + 1, NOW - (i + 1))).sort(),
    );
    // Five newer operators arrive: the five oldest fall out of the set and are deleted.
    for (let n = 61; n <= 65; n++) seen.accept(peerWire(n, NOW), NOW, 'x');
    await w.tick();
    const after = records.query('_dnsmesh-seen.self.example.net', NOW);
    expect(after).toHaveLength(50);
    for (let n = 46; n <= 50; n++) expect(after).not.toContain(peerWire(n, NOW - n));
    for (let n = 61; n <= 65; n++) expect(after).toContain(peerWire(n, NOW));
  });
});

describe('HeartbeatWorker public seeds', () => {
  it("harvests the public lists' zones after the configured seeds, and asks for a refresh", async () => {
    const refreshedAt: number[] = [];
    const reader = new ScriptedReader(new Map());
    const w = new HeartbeatWorker({
      records,
      seen,
      reader,
      zone: 'self.example.net',
      selfEndpoint: 'https://self.example.net',
      operatorSeed: seed(0),
      version: '0.1.0',
      claimProvider: true,
      ttlSeconds: 86_400,
      intervalMs: 60_000,
      seeds: ['peer1.example.net'],
      publicSeeds: {
        zones: () => ['peer1.example.net', 'listed.example.org'],
        maybeRefresh: async (now) => {
          refreshedAt.push(now);
        },
        stop: async () => {},
      },
      maxPeers: 25,
      gossipLimit: 50,
      now: () => NOW,
      log: createNodeLogger({ level: 'silent', format: 'json' }),
    });
    await w.tick();
    expect(refreshedAt).toEqual([NOW]);
    // Each zone once (the duplicate dropped), both names of each.
    expect([...reader.asked].sort()).toEqual([
      '_dnsmesh-heartbeat.listed.example.org',
      '_dnsmesh-heartbeat.peer1.example.net',
      '_dnsmesh-seen.listed.example.org',
      '_dnsmesh-seen.peer1.example.net',
    ]);
  });
});

describe('harvest zones', () => {
  it('reduces seeds to hosts, drops IPs, duplicates and the own zone, caps', () => {
    expect(seedZone('https://A.Example.net:8443/x')).toBe('a.example.net');
    expect(seedZone('b.example.net:53')).toBe('b.example.net');
    expect(seedZone('192.0.2.1')).toBeUndefined();
    expect(seedZone('http://localhost:8053')).toBeUndefined();
    expect(seedZone('http://[::1]:8053')).toBeUndefined();
    expect(harvestZones('self.test', ['a.test', 'self.test', 'A.test.', 'b.test'], [], 25)).toEqual(
      ['a.test', 'b.test'],
    );
    expect(harvestZones('self.test', ['a.test', 'b.test'], [], 1)).toEqual(['a.test']);
  });
});

describe('operator key file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dnsmesh-opkey-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads 32 raw bytes or 64 hex from a private file', () => {
    const raw = join(dir, 'raw.key');
    writeFileSync(raw, Buffer.from(seed(1)), { mode: 0o600 });
    expect(loadOperatorSeed(raw)).toEqual({ ok: true, seed: seed(1) });
    const hex = join(dir, 'hex.key');
    writeFileSync(hex, `${toHex(seed(2))}\n`, { mode: 0o600 });
    expect(loadOperatorSeed(hex)).toEqual({ ok: true, seed: seed(2) });
  });

  it.skipIf(process.platform === 'win32')('refuses a group- or world-readable key', () => {
    const path = join(dir, 'open.key');
    writeFileSync(path, toHex(seed(1)), { mode: 0o600 });
    chmodSync(path, 0o640);
    const r = loadOperatorSeed(path);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/readable by others \(mode 0640\).*chmod 600/);
  });

  it('refuses anything but a 32-byte seed', () => {
    const path = join(dir, 'bad.key');
    writeFileSync(path, 'abcd', { mode: 0o600 });
    expect(loadOperatorSeed(path).ok).toBe(false);
    expect(loadOperatorSeed(join(dir, 'missing.key')).ok).toBe(false);
  });
});
