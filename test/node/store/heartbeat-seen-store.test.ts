/** SqliteSeenStore: only verifying, fresh heartbeats are kept; newest wins; trimming is deterministic. */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MEMORY_PATH,
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/node/store/sqlite/database.js';
import { SqliteSeenStore } from '../../../src/node/store/sqlite/heartbeat-seen-store.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import {
  encodeHeartbeatBody,
  type HeartbeatInput,
  signHeartbeat,
} from '../../../src/protocol/records/heartbeat-record.js';
import { encodeOperatorWire } from '../../../src/protocol/records/operator-wire.js';
import { HEARTBEAT_RECORD_PREFIX } from '../../../src/protocol/records/prefixes.js';

const NOW = 1_700_000_000;
const seed = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (n * 31 + i) & 0xff);

function wire(n: number, overrides: Partial<HeartbeatInput> = {}): string {
  return signHeartbeat(
    {
      endpoint: `https://node${n}.example.net`,
      version: '0.1.0',
      capabilities: 1,
      claimProviderZone: `zone${n}.example.net`,
      ts: NOW,
      exp: NOW + 86_400,
      ...overrides,
    },
    seed(n),
  );
}

function compareKeys(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

let db: NodeDatabase;
beforeEach(() => {
  db = openNodeDatabase(MEMORY_PATH);
});
afterEach(() => db.close());

describe('SqliteSeenStore.accept', () => {
  it('stores a verifying fresh heartbeat with its fields', () => {
    const store = new SqliteSeenStore(db);
    const r = store.accept(wire(1), NOW + 10, 'zone1.example.net');
    expect(r.accepted).toBe(true);
    const [row] = store.listRecent(10, NOW + 10);
    expect(row).toMatchObject({
      operatorSpkHex: toHex(ed25519PublicKey(seed(1))),
      endpoint: 'https://node1.example.net',
      wire: wire(1),
      ts: NOW,
      exp: NOW + 86_400,
      claimProviderZone: 'zone1.example.net',
      receivedAt: NOW + 10,
      remoteAddr: 'zone1.example.net',
    });
  });

  it('refuses a forged signature', () => {
    const store = new SqliteSeenStore(db);
    const good = wire(1);
    // Flip one bit of the body (the endpoint) under the same signature.
    const forged = wire(1, { endpoint: 'https://nodf1.example.net' });
    const spliced = forged.slice(0, forged.length - 88) + good.slice(good.length - 88, good.length);
    expect(store.accept(spliced, NOW).accepted).toBe(false);
    expect(store.count()).toBe(0);
  });

  it('refuses expired, stale, far-future and > 30-day wires', () => {
    const store = new SqliteSeenStore(db);
    const cases = [
      wire(1, { ts: NOW - 1000, exp: NOW - 1 }), // expired
      wire(2, { ts: NOW - 301 }), // stale beyond the 300 s skew
      wire(3, { ts: NOW + 301, exp: NOW + 86_400 }), // ts ahead
      wire(4, { exp: NOW + 31 * 86_400 }), // exp more than 30 days away
    ];
    for (const w of cases) {
      const r = store.accept(w, NOW);
      expect(r.accepted).toBe(false);
    }
    expect(store.count()).toBe(0);
  });

  it('refuses a low-order operator key whatever the signature', () => {
    const store = new SqliteSeenStore(db);
    const identity = new Uint8Array(32);
    identity[0] = 1; // the neutral element: every signature "verifies" under naive checks
    const input: HeartbeatInput = {
      endpoint: 'https://evil.example.net',
      version: '',
      capabilities: 1,
      claimProviderZone: 'evil.example.net',
      ts: NOW,
      exp: NOW + 3600,
    };
    const body = encodeHeartbeatBody(input, identity);
    const sig = new Uint8Array(64);
    sig[0] = 1;
    const value = encodeOperatorWire(HEARTBEAT_RECORD_PREFIX, body, sig);
    expect(store.accept(value, NOW)).toMatchObject({ accepted: false });
    expect(store.count()).toBe(0);
  });

  it('keeps the newer ts per (operator, endpoint) and never goes back', () => {
    const store = new SqliteSeenStore(db);
    const newer = wire(1, { ts: NOW + 100 });
    const older = wire(1, { ts: NOW + 50 });
    store.accept(newer, NOW + 100);
    store.accept(older, NOW + 100);
    expect(store.listRecent(10, NOW + 100).map((r) => r.wire)).toEqual([newer]);
    const newest = wire(1, { ts: NOW + 200 });
    store.accept(newest, NOW + 200);
    expect(store.listRecent(10, NOW + 200).map((r) => r.wire)).toEqual([newest]);
  });

  it('drops expired rows on accept; listRecent never returns them', () => {
    const store = new SqliteSeenStore(db);
    store.accept(wire(1, { exp: NOW + 60 }), NOW);
    expect(store.listRecent(10, NOW + 60)).toEqual([]);
    store.accept(wire(2, { ts: NOW + 60 }), NOW + 60);
    expect(store.count()).toBe(1);
  });
});

describe('SqliteSeenStore caps', () => {
  it('over maxRows evicts the earliest received, deterministically', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        (ids, cap) => {
          const run = () => {
            const d = openNodeDatabase(MEMORY_PATH);
            try {
              const store = new SqliteSeenStore(d, { maxRows: cap });
              // Two arrivals per second: ties on received_at are broken by ts, key, endpoint.
              ids.forEach((id, i) => {
                store.accept(wire(id, { ts: NOW + (i % 3) }), NOW + Math.floor(i / 2));
              });
              return store.listRecent(100, NOW).map((r) => r.endpoint);
            } finally {
              d.close();
            }
          };
          const kept = run();
          expect(run()).toEqual(kept);
          // A model of the rule: after each arrival, drop the smallest
          // (received_at, ts, key, endpoint) rows beyond the cap.
          type M = { key: [number, number, string, string]; endpoint: string; ts: number };
          let model: M[] = [];
          ids.forEach((id, i) => {
            const ts = NOW + (i % 3);
            const endpoint = `https://node${id}.example.net`;
            const spk = toHex(ed25519PublicKey(seed(id)));
            model.push({ key: [NOW + Math.floor(i / 2), ts, spk, endpoint], endpoint, ts });
            model.sort((a, b) => compareKeys(a.key, b.key));
            model = model.slice(Math.max(0, model.length - cap));
          });
          const expected = [...model]
            .sort(
              (a, b) =>
                b.ts - a.ts ||
                compareKeys([0, 0, a.key[2], a.endpoint], [0, 0, b.key[2], b.endpoint]),
            )
            .map((m) => m.endpoint);
          expect(kept).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('listForGossip: one per operator, newest first, own key left out, capped', () => {
    const store = new SqliteSeenStore(db);
    // Operator 1 publishes from two endpoints; the newer one is gossiped.
    store.accept(wire(1, { ts: NOW - 5 }), NOW);
    store.accept(wire(1, { ts: NOW - 1, endpoint: 'https://other1.example.net' }), NOW);
    store.accept(wire(2, { ts: NOW - 3 }), NOW);
    store.accept(wire(3, { ts: NOW - 2 }), NOW);
    const own = toHex(ed25519PublicKey(seed(3)));
    const list = store.listForGossip(50, NOW, own).map((r) => r.endpoint);
    expect(list).toEqual(['https://other1.example.net', 'https://node2.example.net']);
    expect(store.listForGossip(1, NOW, own)).toHaveLength(1);
  });

  it('sweep removes rows received before the retention window', () => {
    const store = new SqliteSeenStore(db, { retentionSeconds: 3600 });
    store.accept(wire(1), NOW);
    store.accept(wire(2, { ts: NOW + 3000 }), NOW + 3000);
    expect(store.sweep(NOW + 3601)).toBe(1);
    expect(store.listRecent(10, NOW + 3601).map((r) => r.endpoint)).toEqual([
      'https://node2.example.net',
    ]);
  });
});
