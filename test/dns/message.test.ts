import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signMessage, verifyTsig } from '../../src/dns/tsig.js';
import { createTsigKeyring } from '../../src/dns/tsig-key.js';
import { Opcode, RRClass, RRType } from '../../src/dns/wire/constants.js';
import { ednsRecord, findEdns, fullRcode } from '../../src/dns/wire/edns.js';
import { DnsEncodeError } from '../../src/dns/wire/errors.js';
import { makeHeader } from '../../src/dns/wire/header.js';
import {
  type DnsMessage,
  type DnsRecord,
  decodeMessage,
  encodeMessage,
} from '../../src/dns/wire/message.js';
import { canonicalName } from '../../src/dns/wire/name.js';
import type { Rdata } from '../../src/dns/wire/rdata.js';
import { lastRecordOffset } from '../../src/dns/wire/scan.js';
import { txtRdata, txtValue } from '../../src/dns/wire/txt.js';
import { fromHex, toHex } from '../../src/protocol/bytes.js';
import { messageArb } from './arbitraries.js';

/** Real packets: a TXT query, a two-string TXT answer, an NXDOMAIN, and an unsigned UPDATE. */
const REAL_PACKETS = [
  '0102010000010000000000001369642d32626438303663393766306530306166046d65736804746573740000100001',
  '0103850300010000000000000c6e6f7468696e672d68657265046d65736804746573740000100001',
  '869b28000001000000010000026e73046d657368047465737400000600010a5f646d702d70726f6265c00c001000010000003c000f0e763d646d70313b743d70726f6265',
  'b29185000001000100000000046d6573680474657374000010000104736c6f74c00c001000010000003c00070361626302' +
    '6465',
].map(fromHex);

const key = { name: 'k.mesh.test.', algorithm: 'hmac-sha256', secret: fromHex('00112233') };

function samplePackets(): Uint8Array[] {
  const update: DnsMessage = {
    header: makeHeader({ id: 7, opcode: Opcode.UPDATE }),
    questions: [{ name: 'mesh.test', type: RRType.SOA, class: RRClass.IN }],
    answers: [],
    authorities: [
      {
        name: 'a.mesh.test',
        type: RRType.TXT,
        class: RRClass.IN,
        ttl: 60,
        data: txtRdata('x'.repeat(600)),
      },
      {
        name: 'b.mesh.test',
        type: RRType.TXT,
        class: RRClass.ANY,
        ttl: 0,
        data: { kind: 'TXT', strings: [] },
      },
      {
        name: 'mesh.test',
        type: RRType.NS,
        class: RRClass.IN,
        ttl: 60,
        data: { kind: 'NAME', target: 'ns.mesh.test' },
      },
    ],
    additionals: [ednsRecord({ udpSize: 1232 })],
  };
  const soa: DnsMessage = {
    header: makeHeader({ id: 9, qr: true, aa: true, rcode: 3 }),
    questions: [{ name: 'x.mesh.test', type: RRType.AAAA, class: RRClass.IN }],
    answers: [
      {
        name: 'x.mesh.test',
        type: RRType.AAAA,
        class: RRClass.IN,
        ttl: 5,
        data: { kind: 'AAAA', address: '2001:db8::1' },
      },
      {
        name: 'x.mesh.test',
        type: RRType.A,
        class: RRClass.IN,
        ttl: 5,
        data: { kind: 'A', address: '192.0.2.1' },
      },
      {
        name: 'x.mesh.test',
        type: RRType.MX,
        class: RRClass.IN,
        ttl: 5,
        data: { kind: 'MX', preference: 10, exchange: 'mx.mesh.test' },
      },
    ],
    authorities: [
      {
        name: 'mesh.test',
        type: RRType.SOA,
        class: RRClass.IN,
        ttl: 60,
        data: {
          kind: 'SOA',
          mname: 'ns.mesh.test',
          rname: 'hostmaster.mesh.test',
          serial: 1,
          refresh: 3600,
          retry: 600,
          expire: 604800,
          minimum: 60,
        },
      },
    ],
    additionals: [],
  };
  return [
    ...REAL_PACKETS,
    encodeMessage(update),
    signMessage(update, key, { timeSigned: 1_893_456_000 }).wire,
    encodeMessage(soa),
  ];
}

describe('message decoding is total', () => {
  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const res = decodeMessage(bytes);
        expect(typeof res.ok).toBe('boolean');
        if (!res.ok) expect(res.detail.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on plausible headers followed by random bytes', () => {
    const header = fc.tuple(
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }),
    );
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 300 }), ([idFlags, counts], body) => {
        const bytes = Uint8Array.from([...idFlags, ...counts.flatMap((c) => [0, c]), ...body]);
        expect(() => decodeMessage(bytes)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated real packets: no throw, and anything accepted re-encodes to itself', () => {
    const packets = samplePackets();
    const keyring = createTsigKeyring([key]);
    const mutation = fc.record({
      packet: fc.nat(packets.length - 1),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
      cut: fc.option(fc.nat()),
    });
    fc.assert(
      fc.property(mutation, ({ packet, flips, cut }) => {
        const original = packets[packet]!;
        let bytes = original.slice();
        for (const [at, xor] of flips) bytes[at % bytes.length]! ^= xor;
        if (cut !== null) bytes = bytes.subarray(0, cut % (bytes.length + 1));
        const res = decodeMessage(bytes);
        expect(() => verifyTsig(bytes, keyring, 1_893_456_000)).not.toThrow();
        if (!res.ok) return;
        const again = encodeMessage(res.value);
        const redecoded = decodeMessage(again);
        expect(redecoded.ok && redecoded.value).toEqual(res.value);
      }),
      { numRuns: 3000 },
    );
  });
});

/**
 * Lower-cases every name: compression is case-insensitive (as in dnspython),
 * so a compressed name may come back in the case of the earlier name it
 * points to.
 */
function foldNames(msg: DnsMessage): DnsMessage {
  const data = (d: Rdata): Rdata => {
    switch (d.kind) {
      case 'NAME':
        return { ...d, target: canonicalName(d.target) };
      case 'MX':
        return { ...d, exchange: canonicalName(d.exchange) };
      case 'SOA':
        return { ...d, mname: canonicalName(d.mname), rname: canonicalName(d.rname) };
      default:
        return d;
    }
  };
  const rr = (r: DnsRecord): DnsRecord => ({
    ...r,
    name: canonicalName(r.name),
    data: data(r.data),
  });
  return {
    header: msg.header,
    questions: msg.questions.map((q) => ({ ...q, name: canonicalName(q.name) })),
    answers: msg.answers.map(rr),
    authorities: msg.authorities.map(rr),
    additionals: msg.additionals.map(rr),
  };
}

describe('message round trip', () => {
  it('encode → decode gives the same message, with and without compression', () => {
    fc.assert(
      fc.property(messageArb, (msg) => {
        const plain = decodeMessage(encodeMessage(msg, { compress: false }));
        if (!plain.ok) throw new Error(plain.detail);
        expect(plain.value).toEqual(msg);
        const wire = encodeMessage(msg);
        const decoded = decodeMessage(wire);
        if (!decoded.ok) throw new Error(decoded.detail);
        expect(foldNames(decoded.value)).toEqual(foldNames(msg));
        expect(toHex(encodeMessage(decoded.value))).toBe(toHex(wire));
        expect(wire.length).toBeLessThanOrEqual(encodeMessage(msg, { compress: false }).length);
      }),
      { numRuns: 500 },
    );
  });

  it('compression keeps the case of names that match nothing earlier', () => {
    const msg: DnsMessage = {
      header: makeHeader({ id: 3, qr: true }),
      questions: [{ name: 'Id-X.MeSh.TeSt', type: RRType.TXT, class: RRClass.IN }],
      answers: [
        {
          name: 'Id-X.MeSh.TeSt',
          type: RRType.TXT,
          class: RRClass.IN,
          ttl: 60,
          data: txtRdata('v'),
        },
      ],
      authorities: [],
      additionals: [],
    };
    const res = decodeMessage(encodeMessage(msg));
    expect(res.ok && res.value).toEqual(msg);
  });

  it('splits long TXT values into 255-octet strings and joins them back', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (value) => {
        const data = txtRdata(value);
        for (const s of data.strings.slice(0, -1)) expect(s.length).toBe(255);
        expect(data.strings.at(-1)!.length).toBeLessThanOrEqual(255);
        expect(txtValue(data)).toBe(value);
      }),
    );
    expect(txtRdata('').strings).toEqual([new Uint8Array(0)]);
    // A multi-byte character straddling the 255-octet boundary survives the join.
    const straddle = `${'a'.repeat(254)}é`;
    expect(txtRdata(straddle).strings.map((s) => s.length)).toEqual([255, 1]);
    expect(txtValue(txtRdata(straddle))).toBe(straddle);
  });
});

describe('structure checks', () => {
  const base = (): DnsMessage => ({
    header: makeHeader({ id: 1 }),
    questions: [{ name: 'a.test', type: RRType.TXT, class: RRClass.IN }],
    answers: [],
    authorities: [],
    additionals: [],
  });

  it('rejects trailing octets, short headers and impossible counts', () => {
    const wire = encodeMessage(base());
    expect(decodeMessage(Uint8Array.from([...wire, 0])).ok).toBe(false);
    expect(decodeMessage(wire.subarray(0, 11)).ok).toBe(false);
    const counts = wire.slice();
    counts[5] = 200;
    expect(decodeMessage(counts)).toMatchObject({ ok: false, code: 'length' });
  });

  it('places OPT only once, at the root, in the additional section', () => {
    const opt = ednsRecord({ udpSize: 4096, dnssecOk: true, version: 0, extendedRcode: 1 });
    const ok = decodeMessage(encodeMessage({ ...base(), additionals: [opt] }));
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(findEdns(ok.value)).toMatchObject({
        udpSize: 4096,
        dnssecOk: true,
        extendedRcode: 1,
        version: 0,
      });
      expect(fullRcode(ok.value)).toBe(16);
    }
    expect(decodeMessage(encodeMessage({ ...base(), additionals: [opt, opt] })).ok).toBe(false);
    expect(decodeMessage(encodeMessage({ ...base(), answers: [opt] })).ok).toBe(false);
    expect(
      decodeMessage(encodeMessage({ ...base(), additionals: [{ ...opt, name: 'x' }] })).ok,
    ).toBe(false);
  });

  it('rejects typed RDATA whose length does not match', () => {
    const wire = encodeMessage({
      ...base(),
      answers: [
        {
          name: 'a',
          type: RRType.A,
          class: RRClass.IN,
          ttl: 1,
          data: { kind: 'RAW', bytes: new Uint8Array(3) },
        },
      ],
    });
    expect(decodeMessage(wire)).toMatchObject({ ok: false, code: 'length' });
    const soaShort = encodeMessage({
      ...base(),
      answers: [
        {
          name: 'a',
          type: RRType.SOA,
          class: RRClass.IN,
          ttl: 1,
          data: { kind: 'RAW', bytes: Uint8Array.from([0, 0, 1, 2]) },
        },
      ],
    });
    expect(decodeMessage(soaShort).ok).toBe(false);
    const txtOver = encodeMessage({
      ...base(),
      answers: [
        {
          name: 'a',
          type: RRType.TXT,
          class: RRClass.IN,
          ttl: 1,
          data: { kind: 'RAW', bytes: Uint8Array.from([5, 97]) },
        },
      ],
    });
    expect(decodeMessage(txtOver).ok).toBe(false);
  });

  it('keeps empty RDATA of UPDATE deletes as raw bytes', () => {
    const wire = encodeMessage({
      ...base(),
      authorities: [
        {
          name: 'a',
          type: RRType.A,
          class: RRClass.ANY,
          ttl: 0,
          data: { kind: 'RAW', bytes: new Uint8Array(0) },
        },
      ],
    });
    const res = decodeMessage(wire);
    expect(res.ok && res.value.authorities[0]!.data).toEqual({
      kind: 'RAW',
      bytes: new Uint8Array(0),
    });
  });

  it('encoder refuses what the wire cannot carry', () => {
    const bad = (patch: Partial<DnsMessage>) => () => encodeMessage({ ...base(), ...patch });
    expect(bad({ header: makeHeader({ id: 70000 }) })).toThrow(DnsEncodeError);
    expect(bad({ header: makeHeader({ id: 1, rcode: 16 }) })).toThrow(DnsEncodeError);
    const rr = { name: 'a', type: RRType.TXT, class: RRClass.IN, ttl: 1 };
    expect(
      bad({ answers: [{ ...rr, data: { kind: 'TXT', strings: [new Uint8Array(256)] } }] }),
    ).toThrow(DnsEncodeError);
    expect(bad({ answers: [{ ...rr, data: { kind: 'A', address: '1.2.3.4' } }] })).toThrow(
      DnsEncodeError,
    );
    expect(bad({ answers: [{ ...rr, type: 1, data: { kind: 'A', address: '1.2.3' } }] })).toThrow(
      DnsEncodeError,
    );
    expect(bad({ answers: [{ ...rr, ttl: -1, data: txtRdata('x') }] })).toThrow(DnsEncodeError);
    const huge = Array.from({ length: 70 }, () => ({ ...rr, data: txtRdata('x'.repeat(1000)) }));
    expect(bad({ answers: huge })).toThrow(DnsEncodeError);
  });

  it('locates the last additional record', () => {
    const msg = {
      ...base(),
      additionals: [ednsRecord({ udpSize: 512 }), ednsRecord({ udpSize: 512 })],
    };
    const wire = encodeMessage(msg);
    expect(lastRecordOffset(wire)).toBe(wire.length - 11);
    expect(lastRecordOffset(encodeMessage(base()))).toBeUndefined();
  });
});
