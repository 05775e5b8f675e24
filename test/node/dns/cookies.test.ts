/**
 * DNS Cookies in the responder (RFC 7873 §5.2): the COOKIE option answered,
 * a malformed one refused with FORMERR, a valid server cookie marking the
 * source address as proven, and replies to cookie-less requests unchanged
 * to the octet.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rcode, RRType } from '../../../src/dns/wire/constants.js';
import { EDNS_COOKIE, findCookie } from '../../../src/dns/wire/cookie.js';
import { findEdns, fullRcode } from '../../../src/dns/wire/edns.js';
import { type DnsMessage, encodeMessage } from '../../../src/dns/wire/message.js';
import { txtAdd } from '../../../src/dns/wire/update.js';
import { fromHex, toHex } from '../../../src/protocol/bytes.js';
import {
  config,
  decode,
  makeNode,
  type Node,
  queryMessage,
  signed,
  T0,
  update,
  ZONE,
} from './fixture.js';

const CLIENT = fromHex('0123456789abcdef');
const HERE = '192.0.2.99';

let node: Node;
beforeEach(() => {
  node = makeNode();
  node.stores.records.publish(`a.${ZONE}`, 'hello', 86_400, T0);
});
afterEach(() => node.close());

/** `msg` with a COOKIE option of `data` in its OPT. */
function withCookie(msg: DnsMessage, data: Uint8Array): DnsMessage {
  msg.additionals[0]!.data = { kind: 'OPT', options: [{ code: EDNS_COOKIE, data }] };
  return msg;
}

function query(data?: Uint8Array, name = `a.${ZONE}`): Uint8Array {
  const msg = queryMessage(name, RRType.TXT, { edns: 1232 });
  return encodeMessage(data === undefined ? msg : withCookie(msg, data));
}

/** The reply's COOKIE option data as hex, or undefined. */
function replyCookie(wire: Uint8Array): { client: string; server: string } | undefined {
  const found = findCookie(findEdns(decode(wire))?.options ?? []);
  if (found.status !== 'present') return undefined;
  return { client: toHex(found.cookie.client), server: toHex(found.cookie.server) };
}

const join = (a: Uint8Array, hex: string) => Uint8Array.from([...a, ...fromHex(hex)]);

describe('DNS cookies in the responder', () => {
  it('a Client Cookie alone: answered normally, with client + fresh server cookie', () => {
    const r = node.send(query(CLIENT), 'udp', undefined, HERE)!;
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(decode(r.wire).answers).toHaveLength(1);
    const c = replyCookie(r.wire)!;
    expect(c.client).toBe(toHex(CLIENT));
    expect(c.server).toMatch(new RegExp(`^01000000${T0.toString(16)}[0-9a-f]{16}$`));
    expect(r.addressVerified).toBe(false);
    expect(node.metrics.get('cookie:client-only')).toBe(1);
  });

  it('echoing the server cookie proves the address: verified, same cookie back', () => {
    const first = replyCookie(node.send(query(CLIENT), 'udp', undefined, HERE)!.wire)!;
    node.now = T0 + 60;
    const r = node.send(query(join(CLIENT, first.server)), 'udp', undefined, HERE)!;
    expect(r.addressVerified).toBe(true);
    expect(decode(r.wire).answers).toHaveLength(1);
    expect(replyCookie(r.wire)).toEqual(first);
    expect(node.metrics.get('cookie:valid')).toBe(1);
  });

  it('the cookie from another address, or a stale one, is answered but not trusted', () => {
    const first = replyCookie(node.send(query(CLIENT), 'udp', undefined, HERE)!.wire)!;
    const elsewhere = node.send(query(join(CLIENT, first.server)), 'udp', undefined, '192.0.2.7')!;
    expect([elsewhere.rcode, elsewhere.addressVerified]).toEqual([Rcode.NOERROR, false]);
    expect(replyCookie(elsewhere.wire)!.server).not.toBe(first.server);

    node.now = T0 + 31 * 60; // still valid, but re-minted (RFC 9018 §4.3)
    const later = node.send(query(join(CLIENT, first.server)), 'udp', undefined, HERE)!;
    expect(later.addressVerified).toBe(true);
    const renewed = replyCookie(later.wire)!.server;
    expect(renewed).not.toBe(first.server);
    expect(renewed.slice(8, 16)).toBe((T0 + 31 * 60).toString(16));

    node.now = T0 + 61 * 60; // over an hour: invalid, answered with a new one
    const stale = node.send(query(join(CLIENT, first.server)), 'udp', undefined, HERE)!;
    expect([stale.rcode, stale.addressVerified]).toEqual([Rcode.NOERROR, false]);
    expect(node.metrics.get('cookie:invalid')).toBe(2);
  });

  it('a request with a foreign server cookie is never refused (no BADCOOKIE)', () => {
    const foreign = join(CLIENT, '02000000ffffffff0011223344556677aabbccdd');
    const r = node.send(query(foreign), 'udp', undefined, HERE)!;
    expect(fullRcode(decode(r.wire))).toBe(Rcode.NOERROR);
    expect(decode(r.wire).answers).toHaveLength(1);
  });

  it('a malformed COOKIE option is FORMERR (RFC 7873 §5.2.2), without a cookie', () => {
    for (const length of [0, 5, 9, 15, 41]) {
      for (const transport of ['udp', 'tcp'] as const) {
        const r = node.send(query(new Uint8Array(length)), transport, undefined, HERE)!;
        const m = decode(r.wire);
        expect([r.rcode, m.header.rcode, m.answers.length], `${length}`).toEqual([
          Rcode.FORMERR,
          Rcode.FORMERR,
          0,
        ]);
        expect(findEdns(m)?.options).toEqual([]);
        expect(r.addressVerified).toBe(false);
      }
    }
    expect(node.metrics.get('cookie:malformed')).toBe(10);
  });

  it('TC=1 replies (size and slip stubs) carry the cookie too', () => {
    const big = Array.from({ length: 10 }, (_, i) => `${i}`.padStart(200, 'v'));
    node.stores.records.apply(
      big.map((value) => ({ kind: 'add', name: `big.${ZONE}`, value, ttl: 60 }) as const),
      T0,
    );
    const r = node.send(query(CLIENT, `big.${ZONE}`), 'udp', undefined, HERE)!;
    expect([r.kind, decode(r.wire).header.tc]).toEqual(['truncated', true]);
    expect(replyCookie(r.wire)!.client).toBe(toHex(CLIENT));
    const slip = node.send(query(CLIENT), 'udp', undefined, HERE)!.truncated();
    expect(decode(slip).header.tc).toBe(true);
    expect(replyCookie(slip)!.client).toBe(toHex(CLIENT));
  });

  it('UPDATE and TSIG-signed replies carry it as well', () => {
    const upd = update([txtAdd(`alice.${ZONE}`, 60, 'x')]);
    upd.additionals.push(queryMessage('x', RRType.TXT, { edns: 1232 }).additionals[0]!);
    withCookie(upd, CLIENT);
    const { wire } = signed(upd, T0);
    const r = node.send(wire, 'udp', undefined, HERE)!;
    expect([r.kind, r.rcode, r.authenticated]).toEqual(['update', Rcode.NOERROR, true]);
    expect(replyCookie(r.wire)!.client).toBe(toHex(CLIENT));
  });

  it('replies to requests without a cookie are the same octets as with cookies off', () => {
    const off = makeNode(config({ dns: { cookies: false } }));
    try {
      off.stores.records.publish(`a.${ZONE}`, 'hello', 86_400, T0);
      const requests = [
        query(),
        encodeMessage(queryMessage(`a.${ZONE}`, RRType.TXT)),
        encodeMessage(queryMessage(`nope.${ZONE}`, RRType.TXT, { edns: 512, dnssecOk: true })),
        encodeMessage(queryMessage(ZONE, RRType.SOA, { edns: 4096 })),
        encodeMessage(queryMessage(`a.${ZONE}`, RRType.TXT, { edns: 1232, ednsVersion: 1 })),
      ];
      for (const wire of requests) {
        expect(toHex(node.send(wire)!.wire)).toBe(toHex(off.send(wire)!.wire));
      }
    } finally {
      off.close();
    }
  });

  it('cookies off: the option is ignored, malformed or not', () => {
    const off = makeNode(config({ dns: { cookies: false } }));
    try {
      off.stores.records.publish(`a.${ZONE}`, 'hello', 86_400, T0);
      for (const data of [CLIENT, new Uint8Array(5)]) {
        const r = off.send(query(data))!;
        expect(r.rcode).toBe(Rcode.NOERROR);
        expect(findEdns(decode(r.wire))?.options).toEqual([]);
      }
      expect(off.metrics.get('cookie:client-only')).toBe(0);
    } finally {
      off.close();
    }
  });
});
