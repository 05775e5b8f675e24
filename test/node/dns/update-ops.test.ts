/** Unit: RFC 2136 §3.4.1 prescan into store ops. */
import { describe, expect, it } from 'vitest';
import { Rcode, RRClass, RRType } from '../../../src/dns/wire/constants.js';
import type { DnsRecord } from '../../../src/dns/wire/message.js';
import { txtRdata } from '../../../src/dns/wire/txt.js';
import { txtAdd, txtDelete, txtDeleteRRset } from '../../../src/dns/wire/update.js';
import { extractUpdateOps } from '../../../src/node/dns/update-ops.js';
import type { StoreOp } from '../../../src/node/store/types.js';

const Z = 'mesh.test';
const EMPTY = { kind: 'RAW' as const, bytes: new Uint8Array(0) };

function run(updates: DnsRecord[]): [number, StoreOp[]] {
  const ops: StoreOp[] = [];
  return [extractUpdateOps(updates, Z, ops), ops];
}

describe('extractUpdateOps', () => {
  it('maps adds, value deletes, RRset deletes and delete-all, with canonical owners', () => {
    const all: DnsRecord = {
      name: 'C.Mesh.Test.',
      type: RRType.ANY,
      class: RRClass.ANY,
      ttl: 0,
      data: EMPTY,
    };
    expect(
      run([
        txtAdd('A.mesh.test', 0, 'v'),
        txtDelete('b.mesh.test', 'w'),
        txtDeleteRRset('mesh.test'),
        all,
      ]),
    ).toEqual([
      Rcode.NOERROR,
      [
        { kind: 'add', name: 'a.mesh.test', value: 'v', ttl: 60 },
        { kind: 'delete-value', name: 'b.mesh.test', value: 'w' },
        { kind: 'delete-name', name: 'mesh.test' },
        { kind: 'delete-name', name: 'c.mesh.test' },
      ],
    ]);
  });

  it('joins character-strings into one value', () => {
    const [, ops] = run([txtAdd('a.mesh.test', 5, 'z'.repeat(600))]);
    expect(ops[0]).toEqual({ kind: 'add', name: 'a.mesh.test', value: 'z'.repeat(600), ttl: 5 });
  });

  it('NOTZONE first, then FORMERR, in packet order; REFUSED for non-TXT only when well formed', () => {
    const a: DnsRecord = {
      name: 'a.mesh.test',
      type: RRType.A,
      class: RRClass.IN,
      ttl: 5,
      data: { kind: 'A', address: '192.0.2.1' },
    };
    const ch: DnsRecord = { ...txtAdd('a.mesh.test', 5, 'v'), class: RRClass.CH };
    expect(run([txtAdd('x.other', 5, 'v'), ch])[0]).toBe(Rcode.NOTZONE);
    expect(run([ch, txtAdd('x.other', 5, 'v')])[0]).toBe(Rcode.FORMERR);
    expect(run([a, txtAdd('a.mesh.test', 5, 'v')])[0]).toBe(Rcode.REFUSED);
    expect(run([a, ch])[0]).toBe(Rcode.FORMERR);
    expect(run([{ ...a, class: RRClass.ANY, ttl: 0, data: EMPTY }])[0]).toBe(Rcode.REFUSED);
    expect(run([{ ...txtDelete('a.mesh.test', 'v'), type: RRType.ANY, data: EMPTY }])[0]).toBe(
      Rcode.FORMERR,
    );
    expect(
      run([{ ...txtAdd('a.mesh.test', 5, 'v'), data: txtRdata(Uint8Array.of(0xc3)) }])[0],
    ).toBe(Rcode.FORMERR);
  });
});
