/**
 * Signed UPDATEs into the shared namespaces carry what a receiver can use
 * (hardening: mailbox squatting with junk values). The fixture key may add
 * at `chunk-*-*.mesh.test`.
 */

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Rcode } from '../../../src/dns/wire/constants.js';
import { txtAdd } from '../../../src/dns/wire/update.js';
import {
  sharedNamespaceOf,
  sharedValueAllowed,
} from '../../../src/node/shared-namespace-values.js';
import { encodeChunkRecord } from '../../../src/protocol/records/chunk-record.js';
import { config, keyRecord, makeNode, type Node, signed, T0, update, ZONE } from './fixture.js';

let node: Node;
afterEach(() => node?.close());

const CHUNK_NAME = `chunk-0001-0123456789ab.${ZONE}`;

describe('signed adds into shared namespaces', () => {
  it('refuses a junk chunk value, writing nothing; a chunk record is stored', () => {
    // A registrant's key (registration recorded its Ed25519 key).
    node = makeNode(config(), {}, [keyRecord({ registeredSpk: 'ab'.repeat(32) })]);
    const send = (value: string) =>
      node.send(signed(update([txtAdd(CHUNK_NAME, 60, value)]), T0).wire)!.rcode;
    expect(send('x'.repeat(200))).toBe(Rcode.REFUSED);
    expect(node.metrics.get('update:invalid-value')).toBe(1);
    expect(node.stores.records.query(CHUNK_NAME, T0)).toEqual([]);
    const chunk = encodeChunkRecord(new Uint8Array([1, 2, 3, 4]));
    expect(send(chunk)).toBe(Rcode.NOERROR);
    expect(node.stores.records.query(CHUNK_NAME, T0)).toEqual([chunk]);
  });

  it('an operator-minted key writes any value, as in the reference', () => {
    node = makeNode(config());
    const r = node.send(signed(update([txtAdd(CHUNK_NAME, 60, 'anything')]), T0).wire)!;
    expect(r.rcode).toBe(Rcode.NOERROR);
  });

  it('recognises exactly the shared name shapes', () => {
    expect(sharedNamespaceOf('slot-3.mb-0123456789ab.mesh.test')).toBe('slot');
    expect(sharedNamespaceOf('claim-12.mb-0123456789ab.mesh.test')).toBe('claim');
    expect(sharedNamespaceOf('chunk-0001-0123456789ab.mesh.test')).toBe('chunk');
    expect(sharedNamespaceOf('slot-3.mb-0123456789ab')).toBe('slot');
    for (const other of [
      'slot-3.mb-0123.mesh.test',
      'id-0123456789ab.mesh.test',
      'slot-x.mb-0123456789ab.z',
      'mesh.test',
      'x',
    ]) {
      expect(sharedNamespaceOf(other)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.string(), (name) => {
        const kind = sharedNamespaceOf(name);
        return kind === undefined || ['slot', 'chunk', 'claim'].includes(kind);
      }),
    );
    // Any name and value: a verdict, never an exception.
    const shared = fc.constantFrom(
      'slot-1.mb-0123456789ab.z',
      'chunk-1-0123456789ab.z',
      'claim-1.mb-0123456789ab.z',
    );
    fc.assert(
      fc.property(fc.oneof(shared, fc.string()), fc.string(), (name, value) =>
        [true, false].includes(sharedValueAllowed(name, value, T0)),
      ),
    );
  });
});
