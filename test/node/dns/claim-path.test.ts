/** The unsigned claim-only UPDATE path (node spec §2.8) and the registered-recipient set. */
import { afterEach, describe, expect, it } from 'vitest';
import { Rcode } from '../../../src/dns/wire/constants.js';
import type { DnsRecord } from '../../../src/dns/wire/message.js';
import { encodeMessage } from '../../../src/dns/wire/message.js';
import { txtAdd, txtDelete } from '../../../src/dns/wire/update.js';
import type { ClaimRateLimiter } from '../../../src/node/dns/claim-path.js';
import { registeredRecipientHashes } from '../../../src/node/dns/registered-recipients.js';
import type { NodeResponderConfig } from '../../../src/node/dns/responder-config.js';
import type { TsigKeyRecord } from '../../../src/node/store/types.js';
import { fromHex } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import { sha256 } from '../../../src/protocol/crypto/hash.js';
import { mailboxHash } from '../../../src/protocol/names.js';
import { signClaimRecord } from '../../../src/protocol/records/claim-record.js';
import { config, decode, keyRecord, makeNode, type Node, T0, update, ZONE } from './fixture.js';

const SEED = sha256(new TextEncoder().encode('claim-path-test'));
const RECIPIENT = 'abcdefabcdef';
const OWNER = `claim-3.mb-${RECIPIENT}.${ZONE}`;

function claim(exp = T0 + 300, ts = T0): string {
  return signClaimRecord(
    {
      msgId: new Uint8Array(16).fill(7),
      senderSpk: ed25519PublicKey(SEED),
      senderMailboxDomain: 'alice.example.net',
      slot: 3,
      ts,
      exp,
    },
    SEED,
  );
}

let node: Node;
afterEach(() => node.close());

function start(
  cfg: NodeResponderConfig = config(),
  limiter?: ClaimRateLimiter,
  keys: TsigKeyRecord[] = [],
): void {
  node = makeNode(cfg, limiter ? { claimLimiter: limiter } : {}, keys);
}

/** Sends an unsigned UPDATE; the reply must be unsigned too. */
function rcode(updates: DnsRecord[] = [txtAdd(OWNER, 300, claim())]): number {
  const response = node.send(encodeMessage(update(updates)))!;
  const reply = decode(response.wire);
  expect(reply.additionals).toEqual([]);
  expect(reply.header.aa).toBe(true);
  return response.rcode;
}

const stored = (name = OWNER, at = T0) => node.stores.records.query(name, at);

describe('claim provider (default on with UPDATE)', () => {
  it('accepts a verifying claim at claim-<digits>.mb-<hash12>.<zone>', () => {
    start();
    expect(rcode()).toBe(Rcode.NOERROR);
    expect(stored()).toEqual([claim()]);
    expect(rcode([txtAdd(`CLAIM-42.MB-${RECIPIENT.toUpperCase()}.Mesh.Test`, 300, claim())])).toBe(
      Rcode.NOERROR,
    );
  });

  it('refuses when claim acceptance is off, or UPDATE is off', () => {
    start(config({ update: { claimProvider: false } }));
    expect(rcode()).toBe(Rcode.REFUSED);
    node.close();
    start(config({ update: { enabled: false } }));
    expect(rcode()).toBe(Rcode.REFUSED);
    expect(stored()).toEqual([]);
  });

  it('refuses other owners, deletes, empty UPDATEs and mixed batches, writing nothing', () => {
    start();
    for (const updates of [
      [txtAdd(`slot-3.mb-${RECIPIENT}.${ZONE}`, 300, claim())],
      [txtAdd(`x.claim-3.mb-${RECIPIENT}.${ZONE}`, 300, claim())],
      [txtAdd(`claim-x.mb-${RECIPIENT}.${ZONE}`, 300, claim())],
      [txtAdd(`_dmp-probe.${ZONE}`, 60, 'v=dmp1;t=probe')],
      [txtDelete(OWNER, claim())],
      [],
      [txtAdd(OWNER, 300, claim()), txtAdd(`id-0123456789abcdef.${ZONE}`, 300, 'x')],
    ]) {
      expect(rcode(updates)).toBe(Rcode.REFUSED);
    }
    expect(stored()).toEqual([]);
    expect(node.metrics.get('update:claim-refused')).toBe(7);
  });

  it('refuses values that are not verifying claims, and lifetimes over the cap', () => {
    start(config({ update: { claimMaxTtl: 600 } }));
    const good = claim();
    const bad = good.slice(0, -4) + (good.endsWith('AAA=') ? 'BAA=' : 'AAA=');
    expect(rcode([txtAdd(OWNER, 300, bad)])).toBe(Rcode.REFUSED);
    expect(rcode([txtAdd(OWNER, 300, claim(T0, T0 - 10))])).toBe(Rcode.REFUSED); // exp == now
    expect(rcode([txtAdd(OWNER, 300, claim(T0 + 601))])).toBe(Rcode.REFUSED);
    expect(rcode([txtAdd(OWNER, 300, claim(T0 + 600))])).toBe(Rcode.NOERROR);
  });

  it('clamps the stored TTL to the claim cap (generic TTL cap first)', () => {
    start(config({ update: { claimMaxTtl: 600 } }));
    expect(rcode([txtAdd(OWNER, 5000, claim())])).toBe(Rcode.NOERROR);
    expect(stored(OWNER, T0 + 599)).toHaveLength(1);
    expect(stored(OWNER, T0 + 600)).toEqual([]);
    expect(rcode([txtAdd(OWNER, 90_000, claim())])).toBe(Rcode.REFUSED); // over DMP_MAX_TTL
  });

  it('rate-limits per (network, recipient hash) with SERVFAIL, writing nothing', () => {
    const seen: string[] = [];
    let budget = 2;
    start(config(), {
      allow: (key) => {
        seen.push(key);
        return budget-- > 0;
      },
    });
    expect(rcode()).toBe(Rcode.NOERROR);
    expect(rcode()).toBe(Rcode.NOERROR);
    node.stores.records.delete(OWNER, undefined);
    expect(rcode()).toBe(Rcode.SERVFAIL);
    expect(stored()).toEqual([]);
    // One bucket per (sender network, recipient): the fixture's client is 192.0.2.x.
    expect(seen).toEqual([1, 2, 3].map(() => `4:${192 * 2 ** 24 + 2 * 2 ** 8}:0|${RECIPIENT}`));
    expect(node.metrics.get('update:claim-rate-limited')).toBe(1);
  });

  it('uses a token bucket from the configuration by default', () => {
    start(config({ update: { claimRatePerSecond: 0.001, claimBurst: 1 } }));
    expect(rcode()).toBe(Rcode.NOERROR);
    expect(rcode()).toBe(Rcode.SERVFAIL);
    expect(rcode([txtAdd(`claim-1.mb-111111111111.${ZONE}`, 300, claim())])).toBe(Rcode.NOERROR);
  });
});

describe('receiver claims only (M10)', () => {
  const pub = 'ab'.repeat(32);
  const mine = mailboxHash(sha256(fromHex(pub)));
  const receiverOnly = config({ update: { claimProvider: false, receiverClaims: true } });

  it('accepts claims only for registered recipients', () => {
    start(receiverOnly, undefined, [
      keyRecord({ allowedSuffixes: [`mb-${mine}.${ZONE}`], registeredX25519Pub: pub }),
    ]);
    expect(rcode([txtAdd(`claim-0.mb-${mine}.${ZONE}`, 300, claim())])).toBe(Rcode.NOERROR);
    expect(rcode()).toBe(Rcode.REFUSED);
  });

  it('sees a registration at once', () => {
    start(receiverOnly, undefined, []);
    expect(rcode()).toBe(Rcode.REFUSED);
    node.stores.tsigKeys.upsert(keyRecord({ allowedSuffixes: [`mb-${RECIPIENT}.${ZONE}`] }));
    expect(rcode()).toBe(Rcode.NOERROR);
  });
});

describe('registeredRecipientHashes', () => {
  const pub = 'cd'.repeat(32);
  const hash = mailboxHash(sha256(fromHex(pub)));
  const key = (allowedSuffixes: string[], registeredX25519Pub = pub) =>
    keyRecord({ allowedSuffixes, registeredX25519Pub });

  it('adds the proven X25519 hash of keys that may own mailboxes in the zone', () => {
    for (const suffixes of [
      [ZONE],
      [`mb-${hash}.${ZONE}`],
      [`slot-*.mb-*.${ZONE}`],
      [`claim-*.mb-*.${ZONE}`],
    ]) {
      expect(registeredRecipientHashes([key(suffixes)], ZONE).has(hash)).toBe(true);
    }
    for (const suffixes of [[`id-0123456789abcdef.${ZONE}`], [`mb-x.other.test`], ['test']]) {
      expect(registeredRecipientHashes([key(suffixes)], ZONE).has(hash)).toBe(false);
    }
    expect(registeredRecipientHashes([key([ZONE], 'zz')], ZONE).size).toBe(0);
  });

  it('adds every literal mb-<12 hex> suffix of any key', () => {
    const set = registeredRecipientHashes(
      [key([`mb-0123456789ab.${ZONE}`, `mb-xyz.${ZONE}`], '')],
      ZONE,
    );
    expect([...set]).toEqual(['0123456789ab']);
  });
});
