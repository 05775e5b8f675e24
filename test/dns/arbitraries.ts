/**
 * fast-check generators for DNS names, records and whole messages, plus a
 * test-side rendering of label octets to presentation text that is written
 * independently of the codec (so name tests have a second opinion).
 */
import fc from 'fast-check';
import { formatIPv6 } from '../../src/dns/wire/ip.js';
import type { DnsMessage, DnsQuestion, DnsRecord } from '../../src/dns/wire/message.js';
import type { Rdata } from '../../src/dns/wire/rdata.js';
import { txtRdata } from '../../src/dns/wire/txt.js';

/** Presentation text of one label: `.` and `\` escaped, other non-printables as `\DDD`. */
export function labelText(label: Uint8Array): string {
  let out = '';
  for (const b of label) {
    if (b <= 0x20 || b >= 0x7f) out += `\\${String(b).padStart(3, '0')}`;
    else if (b === 0x2e || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

/** Uncompressed wire form of labels. */
export function labelsWire(labels: Uint8Array[]): Uint8Array {
  const out: number[] = [];
  for (const l of labels) out.push(l.length, ...l);
  out.push(0);
  return Uint8Array.from(out);
}

const ldhByte = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'
    .split('')
    .map((c) => c.charCodeAt(0)),
);

/** One label: usually hostname-like, sometimes arbitrary octets (dots, backslashes, NUL…). */
export const labelArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(ldhByte, { minLength: 1, maxLength: 20 }).map((a) => Uint8Array.from(a)),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 63 }) },
);

/** Label lists whose wire form fits in 255 octets (possibly the root: no labels). */
export const labelsArb: fc.Arbitrary<Uint8Array[]> = fc
  .array(labelArb, { maxLength: 8 })
  .filter((ls) => ls.reduce((n, l) => n + l.length + 1, 1) <= 255);

export function labelsToText(labels: Uint8Array[]): string {
  return labels.length === 0 ? '.' : labels.map(labelText).join('.');
}

/** Names drawn around a few shared zones so that compression has work to do. */
export const nameArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(labelArb, { maxLength: 3 }),
    fc.constantFrom<Uint8Array[]>(
      [],
      [Uint8Array.from([0x74, 0x65, 0x73, 0x74])],
      [Uint8Array.from([0x6d, 0x65, 0x73, 0x68]), Uint8Array.from([0x74, 0x65, 0x73, 0x74])],
      [Uint8Array.from([0x4d, 0x65, 0x53, 0x68]), Uint8Array.from([0x54, 0x65, 0x73, 0x74])],
    ),
  )
  .map(([head, zone]) => [...head, ...zone])
  .filter((ls) => ls.reduce((n, l) => n + l.length + 1, 1) <= 255)
  .map(labelsToText);

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const u16 = fc.integer({ min: 0, max: 0xffff });

const rdataByType: fc.Arbitrary<{ type: number; data: Rdata }> = fc.oneof(
  fc.ipV4().map((address) => ({ type: 1, data: { kind: 'A', address } as Rdata })),
  fc
    .uint8Array({ minLength: 16, maxLength: 16 })
    .map((b) => ({ type: 28, data: { kind: 'AAAA', address: formatIPv6(b) } as Rdata })),
  fc
    .tuple(fc.constantFrom(2, 5, 12), nameArb)
    .map(([type, target]) => ({ type, data: { kind: 'NAME', target } as Rdata })),
  fc.tuple(u16, nameArb).map(([preference, exchange]) => ({
    type: 15,
    data: { kind: 'MX', preference, exchange } as Rdata,
  })),
  fc
    .record({
      mname: nameArb,
      rname: nameArb,
      serial: u32,
      refresh: u32,
      retry: u32,
      expire: u32,
      minimum: u32,
    })
    .map((soa) => ({ type: 6, data: { kind: 'SOA', ...soa } as Rdata })),
  fc
    .oneof(fc.string({ maxLength: 700, unit: 'binary' }), fc.uint8Array({ maxLength: 2000 }))
    .map((value) => ({ type: 16, data: txtRdata(value) as Rdata })),
  fc
    .tuple(fc.integer({ min: 256, max: 65279 }), fc.uint8Array({ minLength: 1, maxLength: 40 }))
    .map(([type, bytes]) => ({ type, data: { kind: 'RAW', bytes } as Rdata })),
);

export const recordArb: fc.Arbitrary<DnsRecord> = fc
  .tuple(nameArb, rdataByType, fc.constantFrom(1, 1, 3, 254, 255), u32)
  // A/AAAA layouts are only defined for IN (and UPDATE's NONE/ANY); elsewhere they stay raw.
  .map(([name, { type, data }, cls, ttl]) => ({
    name,
    type,
    class: cls === 3 && (type === 1 || type === 28) ? 1 : cls,
    ttl,
    data,
  }));

const questionArb: fc.Arbitrary<DnsQuestion> = fc.record({
  name: nameArb,
  type: u16,
  class: u16,
});

const optArb: fc.Arbitrary<DnsRecord> = fc
  .tuple(
    u16,
    u32,
    fc.array(fc.record({ code: u16, data: fc.uint8Array({ maxLength: 20 }) }), { maxLength: 3 }),
  )
  .map(([udp, ttl, options]) => ({
    name: '.',
    type: 41,
    class: udp,
    ttl,
    data: { kind: 'OPT', options },
  }));

export const messageArb: fc.Arbitrary<DnsMessage> = fc
  .record({
    header: fc.record({
      id: u16,
      qr: fc.boolean(),
      opcode: fc.integer({ min: 0, max: 15 }),
      aa: fc.boolean(),
      tc: fc.boolean(),
      rd: fc.boolean(),
      ra: fc.boolean(),
      z: fc.boolean(),
      ad: fc.boolean(),
      cd: fc.boolean(),
      rcode: fc.integer({ min: 0, max: 15 }),
    }),
    questions: fc.array(questionArb, { maxLength: 3 }),
    answers: fc.array(recordArb, { maxLength: 4 }),
    authorities: fc.array(recordArb, { maxLength: 3 }),
    additionals: fc.array(recordArb, { maxLength: 3 }),
    opt: fc.option(optArb),
  })
  .map(({ opt, ...m }) => ({ ...m, additionals: opt ? [...m.additionals, opt] : m.additionals }));
