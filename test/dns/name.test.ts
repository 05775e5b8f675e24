import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DnsEncodeError } from '../../src/dns/wire/errors.js';
import { decodeMessage } from '../../src/dns/wire/message.js';
import {
  canonicalName,
  canonicalNameWire,
  isSubdomain,
  namesEqual,
  nameToWire,
  readName,
  writeName,
} from '../../src/dns/wire/name.js';
import { WireReader } from '../../src/dns/wire/reader.js';
import { WireWriter } from '../../src/dns/wire/writer.js';
import { toHex } from '../../src/protocol/bytes.js';
import { labelArb, labelsArb, labelsToText, labelsWire } from './arbitraries.js';

function decodeAt(bytes: number[] | Uint8Array, pos: number) {
  const r = new WireReader(Uint8Array.from(bytes));
  r.pos = pos;
  const name = readName(r);
  return { name, pos: r.pos, error: r.error };
}

/** A one-question message whose question name is `nameBytes` (possibly with pointers). */
function questionPacket(prefix: number[], nameBytes: number[]): Uint8Array {
  const header = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
  return Uint8Array.from([...header, ...prefix, ...nameBytes, 0, 16, 0, 1]);
}

describe('name decoding', () => {
  it('round-trips any label octets through presentation text', () => {
    fc.assert(
      fc.property(labelsArb, (labels) => {
        const wire = labelsWire(labels);
        const decoded = decodeAt(wire, 0);
        expect(decoded.error).toBeUndefined();
        expect(decoded.name).toBe(labelsToText(labels));
        expect(decoded.pos).toBe(wire.length);
        expect(toHex(nameToWire(decoded.name!))).toBe(toHex(wire));
      }),
    );
  });

  it('preserves case and gives a lower-case canonical form', () => {
    const wire = labelsWire([Uint8Array.from([0x4d, 0x65, 0x53, 0x68]), Uint8Array.from([0x54])]);
    const { name } = decodeAt(wire, 0);
    expect(name).toBe('MeSh.T');
    expect(canonicalName(name!)).toBe('mesh.t');
    expect(canonicalName('Mesh.Test.')).toBe('mesh.test');
    expect(canonicalName('a\\.B\\065.')).toBe('a\\.ba');
    expect(canonicalName('')).toBe('.');
    expect(canonicalName('.')).toBe('.');
    expect(namesEqual('WWW.example', 'www.EXAMPLE.')).toBe(true);
    expect(toHex(canonicalNameWire('AbC'))).toBe('0361626300');
  });

  it('follows backward pointers and reports the in-place end', () => {
    // "mesh.test" at 12, then "x" + pointer to 12 at 23.
    const bytes = questionPacket(
      [4, 109, 101, 115, 104, 4, 116, 101, 115, 116, 0],
      [1, 120, 0xc0, 12],
    );
    const r = decodeAt(bytes, 23);
    expect(r.name).toBe('x.mesh.test');
    expect(r.pos).toBe(27);
    // A chain of pointers, each strictly backwards, is fine.
    const chain = decodeAt([1, 97, 0, 0xc0, 0, 0xc0, 3], 5);
    expect(chain.name).toBe('a');
    expect(chain.pos).toBe(7);
  });

  it('rejects self, forward and looping pointers', () => {
    expect(decodeAt([0xc0, 0], 0).error?.code).toBe('structure');
    expect(decodeAt([0xc0, 2, 1, 97, 0], 0).error?.code).toBe('structure');
    // label "a" then a pointer back to the label: a loop through a label.
    expect(decodeAt([1, 97, 0xc0, 0], 0).error?.code).toBe('structure');
    // two pointers pointing at each other.
    expect(decodeAt([0xc0, 2, 0xc0, 0], 2).error?.code).toBe('structure');
    for (const packet of [
      questionPacket([], [0xc0, 12]),
      questionPacket([], [0xc0, 20]),
      questionPacket([1, 97, 0xc0, 12], [0xc0, 12]),
    ]) {
      const res = decodeMessage(packet);
      expect(res.ok).toBe(false);
    }
  });

  it('never loops: arbitrary bytes with pointers terminate with a bounded result', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(299), (buf, start) => {
        const r = decodeAt(buf, start % buf.length);
        if (r.name !== undefined) expect(nameToWire(r.name).length).toBeLessThanOrEqual(255);
        else expect(r.error).toBeDefined();
      }),
    );
  });

  it('enforces the 63-octet label and 255-octet name limits', () => {
    expect(decodeAt([64, ...new Array(64).fill(97), 0], 0).error?.code).toBe('unsupported');
    const long = labelsWire(new Array(4).fill(new Uint8Array(63).fill(97)));
    expect(long.length).toBe(257);
    expect(decodeAt(long, 0).error?.code).toBe('too-long');
    const max = labelsWire([
      ...new Array(3).fill(new Uint8Array(63).fill(97)),
      new Uint8Array(61).fill(98),
    ]);
    expect(max.length).toBe(255);
    expect(decodeAt(max, 0).name).toBeDefined();
    expect(() => nameToWire(`${'a'.repeat(64)}.b`)).toThrow(DnsEncodeError);
    expect(() => nameToWire(new Array(4).fill('a'.repeat(63)).join('.'))).toThrow(DnsEncodeError);
    expect(() => nameToWire('a..b')).toThrow(DnsEncodeError);
    expect(() => nameToWire('.a')).toThrow(DnsEncodeError);
    expect(() => nameToWire('a b')).toThrow(DnsEncodeError);
    expect(() => nameToWire('a\\256')).toThrow(DnsEncodeError);
    expect(() => nameToWire('a\\')).toThrow(DnsEncodeError);
  });

  it('rejects truncated names', () => {
    expect(decodeAt([3, 97, 98], 0).error?.code).toBe('length');
    expect(decodeAt([1, 97], 0).error?.code).toBe('length');
    expect(decodeAt([0xc0], 0).error?.code).toBe('length');
  });
});

describe('name encoding', () => {
  it('accepts escapes and an optional trailing dot', () => {
    expect(toHex(nameToWire('a\\.b.c.'))).toBe(toHex(nameToWire('a\\046b.c')));
    expect(toHex(nameToWire('a\\.b.c'))).toBe('03612e62016300');
    expect(toHex(nameToWire('\\\\'))).toBe('015c00');
    expect(toHex(nameToWire('.'))).toBe('00');
    expect(toHex(nameToWire('a\\.'))).toBe('02612e00');
  });

  it('compresses repeated suffixes case-insensitively, first occurrence wins', () => {
    const w = new WireWriter(16);
    writeName(w, 'mesh.test', true);
    writeName(w, 'X.MESH.test', true);
    writeName(w, 'y.x.Mesh.TEST', true);
    writeName(w, 'test', true);
    expect(toHex(w.toBytes())).toBe(`046d6573680474657374000158c000${'0179c00b'}c005`);
  });

  it('compresses escaped names consistently with their decoded form', () => {
    fc.assert(
      fc.property(labelsArb, labelArb, (labels, extra) => {
        const text = labelsToText(labels);
        const w = new WireWriter();
        writeName(w, text, true);
        const first = w.pos;
        writeName(w, labelsToText([extra, ...labels]), true);
        const r = new WireReader(w.toBytes());
        expect(readName(r)).toBe(text);
        expect(readName(r)).toBe(labelsToText([extra, ...labels]));
        // The second name must reuse the first one (label + 2-octet pointer) unless it is the root.
        if (labels.length > 0) expect(w.pos - first).toBe(extra.length + 3);
      }),
    );
  });
});

describe('isSubdomain', () => {
  it('matches on label boundaries only', () => {
    expect(isSubdomain('a.mesh.test', 'mesh.test')).toBe(true);
    expect(isSubdomain('Mesh.Test.', 'mesh.test')).toBe(true);
    expect(isSubdomain('amesh.test', 'mesh.test')).toBe(false);
    expect(isSubdomain('a\\.mesh.test', 'mesh.test')).toBe(false);
    expect(isSubdomain('a\\.mesh.test', 'test')).toBe(true);
    expect(isSubdomain('a\\\\.mesh.test', 'mesh.test')).toBe(true);
    expect(isSubdomain('anything', '.')).toBe(true);
    expect(isSubdomain('test', 'mesh.test')).toBe(false);
  });
});
