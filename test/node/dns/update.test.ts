/** RFC 2136 UPDATE through the responder: order of checks, ops, caps, scope, atomicity, prerequisites. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyResponse } from '../../../src/dns/tsig.js';
import { Rcode, RRClass, RRType } from '../../../src/dns/wire/constants.js';
import { ednsRecord, findEdns } from '../../../src/dns/wire/edns.js';
import type { DnsMessage, DnsRecord } from '../../../src/dns/wire/message.js';
import { txtRdata } from '../../../src/dns/wire/txt.js';
import { txtAdd, txtDelete, txtDeleteRRset } from '../../../src/dns/wire/update.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import type { RecordStore } from '../../../src/node/store/types.js';
import {
  CLIENT_KEY,
  config,
  decode,
  makeNode,
  type Node,
  signed,
  T0,
  update,
  ZONE,
} from './fixture.js';

const A = `alice.${ZONE}`;
const A2 = `x.alice.${ZONE}`;
const CHUNK = `chunk-0001-abcdef.${ZONE}`;

let node: Node;
beforeEach(() => {
  node = makeNode();
});
afterEach(() => node.close());

/** Sends `msg` signed with the fixture key; checks the reply's TSIG and returns it decoded. */
function send(msg: DnsMessage): DnsMessage {
  const req = signed(msg, node.now);
  const response = node.send(req.wire)!;
  expect(response.kind).toBe('update');
  const verification = verifyResponse(response.wire, CLIENT_KEY, req.mac, node.now);
  expect(verification.status).toBe('ok');
  const reply = decode(response.wire);
  expect(reply.header.aa).toBe(true);
  expect(reply.header.opcode).toBe(5);
  return reply;
}

const rcodeOf = (msg: DnsMessage) => send(msg).header.rcode;
const values = (name: string, at = node.now) => node.stores.records.query(name, at);

function rr(fields: Partial<DnsRecord>): DnsRecord {
  return { name: A, type: RRType.TXT, class: RRClass.IN, ttl: 300, data: txtRdata('v'), ...fields };
}

describe('applying ops', () => {
  it('adds, echoing the zone section, and signs the reply', () => {
    const reply = send(update([txtAdd(A, 300, 'one'), txtAdd(A2, 300, 'two')]));
    expect(reply.header.rcode).toBe(Rcode.NOERROR);
    expect(reply.questions).toEqual([{ name: ZONE, type: RRType.SOA, class: RRClass.IN }]);
    expect(reply.answers.length + reply.authorities.length).toBe(0);
    expect(values(A)).toEqual(['one']);
    expect(values(A2)).toEqual(['two']);
    expect(node.metrics.get('update:applied')).toBe(1);
  });

  it('stores lower-case owners and joins multi-string values', () => {
    const long = 'y'.repeat(700);
    expect(rcodeOf(update([txtAdd('ALICE.Mesh.Test', 300, long)]))).toBe(Rcode.NOERROR);
    expect(values(A)).toEqual([long]);
  });

  it('stores TTL 0 as 60', () => {
    send(update([txtAdd(A, 0, 'v')]));
    expect(values(A, T0 + 59)).toEqual(['v']);
    expect(values(A, T0 + 60)).toEqual([]);
  });

  it('deletes a value, an RRset, and everything at a name (class ANY type ANY)', () => {
    node.stores.records.apply(
      ['a', 'b', 'c'].map((value) => ({ kind: 'add', name: A, value, ttl: 300 }) as const),
      T0,
    );
    expect(rcodeOf(update([txtDelete(A, 'b')]))).toBe(Rcode.NOERROR);
    expect(values(A)).toEqual(['a', 'c']);
    expect(rcodeOf(update([txtDeleteRRset(A)]))).toBe(Rcode.NOERROR);
    expect(values(A)).toEqual([]);
    node.stores.records.publish(A, 'z', 300, T0);
    const all = rr({
      type: RRType.ANY,
      class: RRClass.ANY,
      ttl: 0,
      data: { kind: 'RAW', bytes: new Uint8Array(0) },
    });
    expect(rcodeOf(update([all]))).toBe(Rcode.NOERROR);
    expect(values(A)).toEqual([]);
  });

  it('deleting absent data is a successful no-op (RFC 2136, unlike the reference)', () => {
    expect(rcodeOf(update([txtDeleteRRset(A)]))).toBe(Rcode.NOERROR);
    expect(rcodeOf(update([txtDelete(A, 'never')]))).toBe(Rcode.NOERROR);
  });

  it('a signed UPDATE without ops is NOERROR', () => {
    expect(rcodeOf(update([]))).toBe(Rcode.NOERROR);
  });

  it('keeps OPT in the reply when the request had one', () => {
    const msg = update([txtAdd(A, 300, 'v')]);
    msg.additionals.push(ednsRecord({ udpSize: 1232 }));
    expect(findEdns(send(msg))?.udpSize).toBe(1232);
  });
});

describe('checks before any write', () => {
  it('REFUSED when UPDATE is disabled', () => {
    node.close();
    node = makeNode(config({ update: { enabled: false } }));
    expect(rcodeOf(update([txtAdd(A, 300, 'v')]))).toBe(Rcode.REFUSED);
    expect(node.metrics.get('update:disabled')).toBe(1);
  });

  it('FORMERR unless the zone section is one SOA entry', () => {
    const none = update([txtAdd(A, 300, 'v')]);
    none.questions = [];
    expect(rcodeOf(none)).toBe(Rcode.FORMERR);
    const two = update([txtAdd(A, 300, 'v')]);
    two.questions.push({ ...two.questions[0]! });
    expect(rcodeOf(two)).toBe(Rcode.FORMERR);
    const notSoa = update([txtAdd(A, 300, 'v')]);
    notSoa.questions[0]!.type = RRType.TXT;
    expect(rcodeOf(notSoa)).toBe(Rcode.FORMERR);
  });

  it('NOTAUTH for another zone or class; the zone compares case-insensitively', () => {
    expect(rcodeOf(update([txtAdd('x.other.test', 300, 'v')], 'other.test'))).toBe(Rcode.NOTAUTH);
    expect(rcodeOf(update([txtAdd(A, 300, 'v')], `sub.${ZONE}`))).toBe(Rcode.NOTAUTH);
    const ch = update([txtAdd(A, 300, 'v')]);
    ch.questions[0]!.class = RRClass.CH;
    expect(rcodeOf(ch)).toBe(Rcode.NOTAUTH);
    expect(rcodeOf(update([txtAdd(A, 300, 'v')], 'MESH.test.'))).toBe(Rcode.NOERROR);
  });

  it('NOTZONE for an owner outside the zone', () => {
    expect(rcodeOf(update([txtAdd(A, 300, 'v'), txtAdd('x.other.test', 300, 'v')]))).toBe(
      Rcode.NOTZONE,
    );
    expect(values(A)).toEqual([]);
  });

  it('FORMERR for combinations RFC 2136 §2.5 does not define', () => {
    const empty = { kind: 'TXT' as const, strings: [] };
    for (const bad of [
      rr({ class: RRClass.CH }),
      rr({ class: RRClass.NONE, ttl: 5 }),
      rr({ class: RRClass.ANY, ttl: 0 }), // RDATA on an RRset delete
      rr({ data: empty }), // an add without a string
      rr({ data: { kind: 'TXT', strings: [Uint8Array.of(0xff, 0xfe)] } }), // not UTF-8
      rr({ type: RRType.ANY, data: { kind: 'RAW', bytes: Uint8Array.of(1) } }), // add of a meta type
      rr({
        type: RRType.AXFR,
        class: RRClass.ANY,
        ttl: 0,
        data: { kind: 'RAW', bytes: new Uint8Array(0) },
      }),
    ]) {
      expect(rcodeOf(update([bad]))).toBe(Rcode.FORMERR);
    }
  });

  it('REFUSED for non-TXT records, but a malformed RR anywhere wins', () => {
    const a = rr({ type: RRType.A, data: { kind: 'A', address: '192.0.2.7' } });
    expect(rcodeOf(update([a, txtAdd(A, 300, 'v')]))).toBe(Rcode.REFUSED);
    expect(rcodeOf(update([a, rr({ class: RRClass.CH })]))).toBe(Rcode.FORMERR);
    expect(values(A)).toEqual([]);
    expect(node.metrics.get('update:unsupported-type')).toBe(1);
  });
});

describe('caps (node spec §2.4)', () => {
  beforeEach(() => {
    node.close();
    node = makeNode(config({ caps: { maxTtl: 1000, maxValueBytes: 10, maxValuesPerName: 3 } }));
  });

  it('REFUSED for a value over the byte cap (UTF-8 bytes) and a TTL over the cap', () => {
    expect(rcodeOf(update([txtAdd(A, 300, 'x'.repeat(10))]))).toBe(Rcode.NOERROR);
    expect(rcodeOf(update([txtAdd(A, 300, 'é'.repeat(6))]))).toBe(Rcode.REFUSED);
    expect(rcodeOf(update([txtAdd(A, 1001, 'v')]))).toBe(Rcode.REFUSED);
    expect(node.metrics.get('update:caps')).toBe(2);
  });

  it('counts stored values plus adds per name; refreshes and same-UPDATE deletes make no growth', () => {
    node.stores.records.apply(
      ['a', 'b'].map((value) => ({ kind: 'add', name: A, value, ttl: 300 }) as const),
      T0,
    );
    expect(rcodeOf(update([txtAdd(A, 300, 'c'), txtAdd(A, 300, 'd')]))).toBe(Rcode.REFUSED);
    expect(rcodeOf(update([txtAdd(A, 300, 'c')]))).toBe(Rcode.NOERROR);
    expect(rcodeOf(update([txtAdd(A, 300, 'a')]))).toBe(Rcode.NOERROR); // refresh
    expect(rcodeOf(update([txtDelete(A, 'a'), txtAdd(A, 300, 'd')]))).toBe(Rcode.NOERROR);
    expect(values(A).slice().sort()).toEqual(['b', 'c', 'd']);
  });

  it('disabled caps (≤ 0) allow anything', () => {
    node.close();
    node = makeNode(config({ caps: { maxTtl: 0, maxValueBytes: 0, maxValuesPerName: 0 } }));
    expect(rcodeOf(update([txtAdd(A, 10_000_000, 'x'.repeat(5000))]))).toBe(Rcode.NOERROR);
  });
});

describe('scope and atomicity', () => {
  it('adds through literal and wildcard suffixes; deletes only through literal ones', () => {
    expect(rcodeOf(update([txtAdd(CHUNK, 300, 'c')]))).toBe(Rcode.NOERROR);
    expect(rcodeOf(update([txtDelete(CHUNK, 'c')]))).toBe(Rcode.REFUSED);
    expect(values(CHUNK)).toEqual(['c']);
    expect(rcodeOf(update([txtAdd(`bob.${ZONE}`, 300, 'v')]))).toBe(Rcode.REFUSED);
    expect(rcodeOf(update([txtAdd(A, 300, 'v'), txtDeleteRRset(A2)]))).toBe(Rcode.NOERROR);
    expect(node.metrics.get('update:scope')).toBe(2);
  });

  it('a 3-op UPDATE whose last op violates scope writes nothing', () => {
    node.stores.records.publish(A2, 'keep', 300, T0);
    const msg = update([
      txtAdd(A, 300, 'one'),
      txtDeleteRRset(A2),
      txtAdd(`bob.${ZONE}`, 300, 'x'),
    ]);
    expect(rcodeOf(msg)).toBe(Rcode.REFUSED);
    expect(values(A)).toEqual([]);
    expect(values(A2)).toEqual(['keep']);
    expect(values(`bob.${ZONE}`)).toEqual([]);
  });

  it('a full store refuses the whole batch', () => {
    const small = openNodeStores(MEMORY_PATH, { records: { maxRows: 1 } });
    node.close();
    node = makeNode(undefined, { records: small.records });
    try {
      expect(rcodeOf(update([txtAdd(A, 300, 'one'), txtAdd(A2, 300, 'two')]))).toBe(Rcode.REFUSED);
      expect(small.records.query(A, T0)).toEqual([]);
      expect(node.metrics.get('update:store-full')).toBe(1);
    } finally {
      small.close();
    }
  });

  it('a failing store is SERVFAIL, reported as an internal error', () => {
    const backing = openNodeStores(MEMORY_PATH);
    const broken: RecordStore = Object.assign(Object.create(backing.records) as RecordStore, {
      apply() {
        throw new Error('disk on fire');
      },
    });
    node.close();
    node = makeNode(undefined, { records: broken });
    try {
      expect(rcodeOf(update([txtAdd(A, 300, 'v')]))).toBe(Rcode.SERVFAIL);
      expect(node.metrics.get('update:store-error')).toBe(1);
      expect(node.metrics.errors).toHaveLength(1);
    } finally {
      backing.close();
    }
  });

  it('checks and writes in one transaction; a failed commit is a signed SERVFAIL that keeps nothing', () => {
    const backing = openNodeStores(MEMORY_PATH);
    const seen: boolean[] = [];
    const failingCommit: RecordStore = Object.assign(
      Object.create(backing.records) as RecordStore,
      {
        atomically<T>(fn: () => T): T {
          return backing.records.atomically(() => {
            fn();
            seen.push(backing.database.connection.inTransaction);
            throw new Error('commit failed');
          });
        },
      },
    );
    node.close();
    node = makeNode(undefined, { records: failingCommit });
    try {
      expect(rcodeOf(update([txtAdd(A, 300, 'v')]))).toBe(Rcode.SERVFAIL);
      expect(seen).toEqual([true]);
      expect(backing.records.query(A, T0)).toEqual([]);
      expect(node.metrics.get('update:store-error')).toBe(1);
    } finally {
      backing.close();
    }
  });

  it('an exception from the checks inside the transaction still reaches the responder', () => {
    const backing = openNodeStores(MEMORY_PATH);
    const broken: RecordStore = Object.assign(Object.create(backing.records) as RecordStore, {
      query() {
        throw new Error('read failed');
      },
    });
    node.close();
    node = makeNode(undefined, { records: broken });
    try {
      // Unsigned SERVFAIL from the responder's last resort, as without the transaction.
      const response = node.send(signed(update([txtAdd(A, 300, 'v')]), node.now).wire)!;
      expect(decode(response.wire).header.rcode).toBe(Rcode.SERVFAIL);
      expect(node.metrics.get('internal-error')).toBe(1);
      expect(backing.database.connection.inTransaction).toBe(false);
    } finally {
      backing.close();
    }
  });
});

describe('prerequisites (RFC 2136 §3.2)', () => {
  const empty = { kind: 'RAW' as const, bytes: new Uint8Array(0) };
  const nameInUse = rr({ type: RRType.ANY, class: RRClass.ANY, ttl: 0, data: empty });
  const nameNotInUse = rr({ type: RRType.ANY, class: RRClass.NONE, ttl: 0, data: empty });
  const txtExists = rr({ class: RRClass.ANY, ttl: 0, data: { kind: 'TXT', strings: [] } });
  const txtAbsent = rr({ class: RRClass.NONE, ttl: 0, data: { kind: 'TXT', strings: [] } });
  const txtEquals = (v: string) => rr({ ttl: 0, data: txtRdata(v) });
  const add = [txtAdd(A, 300, 'new')];

  it('evaluates the five forms against the stored data', () => {
    expect(rcodeOf(update(add, ZONE, [nameInUse]))).toBe(Rcode.NXDOMAIN);
    expect(rcodeOf(update(add, ZONE, [txtExists]))).toBe(Rcode.NXRRSET);
    expect(rcodeOf(update(add, ZONE, [txtEquals('old')]))).toBe(Rcode.NXRRSET);
    expect(values(A)).toEqual([]);
    expect(rcodeOf(update([txtAdd(A, 300, 'old')], ZONE, [nameNotInUse, txtAbsent]))).toBe(
      Rcode.NOERROR,
    );
    expect(rcodeOf(update(add, ZONE, [nameNotInUse]))).toBe(Rcode.YXDOMAIN);
    expect(rcodeOf(update(add, ZONE, [txtAbsent]))).toBe(Rcode.YXRRSET);
    expect(rcodeOf(update(add, ZONE, [nameInUse, txtExists, txtEquals('old')]))).toBe(
      Rcode.NOERROR,
    );
    expect(values(A).slice().sort()).toEqual(['new', 'old']);
    // The RRset must equal the prerequisite values exactly. (Another ID: the
    // same signed bytes again would be a replay, answered from the first reply.)
    expect(rcodeOf(update(add, ZONE, [txtEquals('old')], 0x4243))).toBe(Rcode.NXRRSET);
    expect(node.metrics.get('update:prerequisite')).toBe(6);
  });

  it('knows the apex and its synthesised RRsets', () => {
    const at = (f: Partial<DnsRecord>) => rr({ name: ZONE, ttl: 0, data: empty, ...f });
    expect(rcodeOf(update(add, ZONE, [at({ type: RRType.ANY, class: RRClass.ANY })]))).toBe(0);
    expect(rcodeOf(update(add, ZONE, [at({ type: RRType.SOA, class: RRClass.ANY })]))).toBe(0);
    expect(rcodeOf(update(add, ZONE, [at({ type: RRType.MX, class: RRClass.ANY })]))).toBe(
      Rcode.NXRRSET,
    );
    expect(rcodeOf(update(add, ZONE, [at({ type: RRType.NS, class: RRClass.NONE })]))).toBe(
      Rcode.YXRRSET,
    );
  });

  it('FORMERR for a TTL, RDATA on ANY/NONE or another class; NOTZONE outside', () => {
    expect(rcodeOf(update(add, ZONE, [{ ...nameInUse, ttl: 1 }]))).toBe(Rcode.FORMERR);
    expect(rcodeOf(update(add, ZONE, [{ ...txtExists, data: txtRdata('x') }]))).toBe(Rcode.FORMERR);
    expect(rcodeOf(update(add, ZONE, [{ ...txtEquals('x'), class: RRClass.CH }]))).toBe(
      Rcode.FORMERR,
    );
    expect(rcodeOf(update(add, ZONE, [{ ...nameInUse, name: 'other.test' }]))).toBe(Rcode.NOTZONE);
  });
});
