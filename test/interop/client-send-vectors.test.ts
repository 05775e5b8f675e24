/**
 * send.json through the whole client over loopback DNS.
 *
 * Receive: every record a reference sender published (plus the setup
 * records: prekeys, identities) is served by the in-test authoritative DNS;
 * a `DmpClient` holding the vector recipient's keys receives the message —
 * through the own-zone claim, and separately through the slot walk — and
 * must recover plaintext, timestamp, message id and the verified sender
 * label, consuming the prekey (locally and in DNS) when one was used.
 *
 * Send: a `DmpClient` holding the vector sender's keys, with the vector's
 * randomness scripted, publishes exactly the reference's records and sends
 * claim UPDATE packets identical to the reference's, byte for byte.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UnsignedClaimTransport } from '../../src/client/claim-transport.js';
import { DmpClient } from '../../src/client/client.js';
import type { ContactInit } from '../../src/client/contacts.js';
import { openSqliteClientState } from '../../src/client/state/sqlite-state.js';
import { DirectReader } from '../../src/dns/client/direct-reader.js';
import { DnsUpdateWriter } from '../../src/dns/client/dns-update-writer.js';
import type { TsigKey } from '../../src/dns/tsig-key.js';
import { fromHex, toHex, utf8 } from '../../src/protocol/bytes.js';
import { sha256 } from '../../src/protocol/crypto/hash.js';
import { identityFromPrivateKey } from '../../src/protocol/crypto/identity.js';
import { installNodeCrypto } from '../../src/runtime/node-crypto-provider.js';
import { MeshDns } from '../client/harness/mesh-dns.js';
import { describeVectors, loadVectors } from './vectors.js';

installNodeCrypto();

const ZONES = ['mesh.test', 'bob.test', 'carol.test', 'provider.test'];
const KEYS: TsigKey[] = ZONES.map((z) => ({
  name: `writer.${z}.`,
  algorithm: 'hmac-sha256',
  secret: sha256(utf8(`tsig/${z}`)),
}));

describeVectors('send.json through DmpClient over loopback DNS', () => {
  const cases = loadVectors('send.json').cases as any[];
  const clock = { now: 0 };
  let dns: MeshDns;
  let dir: string;
  beforeAll(async () => {
    dns = await MeshDns.start({ zones: ZONES, keys: KEYS, now: () => clock.now });
    dir = mkdtempSync(join(tmpdir(), 'dmp-vectors-'));
  });
  afterAll(async () => {
    await dns?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const writerFor = (zone: string) =>
    new DnsUpdateWriter({
      server: dns.address,
      zone,
      key: KEYS.find((k) => k.name === `writer.${zone}.`)!,
      timeoutMs: 3000,
      clock: () => clock.now * 1000,
    });
  const reader = () => new DirectReader({ server: dns.address, timeoutMs: 3000 });
  const load = (records: readonly { name: string; value: string }[]) => {
    dns.records.clear();
    for (const r of records) dns.put(r.name, r.value);
  };

  for (const c of cases) {
    const inp = c.inputs;
    const rcv = c.receive;
    const recipientZone: string = inp.recipient.domain;

    const recipientClient = (path: string) => {
      const state = openSqliteClientState(join(dir, path));
      if (rcv.prekey_private_hex) {
        const priv = fromHex(rcv.prekey_private_hex);
        state.prekeys.insert([
          {
            prekeyId: inp.prekey.prekey_id,
            privateKey: priv,
            publicKey: fromHex(inp.prekey.public_hex),
            exp: inp.prekey.exp,
            createdAt: inp.now,
            publishedValue: inp.prekey.record_value,
          },
        ]);
      }
      const client = new DmpClient({
        identity: identityFromPrivateKey(fromHex(rcv.recipient_x25519_private_hex)),
        username: inp.recipient.username,
        domain: recipientZone,
        contacts: {
          [inp.sender.username]: {
            username: inp.sender.username,
            x25519Pub: fromHex(inp.sender_keys.x25519_public_hex),
            ed25519Spk: fromHex(rcv.pinned_sender_ed25519_public_hex),
            domain: rcv.pinned_sender_domain,
          },
        },
        reader: reader(),
        writer: writerFor(recipientZone),
        claimTransport: new UnsignedClaimTransport({
          resolver: { resolveAddress: async () => '127.0.0.1' },
        }),
        state,
        clock: () => clock.now,
      });
      return { client, state };
    };

    it(`${c.id}: received through the own-zone claim, prekey consumed`, async () => {
      load([...c.setup_records, ...c.records]);
      clock.now = rcv.verify_now;
      const { client, state } = recipientClient(`${c.id}-claim.db`);
      const providers = inp.claim_providers.map((p: any) => ({ zone: p.zone }));
      const got = await client.receive({ claimProviders: providers });
      expect(got.messages).toHaveLength(1);
      const m = got.messages[0]!;
      expect(toHex(m.plaintext)).toBe(rcv.expected_plaintext_hex);
      expect(m.timestamp).toBe(rcv.expected_timestamp);
      expect(toHex(m.msgId)).toBe(rcv.expected_msg_id_hex);
      expect(m.senderLabel).toBe(rcv.expected_sender_label);
      expect(m.via).toBe('own-zone-claim');
      expect(got.intros).toHaveLength(0);
      if (inp.prekey) {
        expect(state.prekeys.has(inp.prekey.prekey_id)).toBe(false);
        expect(dns.values(inp.prekey.record_name)).not.toContain(inp.prekey.record_value);
      }
      expect((await client.receive({ claimProviders: providers })).messages).toHaveLength(0);
      state.close();
    });

    it(`${c.id}: received through the slot walk alone`, async () => {
      load([...c.setup_records, ...c.records]);
      clock.now = rcv.verify_now;
      const { client, state } = recipientClient(`${c.id}-walk.db`);
      const got = await client.receive({ skipPrimary: true });
      expect(got.messages.map((m) => [toHex(m.plaintext), m.via])).toEqual([
        [rcv.expected_plaintext_hex, 'slot-walk'],
      ]);
      state.close();
    });

    it(`${c.id}: sending reproduces every record and claim packet`, async () => {
      load(c.setup_records);
      clock.now = inp.now;
      // The vectors' message ids are raw labelled bytes, not UUIDv4-shaped, so they go in as an option.
      const draws = [fromHex(inp.ephemeral_private_hex), fromHex(inp.nonce_hex)];
      const random = (n: number) => {
        const next = draws.shift();
        if (next === undefined || next.length !== n) throw new Error(`unscripted draw of ${n}`);
        return next.slice();
      };
      const ids = [...inp.dns_message_ids];
      const contact: ContactInit = {
        username: inp.contact.name,
        x25519Pub: fromHex(inp.contact.x25519_public_hex),
        ed25519Spk: inp.contact.ed25519_public_hex
          ? fromHex(inp.contact.ed25519_public_hex)
          : undefined,
        domain: inp.contact.domain,
        domainExplicit: inp.contact.domain_explicit,
      };
      const state = openSqliteClientState(join(dir, `${c.id}-sender.db`));
      const client = new DmpClient({
        identity: identityFromPrivateKey(fromHex(inp.sender_keys.x25519_private_hex)),
        username: inp.sender.username,
        domain: inp.sender.domain,
        identityDomain: inp.sender.identity_domain ?? undefined,
        contacts: { [inp.contact.name]: contact },
        reader: reader(),
        writer: writerFor(inp.sender.domain),
        claimTransport: new UnsignedClaimTransport({
          resolver: { resolveAddress: async () => '127.0.0.1' },
          port: dns.address.port,
          update: { nextId: () => ids.shift()! },
        }),
        localNodeDns: dns.address,
        state,
        clock: () => clock.now,
        random,
        publishConcurrency: 1,
      });
      const updatesBefore = dns.updates.length;
      const sent = await client.send(inp.contact.name, utf8(inp.message_utf8), {
        ttl: inp.ttl,
        msgId: fromHex(inp.msg_id_hex),
        claimProviders: inp.claim_providers.map((p: any) => ({
          zone: p.zone,
          endpoint: p.endpoint,
        })),
      });
      expect(draws).toHaveLength(0);
      expect([sent.k, sent.n, sent.slot]).toEqual([c.derived.k, c.derived.n, c.derived.slot]);
      expect(sent.claims.every((x) => x.ok)).toBe(true);
      for (const r of c.records) expect(dns.values(r.name)).toContain(r.value);
      // Claims go out in parallel, so which scripted message id each got is
      // arbitrary: compare the packets after the 2-byte id.
      const claimPackets = dns.updates
        .slice(updatesBefore)
        .filter((u) => !u.signed)
        .map((u) => toHex(u.wire).slice(4));
      const expected = c.records
        .filter((r: any) => r.kind === 'claim')
        .map((r: any) => (r.update.request_wire_hex as string).slice(4));
      expect(claimPackets.sort()).toEqual([...expected].sort());
      state.close();
    });
  }
});
