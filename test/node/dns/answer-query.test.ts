/** QUERY answering through the whole responder: data, apex, negatives, 0x20, header bits. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Opcode, Rcode, RRClass, RRType } from '../../../src/dns/wire/constants.js';
import { encodeMessage } from '../../../src/dns/wire/message.js';
import { answerValues, config, makeNode, type Node, queryMessage, T0, ZONE } from './fixture.js';

let node: Node;
beforeEach(() => {
  node = makeNode();
});
afterEach(() => node.close());

function ask(name: string, type: number, o: Parameters<typeof queryMessage>[2] = {}) {
  return node.ask(queryMessage(name, type, o));
}

describe('positive answers', () => {
  it('answers a TXT RRset authoritatively, one RR per value, with the DNS TTL', () => {
    node.stores.records.publish(`a.${ZONE}`, 'one', 3600, T0 - 10);
    node.stores.records.publish(`a.${ZONE}`, 'two', 3600, T0 - 5);
    const { message, response } = ask(`a.${ZONE}`, RRType.TXT, { id: 777, rd: true });
    const h = message.header;
    expect([h.id, h.qr, h.aa, h.tc, h.rd, h.ra, h.rcode]).toEqual([
      777,
      true,
      true,
      false,
      true,
      false,
      0,
    ]);
    expect(answerValues(message)).toEqual(['one', 'two']);
    expect(message.answers.map((rr) => [rr.ttl, rr.class])).toEqual([
      [60, RRClass.IN],
      [60, RRClass.IN],
    ]);
    expect(message.authorities).toEqual([]);
    expect(response.kind).toBe('answer');
    expect(response.qname).toBe(`a.${ZONE}`);
    expect(node.metrics.get('response:answer:0')).toBe(1);
  });

  it('splits values over 255 bytes into character-strings and answers an empty value', () => {
    const long = 'x'.repeat(600);
    node.stores.records.publish(`l.${ZONE}`, long, 60, T0);
    node.stores.records.publish(`l.${ZONE}`, '', 60, T0);
    const { message } = ask(`l.${ZONE}`, RRType.TXT, { edns: 4096 });
    const strings = message.answers.map((rr) =>
      rr.data.kind === 'TXT' ? rr.data.strings.map((s) => s.length) : [],
    );
    expect(strings).toEqual([[255, 255, 90], [0]]);
    expect(answerValues(message)).toEqual([long, '']);
  });

  it('carries multi-byte UTF-8 across string boundaries', () => {
    const value = 'é'.repeat(200); // 400 bytes; the 255-byte cut splits a character
    node.stores.records.publish(`u.${ZONE}`, value, 60, T0);
    expect(answerValues(ask(`u.${ZONE}`, RRType.TXT).message)).toEqual([value]);
  });

  it('uses the configured TTL', () => {
    node.close();
    node = makeNode(config({ dns: { ttl: 17 } }));
    node.stores.records.publish(`a.${ZONE}`, 'v', 3600, T0);
    expect(ask(`a.${ZONE}`, RRType.TXT).message.answers[0]!.ttl).toBe(17);
  });

  it('never serves expired values', () => {
    node.stores.records.publish(`a.${ZONE}`, 'v', 10, T0 - 20);
    expect(ask(`a.${ZONE}`, RRType.TXT).message.header.rcode).toBe(Rcode.NXDOMAIN);
  });
});

describe('apex synthesis', () => {
  it('answers SOA with serial = clock, the fixed timers and MINIMUM = TTL', () => {
    node.now = T0 + 5;
    const { message } = ask(ZONE, RRType.SOA);
    expect(message.header.aa).toBe(true);
    expect(message.answers).toHaveLength(1);
    expect(message.answers[0]!.data).toEqual({
      kind: 'SOA',
      mname: 'ns1.mesh.test',
      rname: 'hostmaster.mesh.test',
      serial: T0 + 5,
      refresh: 3600,
      retry: 600,
      expire: 604800,
      minimum: 60,
    });
  });

  it('answers NS, A and AAAA', () => {
    expect(ask(ZONE, RRType.NS).message.answers[0]!.data).toEqual({
      kind: 'NAME',
      target: 'ns1.mesh.test',
    });
    expect(ask(ZONE, RRType.A).message.answers[0]!.data).toEqual({
      kind: 'A',
      address: '192.0.2.1',
    });
    expect(ask(ZONE, RRType.AAAA).message.answers[0]!.data).toEqual({
      kind: 'AAAA',
      address: '2001:db8::1',
    });
  });

  it('accepts an RNAME in mailbox form', () => {
    node.close();
    node = makeNode(config({ apex: { soaRname: 'hostmaster@mesh.test' } }));
    const soa = ask(ZONE, RRType.SOA).message.answers[0]!.data;
    expect(soa.kind === 'SOA' && soa.rname).toBe('hostmaster.mesh.test');
  });

  it('is NODATA with the SOA in authority for unconfigured types and TXT without values', () => {
    for (const type of [RRType.MX, RRType.TXT, RRType.CNAME]) {
      const { message, response } = ask(ZONE, type);
      expect(message.header.rcode).toBe(Rcode.NOERROR);
      expect(message.header.aa).toBe(true);
      expect(message.answers).toEqual([]);
      expect(message.authorities.map((rr) => [rr.name, rr.type, rr.ttl])).toEqual([
        [ZONE, RRType.SOA, 60],
      ]);
      expect(response.kind).toBe('nodata');
    }
  });

  it('without apex config: NODATA without authority; SOA needs NS and RNAME', () => {
    node.close();
    node = makeNode(
      config({ apex: { a: undefined, aaaa: undefined, soaRname: undefined, ns: undefined } }),
    );
    for (const type of [RRType.SOA, RRType.NS, RRType.A]) {
      const { message } = ask(ZONE, type);
      expect([message.header.rcode, message.answers.length, message.authorities.length]).toEqual([
        0, 0, 0,
      ]);
    }
    node.close();
    node = makeNode(config({ apex: { soaRname: undefined } }));
    expect(ask(ZONE, RRType.SOA).message.answers).toEqual([]);
    expect(ask(ZONE, RRType.NS).message.answers).toHaveLength(1);
  });

  it('answers apex TXT from the store', () => {
    node.stores.records.publish(ZONE, 'apex-value', 60, T0);
    expect(answerValues(ask(ZONE, RRType.TXT).message)).toEqual(['apex-value']);
  });

  it('answers ANY with one RRset: TXT if present, else the SOA', () => {
    expect(ask(ZONE, RRType.ANY).message.answers.map((rr) => rr.type)).toEqual([RRType.SOA]);
    node.stores.records.publish(`a.${ZONE}`, 'v', 60, T0);
    expect(answerValues(ask(`a.${ZONE}`, RRType.ANY).message)).toEqual(['v']);
  });
});

describe('negative answers', () => {
  it('NXDOMAIN with AA and the SOA (RFC 2308) for an in-zone name without data', () => {
    const { message, response } = ask(`nothing.${ZONE}`, RRType.TXT);
    expect(message.header.rcode).toBe(Rcode.NXDOMAIN);
    expect(message.header.aa).toBe(true);
    expect(message.authorities.map((rr) => [rr.name, rr.type])).toEqual([[ZONE, RRType.SOA]]);
    expect(response.kind).toBe('nxdomain');
  });

  it('NODATA for a name holding TXT when asked for another type', () => {
    node.stores.records.publish(`a.${ZONE}`, 'v', 60, T0);
    const { message } = ask(`a.${ZONE}`, RRType.A);
    expect([message.header.rcode, message.answers.length]).toEqual([Rcode.NOERROR, 0]);
    expect(message.authorities[0]!.type).toBe(RRType.SOA);
  });

  it('NXDOMAIN for other types at names without data', () => {
    expect(ask(`nothing.${ZONE}`, RRType.A).message.header.rcode).toBe(Rcode.NXDOMAIN);
  });

  it('NODATA for the DMP empty non-terminals (RFC 8020)', () => {
    for (const name of [`mb-0123456789ab.${ZONE}`, `id-0123456789ab.${ZONE}`, `dmp.${ZONE}`]) {
      const { message, response } = ask(name, RRType.A);
      expect(message.header.rcode).toBe(Rcode.NOERROR);
      expect(response.kind).toBe('nodata');
    }
    expect(ask(`mb-0123.${ZONE}`, RRType.A).message.header.rcode).toBe(Rcode.NXDOMAIN);
  });

  it('REFUSED without AA for names outside the zone', () => {
    for (const name of ['other.test', 'amesh.test', 'test', '.']) {
      const { message, response } = ask(name, RRType.TXT);
      expect(message.header.rcode).toBe(Rcode.REFUSED);
      expect(message.header.aa).toBe(false);
      expect(message.answers.length + message.authorities.length).toBe(0);
      expect(response.kind).toBe('refused');
    }
  });

  it('REFUSED for non-IN classes and zone transfers; ANY class is answered', () => {
    node.stores.records.publish(`a.${ZONE}`, 'v', 60, T0);
    expect(ask(`a.${ZONE}`, RRType.TXT, { qclass: RRClass.CH }).message.header.rcode).toBe(
      Rcode.REFUSED,
    );
    expect(ask(ZONE, RRType.AXFR).message.header.rcode).toBe(Rcode.REFUSED);
    expect(answerValues(ask(`a.${ZONE}`, RRType.TXT, { qclass: RRClass.ANY }).message)).toEqual([
      'v',
    ]);
  });
});

describe('0x20 and question handling', () => {
  it('answers mixed case case-insensitively, echoing the question and owners as sent', () => {
    node.stores.records.publish(`slot-3.mb-abcdefabcdef.${ZONE}`, 'v', 60, T0);
    const qname = 'SlOt-3.Mb-AbCdEfAbCdEf.MeSh.TeSt';
    const { message, response } = ask(qname, RRType.TXT);
    expect(message.questions[0]!.name).toBe(qname);
    expect(message.answers.map((rr) => rr.name)).toEqual([qname]);
    expect(response.qname).toBe(`slot-3.mb-abcdefabcdef.${ZONE}`);
    const nx = ask('NoThInG.MeSh.TeSt', RRType.TXT).message;
    expect(nx.questions[0]!.name).toBe('NoThInG.MeSh.TeSt');
    expect(nx.authorities[0]!.name.toLowerCase()).toBe(ZONE);
  });

  it('echoes the question bytes exactly', () => {
    const wire = encodeMessage(queryMessage('A.mesh.TEST', RRType.TXT));
    const reply = node.send(wire)!.wire;
    expect(
      Buffer.from(reply.subarray(12, wire.length)).equals(Buffer.from(wire.subarray(12))),
    ).toBe(true);
  });

  it('answers only the first question and echoes all', () => {
    node.stores.records.publish(`a.${ZONE}`, 'v', 60, T0);
    const msg = queryMessage(`a.${ZONE}`, RRType.TXT);
    msg.questions.push({ name: `b.${ZONE}`, type: RRType.TXT, class: RRClass.IN });
    const { message } = node.ask(msg);
    expect(message.questions).toHaveLength(2);
    expect(answerValues(message)).toEqual(['v']);
  });

  it('FORMERR for no question or a pseudo-type question', () => {
    const none = queryMessage(`a.${ZONE}`, RRType.TXT);
    none.questions = [];
    expect(node.ask(none).message.header.rcode).toBe(Rcode.FORMERR);
    expect(ask(`a.${ZONE}`, RRType.OPT).message.header.rcode).toBe(Rcode.FORMERR);
  });
});

describe('header handling', () => {
  it('gives no reply to responses (QR=1) or runts', () => {
    const wire = encodeMessage(queryMessage(`a.${ZONE}`, RRType.TXT));
    wire[2]! |= 0x80;
    expect(node.send(wire)).toBeUndefined();
    expect(node.send(new Uint8Array(11))).toBeUndefined();
    expect(node.metrics.get('dropped:response')).toBe(1);
    expect(node.metrics.get('dropped:short')).toBe(1);
  });

  it('NOTIMP for opcodes other than QUERY and UPDATE', () => {
    for (const opcode of [Opcode.IQUERY, Opcode.STATUS, Opcode.NOTIFY, 3, 15]) {
      const { message } = ask(`a.${ZONE}`, RRType.TXT, { opcode });
      expect([message.header.rcode, message.header.opcode, message.header.aa]).toEqual([
        Rcode.NOTIMP,
        opcode,
        false,
      ]);
    }
  });

  it('FORMERR (header only, ID kept) for a header followed by garbage', () => {
    const wire = Uint8Array.from([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 5, 1, 2]);
    const reply = node.send(wire)!;
    expect(Array.from(reply.wire)).toEqual([0xab, 0xcd, 0x81, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(reply.kind).toBe('error');
  });

  it('copies CD, never sets RA/AD', () => {
    const msg = queryMessage(`a.${ZONE}`, RRType.TXT);
    msg.header.cd = true;
    msg.header.ad = true;
    const h = node.ask(msg).message.header;
    expect([h.cd, h.ad, h.ra]).toEqual([true, false, false]);
  });

  it('answers SERVFAIL (never throws) when the store or the metrics sink throws', () => {
    node.stores.records.close();
    const wire = encodeMessage(queryMessage(`a.${ZONE}`, RRType.TXT, { id: 5 }));
    const reply = node.send(wire)!;
    expect([reply.rcode, reply.wire.length, reply.wire[1]]).toEqual([Rcode.SERVFAIL, 12, 5]);
    expect(node.metrics.errors).toHaveLength(1);
    const throwing = makeNode(config(), {
      metrics: {
        response() {
          throw new Error('sink');
        },
        dropped() {},
        update() {},
        tsigFailure() {},
        cookie() {},
        internalError() {
          throw new Error('sink too');
        },
      },
    });
    try {
      expect(throwing.send(wire)!.rcode).toBe(Rcode.SERVFAIL);
    } finally {
      throwing.close();
    }
  });
});
