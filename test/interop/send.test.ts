/**
 * send.json: complete sends by the reference. Sealing from the case inputs
 * must reproduce every published record in order, byte for byte, and opening
 * the records must recover the plaintext, timestamp, message id and verified
 * sender label at the case's verify time.
 */
import { expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/protocol/bytes.js';
import { identityFromPrivateKey } from '../../src/protocol/crypto/identity.js';
import {
  identityLookupNames,
  selectIdentityRecord,
  verifySenderLabel,
} from '../../src/protocol/message/identity-lookup.js';
import { openMessage, type TxtRecord } from '../../src/protocol/message/open.js';
import { choosePrekey } from '../../src/protocol/message/prekey-choice.js';
import { sealMessage } from '../../src/protocol/message/seal.js';
import { prekeyPoolName } from '../../src/protocol/names.js';
import { describeVectors, loadVectors } from './vectors.js';

const lookupIn = (records: readonly TxtRecord[]) => (name: string) => {
  const values = records
    .filter((r) => r.name.toLowerCase() === name.toLowerCase())
    .map((r) => r.value);
  return values.length > 0 ? values : undefined;
};

describeVectors('send.json: complete sends', () => {
  const cases = loadVectors('send.json').cases as any[];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  for (const c of cases) {
    const inp = c.inputs;
    const setup: TxtRecord[] = c.setup_records;

    it(`${c.id}: seal reproduces every record in order`, () => {
      const sender = identityFromPrivateKey(fromHex(inp.sender_keys.x25519_private_hex));
      expect(toHex(sender.ed25519Public)).toBe(inp.sender_keys.ed25519_public_hex);
      const contact = inp.contact;
      const pinned = contact.ed25519_public_hex ? fromHex(contact.ed25519_public_hex) : undefined;
      const lookup = lookupIn(setup);
      // The sender's view of the world: the recipient's prekey pool and identity, as in DNS.
      const prekey = choosePrekey(
        lookup(prekeyPoolName(contact.name, contact.domain)),
        pinned,
        inp.now,
      );
      const user = contact.name.toLowerCase();
      const identity = selectIdentityRecord(
        user,
        identityLookupNames(user, contact.domain, [contact.name]).map((n) => lookup(n)),
        { ed25519Spk: pinned },
      );
      const advertisesV2 = identity?.versions.includes(2);
      const senderHost = inp.sender.identity_domain ?? inp.sender.domain;
      const sealed = sealMessage({
        sender,
        senderZone: inp.sender.domain,
        recipient: {
          x25519Public: fromHex(contact.x25519_public_hex),
          claimZone: contact.domain_explicit ? contact.domain : undefined,
          prekey: prekey && { id: prekey.prekeyId, x25519Public: prekey.publicKey },
          envelopeFrom: advertisesV2 ? `${inp.sender.username}@${senderHost}` : undefined,
        },
        body: utf8(inp.message_utf8),
        now: inp.now,
        ttl: inp.ttl,
        claimProviders: inp.claim_providers.map((p: any) => p.zone),
        msgId: fromHex(inp.msg_id_hex),
        ephemeralPrivate: fromHex(inp.ephemeral_private_hex),
        nonce: fromHex(inp.nonce_hex),
      });
      expect(sealed.k).toBe(c.derived.k);
      expect(sealed.n).toBe(c.derived.n);
      expect(sealed.slot).toBe(c.derived.slot);
      expect(sealed.records.map((r) => [r.kind, r.name, r.ttl, r.value])).toEqual(
        c.records.map((r: any) => [r.kind, r.name, r.ttl, r.value]),
      );
      const transports = sealed.records.map((r) => r.transport);
      expect(transports).toEqual(
        c.records.map((r: any) => (r.transport === 'writer' ? 'writer' : 'unsigned-update')),
      );
    });

    it(`${c.id}: open recovers the message`, () => {
      const rcv = c.receive;
      const identity = identityFromPrivateKey(fromHex(rcv.recipient_x25519_private_hex));
      const all: TxtRecord[] = [...setup, ...c.records];
      const prekeyId = inp.prekey?.prekey_id;
      const opened = openMessage(
        all,
        {
          identity,
          prekeyPrivate: (id) =>
            rcv.prekey_private_hex && id === prekeyId ? fromHex(rcv.prekey_private_hex) : undefined,
        },
        { now: rcv.verify_now, pinnedSenders: [fromHex(rcv.pinned_sender_ed25519_public_hex)] },
      );
      if (!opened.ok) throw new Error(`${opened.code}: ${opened.detail}`);
      expect(toHex(opened.value.body)).toBe(rcv.expected_plaintext_hex);
      expect(opened.value.timestamp).toBe(rcv.expected_timestamp);
      expect(toHex(opened.value.msgId)).toBe(rcv.expected_msg_id_hex);
      expect(
        verifySenderLabel(opened.value.claimedFrom, opened.value.senderSpk, lookupIn(all)),
      ).toBe(rcv.expected_sender_label);
    });

    it(`${c.id}: open refuses the records for another recipient, too late, or unpinned`, () => {
      const rcv = c.receive;
      const all: TxtRecord[] = [...setup, ...c.records];
      const identity = identityFromPrivateKey(fromHex(rcv.recipient_x25519_private_hex));
      const stranger = identityFromPrivateKey(new Uint8Array(32).fill(7));
      expect(openMessage(all, { identity: stranger }, { now: rcv.verify_now }).ok).toBe(false);
      const late = openMessage(all, { identity }, { now: inp.now + inp.ttl + 1 });
      expect(late.ok ? 'ok' : late.code).toBe('expired');
      const unpinned = openMessage(
        all,
        { identity },
        { now: rcv.verify_now, pinnedSenders: [stranger.ed25519Public] },
      );
      expect(unpinned.ok ? 'ok' : unpinned.code).toBe('signer');
    });
  }
});
