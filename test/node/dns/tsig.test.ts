/** TSIG (RFC 8945) at the responder: error forms, signed replies of every kind, keyring caching. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signMessage, verifyResponse } from '../../../src/dns/tsig.js';
import { tsigMacInput } from '../../../src/dns/tsig-key.js';
import { Rcode, RRClass, RRType } from '../../../src/dns/wire/constants.js';
import type { DnsMessage } from '../../../src/dns/wire/message.js';
import { encodeMessage } from '../../../src/dns/wire/message.js';
import { lastRecordOffset } from '../../../src/dns/wire/scan.js';
import { txtAdd } from '../../../src/dns/wire/update.js';
import type { TsigKeyStore } from '../../../src/node/store/types.js';
import { bytesEqual, writeU16 } from '../../../src/protocol/bytes.js';
import { hmacSha256 } from '../../../src/protocol/crypto/hash.js';
import {
  CLIENT_KEY,
  config,
  decode,
  KEY_NAME,
  KEY_SECRET,
  keyRecord,
  makeNode,
  type Node,
  queryMessage,
  signed,
  T0,
  update,
  ZONE,
} from './fixture.js';

const A = `alice.${ZONE}`;

let node: Node;
beforeEach(() => {
  node = makeNode();
});
afterEach(() => node.close());

function tsigOf(msg: DnsMessage) {
  const rr = msg.additionals[msg.additionals.length - 1];
  if (rr?.type !== RRType.TSIG || rr.data.kind !== 'TSIG') throw new Error('no TSIG RR');
  return { name: rr.name, class: rr.class, ...rr.data };
}

describe('failed verification (RFC 8945 §5.2)', () => {
  it('unknown key: NOTAUTH with TSIG error BADKEY, unsigned (empty MAC)', () => {
    const req = signed(update([txtAdd(A, 300, 'v')]), T0, {
      ...CLIENT_KEY,
      name: 'who.mesh.test.',
    });
    const response = node.send(req.wire)!;
    const msg = decode(response.wire);
    expect([msg.header.rcode, msg.header.qr, msg.header.opcode, msg.header.aa]).toEqual([
      Rcode.NOTAUTH,
      true,
      5,
      false,
    ]);
    const tsig = tsigOf(msg);
    expect([tsig.name, tsig.error, tsig.mac.length, tsig.other.length]).toEqual([
      'who.mesh.test',
      Rcode.BADKEY,
      0,
      0,
    ]);
    expect(tsig.algorithm).toBe('hmac-sha256');
    expect(tsig.originalId).toBe(0x4242);
    expect(msg.questions).toHaveLength(1);
    expect(response.kind).toBe('update');
    expect(node.stores.records.query(A, T0)).toEqual([]);
    expect(node.metrics.get('tsig:BADKEY')).toBe(1);
    expect(verifyResponse(response.wire, CLIENT_KEY, req.mac, T0).status).toBe('BADKEY');
  });

  it('wrong secret or tampered packet: NOTAUTH with BADSIG, unsigned, nothing stored', () => {
    const req = signed(update([txtAdd(A, 300, 'v')]), T0, {
      ...CLIENT_KEY,
      secret: new Uint8Array(32),
    });
    const tsig = tsigOf(decode(node.send(req.wire)!.wire));
    expect([tsig.error, tsig.mac.length]).toEqual([Rcode.BADSIG, 0]);
    const good = signed(update([txtAdd(A, 300, 'v')]), T0);
    const tampered = good.wire.slice();
    tampered[40]! ^= 1;
    const reply = decode(node.send(tampered)!.wire);
    expect(reply.header.rcode).toBe(Rcode.NOTAUTH);
    expect(tsigOf(reply).error).toBe(Rcode.BADSIG);
    expect(node.stores.records.query(A, T0)).toEqual([]);
  });

  it('bad time: NOTAUTH with BADTIME, signed over the request MAC, server time in other data', () => {
    const req = signed(update([txtAdd(A, 300, 'v')]), T0 - 301);
    const wire = node.send(req.wire)!.wire;
    const tsig = tsigOf(decode(wire));
    expect([tsig.error, tsig.timeSigned, tsig.fudge]).toEqual([Rcode.BADTIME, T0 - 301, 300]);
    expect(Array.from(tsig.other)).toEqual([
      0,
      0,
      T0 >>> 24,
      (T0 >>> 16) & 255,
      (T0 >>> 8) & 255,
      T0 & 255,
    ]);
    // Recompute the MAC (RFC 8945 §4.3.1: request MAC ‖ response without TSIG ‖ variables).
    const offset = lastRecordOffset(wire)!;
    const unsigned = wire.slice(0, offset);
    writeU16(unsigned, 10, 0);
    const input = tsigMacInput(
      unsigned,
      { ...tsig, keyName: KEY_NAME, algorithm: tsig.algorithm },
      req.mac,
    );
    expect(bytesEqual(hmacSha256(KEY_SECRET, input), tsig.mac)).toBe(true);
    expect(node.stores.records.query(A, T0)).toEqual([]);
  });

  it('the time window is the request fudge, inclusive', () => {
    expect(
      decode(node.send(signed(update([txtAdd(A, 300, 'v')]), T0 + 300).wire)!.wire).header.rcode,
    ).toBe(0);
    const narrow = signMessage(update([txtAdd(A, 300, 'v')]), CLIENT_KEY, {
      timeSigned: T0 - 11,
      fudge: 10,
    });
    expect(tsigOf(decode(node.send(narrow.wire)!.wire)).error).toBe(Rcode.BADTIME);
  });

  it('honours a fudge of at most 300 s, whatever the signer claims (bounded replay window)', () => {
    const wide = (skew: number) =>
      signMessage(update([txtAdd(A, 300, `v${skew}`)]), CLIENT_KEY, {
        timeSigned: T0 - skew,
        fudge: 36_000,
      });
    expect(tsigOf(decode(node.send(wide(1_000).wire)!.wire)).error).toBe(Rcode.BADTIME);
    expect(node.stores.records.query(A, T0)).toEqual([]);
    expect(decode(node.send(wide(300).wire)!.wire).header.rcode).toBe(0);
    expect(node.stores.records.query(A, T0)).toEqual(['v300']);
  });

  it('malformed TSIG: FORMERR without TSIG', () => {
    const msg = update([txtAdd(A, 300, 'v')]);
    const req = signed(msg, T0);
    const bad = decode(req.wire);
    bad.additionals[0]!.class = RRClass.IN;
    const reply = decode(node.send(encodeMessage(bad))!.wire);
    expect(reply.header.rcode).toBe(Rcode.FORMERR);
    expect(reply.additionals).toEqual([]);
  });

  it('a key stored with another algorithm is BADKEY (the reference dropped the packet)', () => {
    node.close();
    node = makeNode(undefined, {}, [keyRecord({ algorithm: 'hmac-sha1' })]);
    const tsig = tsigOf(decode(node.send(signed(update([txtAdd(A, 300, 'v')]), T0).wire)!.wire));
    expect(tsig.error).toBe(Rcode.BADKEY);
  });

  it('without a key store every TSIG is BADKEY', () => {
    node.close();
    node = makeNode(undefined, { tsigKeys: undefined });
    const tsig = tsigOf(decode(node.send(signed(update([txtAdd(A, 300, 'v')]), T0).wire)!.wire));
    expect(tsig.error).toBe(Rcode.BADKEY);
  });
});

describe('signed replies (RFC 8945 §5.3)', () => {
  it('signs answers, negatives, NOTIMP and BADVERS to signed queries', () => {
    node.stores.records.publish(A, 'v', 60, T0);
    for (const msg of [
      queryMessage(A, RRType.TXT),
      queryMessage(`none.${ZONE}`, RRType.TXT),
      queryMessage('other.test', RRType.TXT),
      queryMessage(A, RRType.TXT, { opcode: 2 }),
      queryMessage(A, RRType.TXT, { edns: 1232, ednsVersion: 3 }),
    ]) {
      const req = signed(msg, T0);
      const wire = node.send(req.wire)!.wire;
      expect(verifyResponse(wire, CLIENT_KEY, req.mac, T0).status).toBe('ok');
    }
  });

  it('signs the TC stub and the RRL slip stub', () => {
    node.stores.records.apply(
      [1, 2, 3].map((i) => ({ kind: 'add', name: A, value: `${i}`.repeat(300), ttl: 60 }) as const),
      T0,
    );
    const req = signed(queryMessage(A, RRType.TXT), T0);
    const response = node.send(req.wire)!;
    expect(response.kind).toBe('truncated');
    expect(decode(response.wire).header.tc).toBe(true);
    expect(verifyResponse(response.wire, CLIENT_KEY, req.mac, T0).status).toBe('ok');
    expect(verifyResponse(response.truncated(), CLIENT_KEY, req.mac, T0).status).toBe('ok');
  });

  it('signs UPDATE refusals', () => {
    const req = signed(update([txtAdd(`bob.${ZONE}`, 300, 'v')]), T0);
    const wire = node.send(req.wire)!.wire;
    expect(decode(wire).header.rcode).toBe(Rcode.REFUSED);
    expect(verifyResponse(wire, CLIENT_KEY, req.mac, T0).status).toBe('ok');
  });
});

describe('keyring', () => {
  function countingStore(inner: TsigKeyStore, calls: { n: number }): TsigKeyStore {
    return {
      getActive: (name, now) => {
        calls.n++;
        return inner.getActive(name, now);
      },
      listActive: (now) => inner.listActive(now),
      upsert: (key) => inner.upsert(key),
      revoke: (name) => inner.revoke(name),
      get generation() {
        return inner.generation;
      },
    };
  }

  it('looks a key up once per generation, and sees new and revoked keys at once', () => {
    const calls = { n: 0 };
    node.close();
    const base = makeNode();
    const keys = countingStore(base.stores.tsigKeys, calls);
    node = makeNode(undefined, { records: base.stores.records, tsigKeys: keys }, []);
    const rcode = (time = T0) =>
      decode(node.send(signed(update([txtAdd(A, 300, `v${time}`)]), time).wire)!.wire).header.rcode;
    expect(rcode()).toBe(Rcode.NOERROR);
    expect(rcode()).toBe(Rcode.NOERROR);
    expect(calls.n).toBe(1);
    base.stores.tsigKeys.revoke(KEY_NAME);
    expect(rcode()).toBe(Rcode.NOTAUTH);
    base.stores.tsigKeys.upsert(keyRecord());
    expect(rcode()).toBe(Rcode.NOERROR);
    expect(calls.n).toBe(3);
    base.close();
  });

  it('stops accepting a cached key when it expires', () => {
    node.close();
    node = makeNode(config(), {}, [keyRecord({ expiresAt: T0 + 10 })]);
    const send = () =>
      decode(node.send(signed(update([txtAdd(A, 300, 'v')]), node.now).wire)!.wire);
    expect(send().header.rcode).toBe(Rcode.NOERROR);
    node.now = T0 + 10;
    expect(tsigOf(send()).error).toBe(Rcode.BADKEY);
  });
});
