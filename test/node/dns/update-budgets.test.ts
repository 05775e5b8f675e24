/**
 * UPDATE budgets (hardening): node-wide and per-network message budgets
 * before any work, a per-key budget for signed UPDATEs, and for unsigned
 * claims a per-UPDATE count cap and a per-network claim budget. Every
 * refusal is REFUSED with nothing written. The budgets' clock stands still
 * here, so no credit is earned while a test runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Rcode, RRType } from '../../../src/dns/wire/constants.js';
import { encodeMessage } from '../../../src/dns/wire/message.js';
import { txtAdd } from '../../../src/dns/wire/update.js';
import { UpdateAdmission, type UpdateBudgets } from '../../../src/node/dns/update-budgets.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import { sha256 } from '../../../src/protocol/crypto/hash.js';
import { signClaimRecord } from '../../../src/protocol/records/claim-record.js';
import { config, decode, makeNode, type Node, signed, T0, update, ZONE } from './fixture.js';

const SEED = sha256(new TextEncoder().encode('update-budgets-test'));
const OFF = { ratePerSecond: 0, burst: 0 };
const ALL_OFF: UpdateBudgets = {
  global: OFF,
  perNetwork: OFF,
  perKey: OFF,
  claimsPerNetwork: OFF,
  maxClaimsPerUpdate: 0,
};

function claimValue(slot: number): string {
  return signClaimRecord(
    {
      msgId: new Uint8Array(16).fill(slot),
      senderSpk: ed25519PublicKey(SEED),
      senderMailboxDomain: 'sender.example',
      slot,
      ts: T0,
      exp: T0 + 300,
    },
    SEED,
  );
}

const claimOp = (i: number) =>
  txtAdd(`claim-${i}.mb-${'ab'.repeat(6)}.${ZONE}`, 300, claimValue(i));

let node: Node;
afterEach(() => node.close());

function start(budgets: Partial<UpdateBudgets>): void {
  const admission = new UpdateAdmission({ ...ALL_OFF, ...budgets }, () => 1_000);
  node = makeNode(config({ update: { claimRatePerSecond: 0, claimBurst: 0 } }), { admission });
}

function unsigned(ops: ReturnType<typeof claimOp>[], from = '192.0.2.99'): number {
  return node.send(encodeMessage(update(ops)), 'udp', undefined, from)!.rcode;
}

const rows = () => node.stores.records.liveCount(T0);

describe('message budgets, before any work', () => {
  it('refuses a network over its budget, not its neighbours', () => {
    start({ perNetwork: { ratePerSecond: 1, burst: 3 } });
    for (let i = 0; i < 3; i++) expect(unsigned([claimOp(i)])).toBe(Rcode.NOERROR);
    expect(unsigned([claimOp(9)])).toBe(Rcode.REFUSED);
    // Same /24, another address: the same network.
    expect(unsigned([claimOp(9)], '192.0.2.7')).toBe(Rcode.REFUSED);
    expect(node.metrics.get('update:over-budget')).toBe(2);
    expect(rows()).toBe(3);
    // Another network still writes.
    expect(unsigned([claimOp(9)], '198.51.100.1')).toBe(Rcode.NOERROR);
    expect(rows()).toBe(4);
  });

  it('refuses before the signature is checked (a forged UPDATE costs no HMAC)', () => {
    start({ global: { ratePerSecond: 1, burst: 1 } });
    expect(unsigned([claimOp(1)])).toBe(Rcode.NOERROR);
    const forged = signed(update([txtAdd(`x.${ZONE}`, 60, 'v')]), T0, {
      name: 'nobody.mesh.test.',
      algorithm: 'hmac-sha256',
      secret: new Uint8Array(32),
    });
    const r = node.send(forged.wire, 'udp', undefined, '203.0.113.5')!;
    expect(r.rcode).toBe(Rcode.REFUSED);
    expect(node.metrics.get('tsig:BADKEY')).toBe(0);
  });
});

describe('per-key budget of signed UPDATEs', () => {
  it('refuses a key over its budget with a signed REFUSED; other writers go on', () => {
    start({ perKey: { ratePerSecond: 1, burst: 2 } });
    const write = (i: number) =>
      node.send(signed(update([txtAdd(`alice.${ZONE}`, 60, `v${i}`)]), T0).wire)!;
    expect(write(1).rcode).toBe(Rcode.NOERROR);
    expect(write(2).rcode).toBe(Rcode.NOERROR);
    const refused = write(3);
    expect(refused.rcode).toBe(Rcode.REFUSED);
    expect(decode(refused.wire).additionals.at(-1)?.type).toBe(RRType.TSIG);
    expect(node.stores.records.query(`alice.${ZONE}`, T0)).toEqual(['v1', 'v2']);
    expect(unsigned([claimOp(1)])).toBe(Rcode.NOERROR);
  });
});

describe('unsigned claims', () => {
  it('takes at most maxClaimsPerUpdate claims in one UPDATE', () => {
    start({ maxClaimsPerUpdate: 4 });
    expect(unsigned([1, 2, 3, 4, 5].map(claimOp))).toBe(Rcode.REFUSED);
    expect(rows()).toBe(0);
    expect(unsigned([1, 2, 3, 4].map(claimOp))).toBe(Rcode.NOERROR);
    expect(rows()).toBe(4);
  });

  it('spends claims from the sender network’s budget', () => {
    start({ claimsPerNetwork: { ratePerSecond: 1, burst: 3 } });
    expect(unsigned([claimOp(1), claimOp(2)])).toBe(Rcode.NOERROR);
    expect(unsigned([claimOp(3), claimOp(4)])).toBe(Rcode.REFUSED);
    expect(unsigned([claimOp(3)])).toBe(Rcode.NOERROR);
    expect(unsigned([claimOp(4)])).toBe(Rcode.REFUSED);
    expect(rows()).toBe(3);
    expect(unsigned([claimOp(4)], '2001:db8:1::1')).toBe(Rcode.NOERROR);
  });

  it('one sender cannot empty a recipient’s bucket for another sender network', () => {
    const admission = new UpdateAdmission(ALL_OFF, () => 1_000);
    node = makeNode(config({ update: { claimRatePerSecond: 0.001, claimBurst: 1 } }), {
      admission,
    });
    expect(unsigned([claimOp(1)])).toBe(Rcode.NOERROR);
    expect(unsigned([claimOp(2)])).toBe(Rcode.SERVFAIL); // this sender's bucket is empty
    expect(unsigned([claimOp(2)], '198.51.100.1')).toBe(Rcode.NOERROR); // another sender's is not
  });
});
