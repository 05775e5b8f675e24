/** EDNS(0) (RFC 6891), UDP size budget and truncation, TCP size limit, RRL slip stubs. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rcode, RRType } from '../../../src/dns/wire/constants.js';
import { findEdns, fullRcode } from '../../../src/dns/wire/edns.js';
import { encodeMessage } from '../../../src/dns/wire/message.js';
import {
  answerValues,
  config,
  decode,
  makeNode,
  type Node,
  queryMessage,
  T0,
  ZONE,
} from './fixture.js';

let node: Node;
beforeEach(() => {
  node = makeNode(config({ caps: { maxValuesPerName: 0 } }));
});
afterEach(() => node.close());

/** Publishes `count` values of `size` bytes at `name`. */
function fill(name: string, count: number, size: number): string[] {
  const values = Array.from({ length: count }, (_, i) => `${i}`.padStart(size, 'v'));
  node.stores.records.apply(
    values.map((value) => ({ kind: 'add', name, value, ttl: 3600 }) as const),
    T0,
  );
  return values;
}

describe('EDNS', () => {
  it('replies with OPT (1232, version 0, no options) only when the query had one', () => {
    const withOpt = node.ask(queryMessage(`a.${ZONE}`, RRType.TXT, { edns: 4096 })).message;
    expect(findEdns(withOpt)).toEqual({
      udpSize: 1232,
      extendedRcode: 0,
      version: 0,
      dnssecOk: false,
      flags: 0,
      options: [],
    });
    const without = node.ask(queryMessage(`a.${ZONE}`, RRType.TXT)).message;
    expect(without.additionals).toEqual([]);
  });

  it('echoes no options but copies the DO bit (RFC 3225 §3)', () => {
    const msg = queryMessage(`a.${ZONE}`, RRType.TXT, { edns: 1232, dnssecOk: true });
    // An option the node does not implement (COOKIE is answered: cookies.test.ts).
    msg.additionals[0]!.data = { kind: 'OPT', options: [{ code: 65001, data: new Uint8Array(8) }] };
    const edns = findEdns(node.ask(msg).message)!;
    expect([edns.dnssecOk, edns.options]).toEqual([true, []]);
  });

  it('BADVERS for EDNS version > 0, with a version-0 OPT and no answer', () => {
    node.stores.records.publish(`a.${ZONE}`, 'v', 60, T0);
    const { message, response } = node.ask(
      queryMessage(`a.${ZONE}`, RRType.TXT, { edns: 1232, ednsVersion: 1 }),
    );
    expect(fullRcode(message)).toBe(16);
    expect(findEdns(message)!.version).toBe(0);
    expect(message.answers).toEqual([]);
    expect(message.header.aa).toBe(false);
    expect(response.rcode).toBe(16);
  });

  it('OPT also on negative, refused and NOTIMP replies', () => {
    for (const msg of [
      queryMessage(`none.${ZONE}`, RRType.TXT, { edns: 1232 }),
      queryMessage('other.test', RRType.TXT, { edns: 1232 }),
      queryMessage(`a.${ZONE}`, RRType.TXT, { edns: 1232, opcode: 2 }),
    ]) {
      expect(findEdns(node.ask(msg).message)?.udpSize).toBe(1232);
    }
  });
});

describe('UDP truncation', () => {
  it('without EDNS, answers over 512 bytes become a TC=1 stub with the question only', () => {
    fill(`big.${ZONE}`, 3, 200);
    const response = node.send(encodeMessage(queryMessage(`BiG.${ZONE}`, RRType.TXT, { id: 9 })))!;
    expect(response.wire.length).toBeLessThanOrEqual(512);
    expect(response.kind).toBe('truncated');
    const msg = decode(response.wire);
    expect([msg.header.id, msg.header.tc, msg.header.aa, msg.header.rcode]).toEqual([
      9,
      true,
      false,
      0,
    ]);
    expect(msg.questions[0]!.name).toBe(`BiG.${ZONE}`);
    expect(msg.answers.length + msg.authorities.length + msg.additionals.length).toBe(0);
  });

  it('with EDNS, the budget is the client size, at least 512 and at most the advertised 1232; the stub keeps OPT', () => {
    const values = fill(`big.${ZONE}`, 10, 200); // ~2.1 kB
    const small = node.ask(queryMessage(`big.${ZONE}`, RRType.TXT, { edns: 1232 }));
    expect(small.message.header.tc).toBe(true);
    expect(small.message.answers).toEqual([]);
    expect(findEdns(small.message)?.udpSize).toBe(1232);
    const tiny = node.ask(queryMessage(`big.${ZONE}`, RRType.TXT, { edns: 100 }));
    expect(tiny.message.header.tc).toBe(true);
    // RFC 9715: a client offering 4096 still gets at most 1232 over UDP.
    const large = node.ask(queryMessage(`big.${ZONE}`, RRType.TXT, { edns: 4096 }));
    expect(large.message.header.tc).toBe(true);
    const viaTcp = node.send(
      encodeMessage(queryMessage(`big.${ZONE}`, RRType.TXT, { edns: 4096 })),
      'tcp',
    );
    expect(viaTcp!.kind).toBe('answer');
    expect(values.length).toBe(10);
  });

  it('a response exactly at the budget is sent whole; one octet less is truncated', () => {
    fill(`edge.${ZONE}`, 1, 700);
    const wire = encodeMessage(queryMessage(`edge.${ZONE}`, RRType.TXT, { edns: 4096 }));
    const size = node.send(wire, 'tcp')!.wire.length;
    expect(size).toBeGreaterThan(512);
    expect(node.send(wire, 'udp', size)!.kind).toBe('answer');
    expect(node.send(wire, 'udp', size - 1)!.kind).toBe('truncated');
  });

  it('truncated() builds the RRL slip stub for any response', () => {
    node.stores.records.publish(`a.${ZONE}`, 'v', 60, T0);
    const response = node.send(
      encodeMessage(queryMessage(`a.${ZONE}`, RRType.TXT, { edns: 1232 })),
    )!;
    const stub = decode(response.truncated());
    expect([stub.header.tc, stub.header.qr, stub.answers.length]).toEqual([true, true, 0]);
    expect(findEdns(stub)?.udpSize).toBe(1232);
    const garbage = node.send(Uint8Array.from([1, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9]))!;
    expect(Array.from(garbage.truncated().subarray(0, 4))).toEqual([1, 2, 0x82, 0]);
  });
});

describe('TCP', () => {
  it('sends the full answer up to 65535 bytes', () => {
    const values = fill(`big.${ZONE}`, 30, 2000); // ~60 kB
    const response = node.send(encodeMessage(queryMessage(`big.${ZONE}`, RRType.TXT)), 'tcp')!;
    expect(response.wire.length).toBeGreaterThan(60_000);
    expect(answerValues(decode(response.wire))).toEqual(values);
  });

  it('answers SERVFAIL when the answer would exceed 65535 bytes', () => {
    fill(`huge.${ZONE}`, 40, 2000); // ~80 kB
    const response = node.send(encodeMessage(queryMessage(`huge.${ZONE}`, RRType.TXT)), 'tcp')!;
    const msg = decode(response.wire);
    expect([msg.header.rcode, msg.answers.length]).toEqual([Rcode.SERVFAIL, 0]);
    // Over UDP the same answer is a TC stub, never SERVFAIL.
    const udp = node.send(
      encodeMessage(queryMessage(`huge.${ZONE}`, RRType.TXT, { edns: 65535 })),
    )!;
    expect(udp.kind).toBe('truncated');
  });
});
