/**
 * Replies to signed UPDATEs kept for their TSIG window (`update-replies.ts`):
 * the cache's bounds and expiry, with fast-check properties (bounds, no
 * false hits, the largest keys lose first), and through the responder: a
 * replayed or retransmitted UPDATE is answered with its first reply, byte
 * for byte, and applies nothing.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signMessage, verifyResponse } from '../../../src/dns/tsig.js';
import { Rcode, RRClass, RRType } from '../../../src/dns/wire/constants.js';
import { EDNS_COOKIE, findCookie } from '../../../src/dns/wire/cookie.js';
import { ednsRecord, findEdns } from '../../../src/dns/wire/edns.js';
import { encodeMessage } from '../../../src/dns/wire/message.js';
import type { TsigRdata } from '../../../src/dns/wire/rdata.js';
import { txtAdd, txtDeleteRRset } from '../../../src/dns/wire/update.js';
import {
  type KeptReply,
  UpdateReplyCache,
  type UpdateReplyCacheLimits,
} from '../../../src/node/dns/update-replies.js';
import { CLIENT_KEY, decode, makeNode, type Node, signed, T0, update, ZONE } from './fixture.js';

/** A distinct 32-octet MAC per number. */
function mac(n: number): Uint8Array {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/** A kept reply told apart by `n` (its signing time). */
function reply(n: number, expires: number): KeptReply {
  return { rcode: n % 16, outcome: 'applied', signedAt: n, cookie: undefined, expires };
}

describe('UpdateReplyCache', () => {
  it('answers within the window, up to and including its last second, then forgets', () => {
    const cache = new UpdateReplyCache();
    cache.remember('k', mac(1), reply(7, T0 + 300), T0);
    for (const at of [T0, T0 + 299, T0 + 300]) {
      expect(cache.lookup('k', mac(1), at)).toEqual(reply(7, T0 + 300));
    }
    expect(cache.lookup('k', mac(2), T0)).toBeUndefined();
    expect(cache.lookup('other', mac(1), T0)).toBeUndefined();
    expect(cache.lookup('k', mac(1), T0 + 301)).toBeUndefined();
    expect(cache.size).toBe(0);
    // A window already past at `now` is not kept at all.
    cache.remember('k', mac(3), reply(1, T0 - 1), T0);
    expect(cache.size).toBe(0);
  });

  it('holds at most perKey entries for one key, dropping its oldest; other keys keep theirs', () => {
    const cache = new UpdateReplyCache({ perKey: 4, total: 100 });
    cache.remember('quiet', mac(0), reply(0, T0 + 300), T0);
    for (let i = 1; i <= 10; i++) cache.remember('busy', mac(i), reply(i, T0 + 300), T0);
    expect(cache.sizeOf('busy')).toBe(4);
    expect(cache.size).toBe(5);
    for (let i = 1; i <= 10; i++) {
      expect(cache.lookup('busy', mac(i), T0) !== undefined).toBe(i > 6);
    }
    expect(cache.lookup('quiet', mac(0), T0)).toBeDefined();
  });

  it('over the total, the key holding the most entries loses its oldest first', () => {
    const cache = new UpdateReplyCache({ perKey: 100, total: 10 });
    cache.remember('victim', mac(0), reply(0, T0 + 300), T0);
    cache.remember('victim', mac(1), reply(1, T0 + 300), T0);
    for (let i = 0; i < 8; i++) cache.remember('a', mac(100 + i), reply(i, T0 + 300), T0);
    expect(cache.size).toBe(10);
    // Two more keys, and more entries for `a`: `a` pays for all of them.
    cache.remember('b', mac(200), reply(1, T0 + 300), T0);
    cache.remember('c', mac(300), reply(1, T0 + 300), T0);
    cache.remember('a', mac(108), reply(1, T0 + 300), T0);
    expect(cache.size).toBe(10);
    expect(cache.sizeOf('victim')).toBe(2);
    expect(cache.sizeOf('a')).toBe(6);
    expect(cache.lookup('a', mac(100), T0)).toBeUndefined();
    expect(cache.lookup('a', mac(102), T0)).toBeUndefined();
    expect(cache.lookup('a', mac(103), T0)).toBeDefined();
    expect(cache.lookup('a', mac(108), T0)).toBeDefined();
  });

  it('over the total, expired entries of idle keys go before any live one', () => {
    const cache = new UpdateReplyCache({ perKey: 100, total: 6 });
    for (let i = 0; i < 5; i++) cache.remember('idle', mac(i), reply(i, T0 + 10), T0);
    cache.remember('live', mac(50), reply(1, T0 + 300), T0);
    cache.remember('live', mac(51), reply(1, T0 + 300), T0 + 11);
    expect(cache.size).toBe(2);
    expect(cache.sizeOf('idle')).toBe(0);
    expect(cache.lookup('live', mac(50), T0 + 11)).toBeDefined();
  });

  it('refuses limits that are not positive integers', () => {
    for (const limits of [{ perKey: 0 }, { total: -1 }, { perKey: 1.5 }, { total: Number.NaN }]) {
      expect(() => new UpdateReplyCache(limits)).toThrow(RangeError);
    }
  });

  // Operations on a small universe of keys and MACs, with time moving forward.
  type Op =
    | { readonly op: 'remember'; readonly key: number; readonly mac: number; readonly ttl: number }
    | { readonly op: 'lookup'; readonly key: number; readonly mac: number }
    | { readonly op: 'tick'; readonly by: number };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      op: fc.constant('remember' as const),
      key: fc.nat(5),
      mac: fc.nat(30),
      ttl: fc.nat(12),
    }),
    fc.record({ op: fc.constant('lookup' as const), key: fc.nat(5), mac: fc.nat(30) }),
    fc.record({ op: fc.constant('tick' as const), by: fc.nat(4) }),
  );
  const limitsArb: fc.Arbitrary<UpdateReplyCacheLimits> = fc.record({
    perKey: fc.integer({ min: 1, max: 12 }),
    total: fc.integer({ min: 1, max: 30 }),
  });

  it('property: never over its limits, and never answers what was not kept or has expired', () => {
    fc.assert(
      fc.property(limitsArb, fc.array(opArb, { maxLength: 300 }), (limits, ops) => {
        const cache = new UpdateReplyCache(limits);
        // What was last remembered per (key, mac): the reply's tag and expiry.
        const model = new Map<string, { tag: number; expires: number }>();
        let now = T0;
        let tag = 0;
        for (const o of ops) {
          if (o.op === 'tick') {
            now += o.by;
          } else if (o.op === 'remember') {
            tag++;
            cache.remember(`k${o.key}`, mac(o.mac), reply(tag, now + o.ttl), now);
            model.set(`${o.key}/${o.mac}`, { tag, expires: now + o.ttl });
          } else {
            const kept = cache.lookup(`k${o.key}`, mac(o.mac), now);
            const expected = model.get(`${o.key}/${o.mac}`);
            if (kept !== undefined) {
              expect(expected).toBeDefined();
              expect(kept).toEqual(reply(expected!.tag, expected!.expires));
              expect(kept.expires).toBeGreaterThanOrEqual(now);
            }
          }
          expect(cache.size).toBeLessThanOrEqual(limits.total);
          let sum = 0;
          for (let k = 0; k <= 5; k++) {
            const n = cache.sizeOf(`k${k}`);
            expect(n).toBeLessThanOrEqual(limits.perKey);
            sum += n;
          }
          expect(sum).toBe(cache.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: the latest entries of a key are kept while nothing else presses (a retransmission finds its reply)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 60 }), (perKey, n) => {
        const cache = new UpdateReplyCache({ perKey, total: 1_000 });
        for (let i = 0; i < n; i++) cache.remember('k', mac(i), reply(i, T0 + 300), T0);
        for (let i = 0; i < n; i++) {
          expect(cache.lookup('k', mac(i), T0) !== undefined).toBe(i >= n - perKey);
        }
      }),
    );
  });

  it('property: a key holding v entries keeps them all against any number of entries from fewer than total / v − 1 other keys', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(fc.nat(1_000), { minLength: 1, maxLength: 400 }),
        fc.boolean(),
        (total, v, perKeySeed, picks, victimFirst) => {
          // Attacker keys: as many as the promise allows, (a + 1) · v ≤ total.
          const attackers = Math.floor(total / v) - 1;
          const perKey = v + (perKeySeed % (total - v + 1));
          const cache = new UpdateReplyCache({ perKey, total });
          const victim = () => {
            for (let i = 0; i < v; i++) cache.remember('victim', mac(i), reply(i, T0 + 300), T0);
          };
          if (victimFirst) victim();
          let n = 1_000;
          for (const p of picks) {
            if (attackers > 0)
              cache.remember(`a${p % attackers}`, mac(n++), reply(1, T0 + 300), T0);
          }
          if (!victimFirst) {
            victim();
            for (const p of picks) {
              if (attackers > 0)
                cache.remember(`a${p % attackers}`, mac(n++), reply(1, T0 + 300), T0);
            }
          }
          for (let i = 0; i < v; i++) expect(cache.lookup('victim', mac(i), T0)).toBeDefined();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the responder answers a repeated signed UPDATE from the cache', () => {
  const X = `alice.${ZONE}`;
  let node: Node;
  beforeEach(() => {
    node = makeNode();
  });
  afterEach(() => node.close());

  const valuesAt = (name: string) => node.stores.records.query(name, node.now);
  const tsigOf = (wire: Uint8Array): TsigRdata => {
    const rr = decode(wire).additionals.at(-1);
    if (rr?.type !== RRType.TSIG || rr.data.kind !== 'TSIG') throw new Error('no TSIG');
    return rr.data;
  };

  it('a replay after the owner changed the RRset re-applies nothing and gets the first reply, byte for byte', () => {
    const first = signed(update([txtDeleteRRset(X), txtAdd(X, 300, 'A')], ZONE, [], 0x1001), T0);
    const firstReply = node.send(first.wire)!.wire;
    expect(decode(firstReply).header.rcode).toBe(Rcode.NOERROR);
    expect(valuesAt(X)).toEqual(['A']);

    node.now = T0 + 5;
    const second = signed(
      update([txtDeleteRRset(X), txtAdd(X, 300, 'B')], ZONE, [], 0x1002),
      T0 + 5,
    );
    expect(decode(node.send(second.wire)!.wire).header.rcode).toBe(Rcode.NOERROR);
    expect(valuesAt(X)).toEqual(['B']);

    node.now = T0 + 60;
    for (const transport of ['udp', 'tcp'] as const) {
      const again = node.send(first.wire, transport)!;
      expect(again.wire).toEqual(firstReply);
      expect(again.rcode).toBe(Rcode.NOERROR);
      expect(again.kind).toBe('update');
      expect(again.authenticated).toBe(true);
      // The client that sent `first` verifies it against its own request MAC.
      expect(verifyResponse(again.wire, CLIENT_KEY, first.mac, node.now).status).toBe('ok');
    }
    expect(valuesAt(X)).toEqual(['B']);
    expect(node.metrics.get('update:applied')).toBe(2);
    expect(node.metrics.get('update:replayed')).toBe(2);
  });

  it('a copy under another header ID (outside the MAC) is the same request: applied once, answered under its ID', () => {
    const first = signed(update([txtAdd(X, 300, 'A')], ZONE, [], 0x2001), T0);
    const firstReply = node.send(first.wire)!.wire;
    node.stores.records.apply([{ kind: 'delete-name', name: X }], T0);
    const copy = first.wire.slice();
    copy[0] = 0x77;
    copy[1] = 0x66;
    node.now = T0 + 2;
    const again = node.send(copy)!.wire;
    expect(decode(again).header.id).toBe(0x7766);
    expect(decode(again).header.rcode).toBe(Rcode.NOERROR);
    // Signed at the first reply's time, the copy's request MAC chained.
    expect(tsigOf(again).timeSigned).toBe(tsigOf(firstReply).timeSigned);
    expect(verifyResponse(again, CLIENT_KEY, first.mac, node.now).status).toBe('ok');
    expect(valuesAt(X)).toEqual([]);
    expect(node.metrics.get('update:replayed')).toBe(1);
  });

  it('a request that carried a DNS cookie gets the first reply’s cookie again', () => {
    const opt = ednsRecord({
      udpSize: 1232,
      options: [{ code: EDNS_COOKIE, data: new Uint8Array(8).fill(5) }],
    });
    const msg = update([txtAdd(X, 300, 'A')], ZONE, [], 0x2101);
    const first = signed({ ...msg, additionals: [opt] }, T0);
    const firstReply = node.send(first.wire)!.wire;
    expect(findCookie(findEdns(decode(firstReply))!.options).status).toBe('present');
    // A server cookie minted 200 s later would carry another timestamp.
    node.now = T0 + 200;
    expect(node.send(first.wire)!.wire).toEqual(firstReply);
    expect(node.metrics.get('update:replayed')).toBe(1);
  });

  it('a copy whose TSIG owner name differs in case only (outside the MAC) is the same request', () => {
    node.stores.records.apply([{ kind: 'add', name: X, value: 'kept', ttl: 300 }], T0);
    const msg = update([txtDeleteRRset(X)], ZONE, [], 0x3001);
    const lower = signMessage(msg, CLIENT_KEY, { timeSigned: T0 });
    const upper = signMessage(
      msg,
      { ...CLIENT_KEY, name: CLIENT_KEY.name.toUpperCase() },
      { timeSigned: T0 },
    );
    expect(upper.mac).toEqual(lower.mac);
    expect(upper.wire).not.toEqual(lower.wire);
    expect(decode(node.send(lower.wire)!.wire).header.rcode).toBe(Rcode.NOERROR);
    node.stores.records.apply([{ kind: 'add', name: X, value: 'again', ttl: 300 }], T0);
    expect(decode(node.send(upper.wire)!.wire).header.rcode).toBe(Rcode.NOERROR);
    expect(valuesAt(X)).toEqual(['again']);
    expect(node.metrics.get('update:replayed')).toBe(1);
  });

  it('refusals are kept too: a conditional UPDATE refused once does not succeed on replay after the zone changed', () => {
    node.stores.records.apply([{ kind: 'add', name: X, value: 'old', ttl: 300 }], T0);
    // "only if X holds no TXT": refused while it holds one.
    const absent = {
      name: X,
      type: RRType.TXT,
      class: RRClass.NONE,
      ttl: 0,
      data: { kind: 'TXT' as const, strings: [] },
    };
    const conditional = signed(update([txtAdd(X, 300, 'took over')], ZONE, [absent], 0x4001), T0);
    const refused = node.send(conditional.wire)!.wire;
    expect(decode(refused).header.rcode).toBe(Rcode.YXRRSET);
    node.stores.records.apply([{ kind: 'delete-name', name: X }], T0);
    expect(node.send(conditional.wire)!.wire).toEqual(refused);
    expect(valuesAt(X)).toEqual([]);
  });

  it('the window is the request’s: kept through time signed + fudge, BADTIME one second later', () => {
    for (const [id, fudge] of [
      [0x5001, 300],
      [0x5002, 30],
      [0x5003, 3_600], // capped at 300, as verification caps it
    ] as const) {
      node.now = T0;
      const name = `w${id}.alice.${ZONE}`;
      const req = signMessage(update([txtAdd(name, 300, 'once')], ZONE, [], id), CLIENT_KEY, {
        timeSigned: T0,
        fudge,
      });
      const firstReply = node.send(req.wire)!.wire;
      node.stores.records.apply([{ kind: 'delete-name', name }], T0);
      const last = T0 + Math.min(fudge, 300);
      node.now = last;
      expect(node.send(req.wire)!.wire).toEqual(firstReply);
      node.now = last + 1;
      const late = node.send(req.wire)!.wire;
      expect(decode(late).header.rcode).toBe(Rcode.NOTAUTH);
      expect(tsigOf(late).error).toBe(Rcode.BADTIME);
      expect(node.stores.records.query(name, T0)).toEqual([]);
    }
  });

  it('unsigned UPDATEs are not kept (each is decided anew)', () => {
    const msg = update([txtAdd(X, 300, 'anon')], ZONE, [], 0x6001);
    const wire = encodeMessage(msg);
    expect(decode(node.send(wire)!.wire).header.rcode).toBe(Rcode.REFUSED);
    expect(decode(node.send(wire)!.wire).header.rcode).toBe(Rcode.REFUSED);
    expect(node.metrics.get('update:replayed')).toBe(0);
  });
});
