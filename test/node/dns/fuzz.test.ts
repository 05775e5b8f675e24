/**
 * A node never dies on a packet: random bytes and mutated real requests
 * (queries, signed and unsigned UPDATEs) never make `respond` throw, every
 * reply decodes and carries the request's ID, and no input reaches the
 * internal-error fallback.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RRType } from '../../../src/dns/wire/constants.js';
import { decodeMessage, encodeMessage } from '../../../src/dns/wire/message.js';
import { txtAdd, txtDelete, txtDeleteRRset } from '../../../src/dns/wire/update.js';
import { makeNode, type Node, queryMessage, signed, T0, update, ZONE } from './fixture.js';

let node: Node;
beforeAll(() => {
  node = makeNode();
  node.stores.records.publish(`a.${ZONE}`, 'x'.repeat(300), 300, T0);
  node.stores.records.publish(`a.${ZONE}`, 'y', 300, T0);
});
afterAll(() => node.close());

const seeds: Uint8Array[] = [
  encodeMessage(queryMessage(`a.${ZONE}`, RRType.TXT, { edns: 1232 })),
  encodeMessage(queryMessage(ZONE, RRType.SOA)),
  encodeMessage(queryMessage(`nothing.${ZONE}`, RRType.A, { edns: 512, dnssecOk: true })),
  encodeMessage(update([txtAdd(`alice.${ZONE}`, 300, 'v'), txtDelete(`alice.${ZONE}`, 'w')])),
  signed(update([txtAdd(`alice.${ZONE}`, 300, 'v'), txtDeleteRRset(`x.alice.${ZONE}`)]), T0).wire,
  signed(queryMessage(`a.${ZONE}`, RRType.TXT), T0).wire,
];

function check(wire: Uint8Array): void {
  for (const transport of ['udp', 'tcp'] as const) {
    const response = node.send(wire, transport);
    if (response === undefined) {
      expect(wire.length < 12 || (wire[2]! & 0x80) !== 0).toBe(true);
      continue;
    }
    expect(response.wire.length).toBeGreaterThanOrEqual(12);
    expect(response.wire[0]).toBe(wire[0]);
    expect(response.wire[1]).toBe(wire[1]);
    expect(decodeMessage(response.wire).ok).toBe(true);
    if (transport === 'udp') expect(response.wire.length).toBeLessThanOrEqual(65_535);
    expect(decodeMessage(response.truncated()).ok).toBe(true);
  }
  expect(node.metrics.errors).toEqual([]);
}

/** A real packet with a few bytes overwritten, inserted or removed. */
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('set', 'insert', 'delete'),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([seed, edits]) => {
    const bytes = Array.from(seed);
    for (const [at, value, how] of edits) {
      const i = at % (bytes.length + 1);
      if (how === 'set' && i < bytes.length) bytes[i] = value;
      else if (how === 'insert') bytes.splice(i, 0, value);
      else bytes.splice(i, 1);
    }
    return Uint8Array.from(bytes);
  });

describe('respond() never throws', () => {
  it('on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), check), { numRuns: 3000 });
  });

  it('on random bytes behind a plausible header', () => {
    const header = fc
      .tuple(fc.integer({ min: 0, max: 0x7fff }), fc.uint8Array({ minLength: 8, maxLength: 8 }))
      .map(([flags, counts]) =>
        Uint8Array.of(0x12, 0x34, flags >>> 8, flags & 0xff, ...counts.map((c) => c & 3)),
      );
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 300 }), (h, body) => {
        const wire = new Uint8Array(h.length + body.length);
        wire.set(h);
        wire.set(body, h.length);
        check(wire);
      }),
      { numRuns: 3000 },
    );
  });

  it('on mutated real queries and UPDATEs', () => {
    fc.assert(fc.property(mutated, check), { numRuns: 5000 });
  });

  it('on the seeds themselves', () => {
    for (const seed of seeds) check(seed);
  });
});
