/**
 * names.json: the messaging owner names (core.md §7) and the node's
 * claim-owner / zone-membership checks (node.md §2.2, §2.8).
 */
import { expect, it } from 'vitest';
import { fromHex } from '../../src/protocol/bytes.js';
import {
  chunkName,
  claimName,
  claimOwnerHash12,
  hashedIdentityName,
  mailboxHash,
  mailboxSlotName,
  messageKey,
  nameUnderZone,
  prekeyPoolName,
  slotIndexOf,
  zoneAnchoredIdentityName,
} from '../../src/protocol/names.js';
import { DmpEncodeError } from '../../src/protocol/result.js';
import { describeVectors, haveVectors, loadVectors } from './vectors.js';

type Case = any;

/** Kind → the value the builder computes for a case. */
const KINDS: Record<string, (c: Case) => unknown> = {
  mailbox_slot: (c) => mailboxSlotName(fromHex(c.recipient_id_hex), c.slot, c.zone),
  msg_key: (c) =>
    messageKey(fromHex(c.msg_id_hex), fromHex(c.recipient_id_hex), fromHex(c.sender_spk_hex)),
  slot_index: (c) => slotIndexOf(fromHex(c.msg_id_hex)),
  chunk_name: (c) => chunkName(c.chunk_number, c.msg_key, c.zone),
  identity_hashed: (c) => hashedIdentityName(c.username, c.domain),
  identity_zone_anchored: (c) => zoneAnchoredIdentityName(c.domain),
  prekey_rrset: (c) => prekeyPoolName(c.username, c.domain),
  claim_name: (c) => claimName(fromHex(c.recipient_id_hex), c.slot, c.zone),
  server_claim_owner: (c) => claimOwnerHash12(c.owner, c.zone) ?? null,
  name_under_zone: (c) => nameUnderZone(c.owner, c.zone),
};

const cases: Case[] = haveVectors ? loadVectors('names.json').cases : [];

describeVectors('names.json', () => {
  it('has cases of every messaging kind', () => {
    for (const kind of Object.keys(KINDS)) {
      expect(cases.filter((c) => c.kind === kind).length, kind).toBeGreaterThan(0);
    }
  });

  cases
    .filter((c) => c.kind in KINDS)
    .forEach((c, i) => {
      it(`#${i} ${c.kind} ${c.description ?? c.role ?? ''}`, () => {
        const build = KINDS[c.kind]!;
        if (c.expected_error !== undefined) {
          expect(() => build(c)).toThrow(DmpEncodeError);
          return;
        }
        const expected = c.kind === 'server_claim_owner' ? c.expected_hash12 : c.expected;
        expect(build(c)).toEqual(expected);
        if (c.hash12 !== undefined) expect(mailboxHash(fromHex(c.recipient_id_hex))).toBe(c.hash12);
      });
    });
});
