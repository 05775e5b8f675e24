/**
 * Scenario: what the reference client published for each send.json case is
 * received by our CLI. Every record of every case (message chunks, slot
 * manifests, claims, and the setup records: identities, prekeys) is written
 * straight into the store of the node serving its zone — mesh.test,
 * bob.test, carol.test — before the nodes start; unbound stubs the three
 * zones. The recipient is then set up the way a user would: `init`, the
 * vector's kdf_salt put into config.yaml, the vector's passphrase in
 * DMP_PASSPHRASE (the CLI derives the keys; `identity show` must print the
 * vector's), the sender pinned with `identity fetch … --add`, and — where a
 * case used a one-time prekey — that prekey's private half put into the
 * CLI's state.db as `identity refresh-prekeys` would have. `recv` must print
 * each case's plaintext, timestamp, id and sender, and consume the prekey
 * (gone locally and from the node, deleted over the node's HTTP API).
 *
 * The vectors are pinned to 2030-01-01; the CLI runs with a preload that
 * shifts its clock to each case's `verify_now` (`cli-fake-clock.mjs`). The
 * provider.test claim of case c is not served (no node for that zone): the
 * own-zone claim of the same message is.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localTime, shortKey } from '../../src/cli/message-format.js';
import { openClientState } from '../../src/client/state/sqlite-state.js';
import { openNodeStores } from '../../src/node/store/sqlite/node-stores.js';
import { fromHex } from '../../src/protocol/bytes.js';
import { describeVectors, loadVectors } from '../interop/vectors.js';
import {
  type CliUser,
  FAKE_CLOCK,
  type MeshNode,
  makeUser,
  nodeRecords,
  OPERATOR_TOKEN,
  type Recursor,
  type RecvMessage,
  startMeshNode,
  startUnbound,
} from './cli-harness.js';
import { cleanup, describeWith, tempDir } from './harness.js';

interface VectorRecord {
  readonly name: string;
  readonly value: string;
  readonly ttl: number;
}

const ZONES = ['mesh.test', 'bob.test', 'carol.test'];

describeVectors('cli-send-json-vectors', () => {
  // biome-ignore lint/suspicious/noExplicitAny: vector JSON
  const cases = loadVectors('send.json').cases as any[];
  const recipient = cases[0].inputs.recipient;
  const recipientKeys = cases[0].inputs.recipient_keys;
  const verifyNow: number = cases[0].receive.verify_now;
  for (const c of cases) {
    // One passphrase, one salt, one clock for all cases: one recipient per zone can take them all.
    expect(c.inputs.recipient.passphrase).toBe(recipient.passphrase);
    expect(c.inputs.recipient.kdf_salt_hex).toBe(recipient.kdf_salt_hex);
    expect(c.receive.verify_now).toBe(verifyNow);
  }

  describeWith(['dig', 'unbound'], 'received by the CLI', () => {
    const nodes = new Map<string, MeshNode>();
    let unbound: Recursor;
    /** The recipient's CLI home for each of its zones. */
    const homes = new Map<string, CliUser>();
    const received = new Map<string, RecvMessage>();
    let textOutput = '';
    let meshStderr = '';

    const zoneOf = (name: string) => ZONES.find((z) => name === z || name.endsWith(`.${z}`));

    beforeAll(async () => {
      // Pre-load each zone's store, then start its node on it.
      const byZone = new Map<string, VectorRecord[]>(ZONES.map((z) => [z, []]));
      for (const c of cases) {
        for (const r of [...c.setup_records, ...c.records] as VectorRecord[]) {
          const zone = zoneOf(r.name);
          if (zone !== undefined) byZone.get(zone)!.push(r);
        }
      }
      await Promise.all(
        ZONES.map(async (zone) => {
          const dataDir = await tempDir(`dnsmesh-vectors-${zone}-`);
          const stores = openNodeStores(join(dataDir, 'dnsmesh.db'));
          const now = Math.floor(Date.now() / 1000);
          try {
            stores.records.apply(
              byZone
                .get(zone)!
                .map((r) => ({ kind: 'add', name: r.name, value: r.value, ttl: r.ttl })),
              now,
            );
          } finally {
            stores.close();
          }
          const node = await startMeshNode(zone, { dataDir });
          expect(node.dbPath).toBe(join(dataDir, 'dnsmesh.db'));
          nodes.set(zone, node);
        }),
      );
      unbound = await startUnbound(ZONES.map((zone) => ({ zone, port: nodes.get(zone)!.port })));

      // The recipient, once per zone it has mail in.
      for (const zone of ['mesh.test', 'bob.test']) {
        const node = nodes.get(zone)!;
        const user = await makeUser(recipient.username, {
          passphrase: recipient.passphrase,
          preload: [FAKE_CLOCK],
          env: { DNSMESH_TEST_NOW_MS: String(verifyNow * 1000) },
        });
        await user.ok([
          'init',
          recipient.username,
          '--domain',
          zone,
          '--endpoint',
          node.endpoint,
          '--http-token',
          OPERATOR_TOKEN,
          '--dns-resolvers',
          `127.0.0.1:${unbound.port}`,
          '--no-probe-local-dns',
        ]);
        await user.editConfig((config) => {
          config.kdf_salt = recipient.kdf_salt_hex;
          // init recorded the key of its own salt; a restored salt starts the tripwire afresh.
          config.verify_pubkey = '';
          // No first-contact providers (no node for provider.test).
          config.claim_provider_override = 'http://127.0.0.1:9';
          config.claim_provider_zone = '';
        });
        homes.set(zone, user);
      }
    });
    afterAll(cleanup);

    it('the CLI derives the vector recipient’s keys from passphrase + kdf_salt', async () => {
      for (const user of homes.values()) {
        const show = JSON.parse((await user.ok(['identity', 'show', '--json'])).stdout);
        expect(show).toMatchObject({
          username: recipient.username,
          public_key: recipientKeys.x25519_public_hex,
          signing_public_key: recipientKeys.ed25519_public_hex,
          user_id: recipientKeys.user_id_hex,
        });
      }
    });

    it('identity fetch --add pins each sender from the records the reference published', async () => {
      const mesh = homes.get('mesh.test')!;
      const a = await mesh.ok(['identity', 'fetch', 'alice', '--add']);
      expect(a.stdout).toContain(
        `signing_public_key: ${cases[0].receive.pinned_sender_ed25519_public_hex}\n`,
      );
      const bob = homes.get('bob.test')!;
      const e = cases.find((c) => c.id === 'e-cross-zone-prekey-v2');
      const carol = await bob.ok(['identity', 'fetch', 'carol@carol.test', '--add']);
      expect(carol.stdout).toContain(
        `signing_public_key: ${e.receive.pinned_sender_ed25519_public_hex}\n`,
      );
    });

    it('recv receives every case (prekeys placed in state.db as refresh-prekeys would)', async () => {
      for (const c of cases) {
        if (!c.inputs.prekey) continue;
        const state = openClientState(homes.get(c.inputs.recipient.domain)!.configHome);
        try {
          state.prekeys.insert([
            {
              prekeyId: c.inputs.prekey.prekey_id,
              privateKey: fromHex(c.receive.prekey_private_hex),
              publicKey: fromHex(c.inputs.prekey.public_hex),
              exp: c.inputs.prekey.exp,
              createdAt: c.inputs.now,
              publishedValue: c.inputs.prekey.record_value,
            },
          ]);
        } finally {
          state.close();
        }
      }
      const mesh = await homes.get('mesh.test')!.ok(['recv', '--json']);
      meshStderr = mesh.stderr;
      for (const m of JSON.parse(mesh.stdout).messages as RecvMessage[]) received.set(m.msg_id, m);
      const text = await homes.get('bob.test')!.ok(['recv']);
      expect(text.stderr).toBe('');
      textOutput = text.stdout;
      expect(received.size + (textOutput.match(/^from /gm)?.length ?? 0)).toBe(cases.length);
    });

    for (const c of cases) {
      it(`${c.id}: plaintext, timestamp and sender as the reference sent them`, () => {
        const rcv = c.receive;
        if (c.inputs.recipient.domain === 'bob.test') {
          expect(textOutput).toBe(
            [
              `from carol@carol.test (${shortKey(fromHex(rcv.pinned_sender_ed25519_public_hex))}) at ${localTime(rcv.expected_timestamp)}`,
              `  ${rcv.expected_plaintext_utf8}`,
              '',
              '',
            ].join('\n'),
          );
          return;
        }
        const m = received.get(rcv.expected_msg_id_hex);
        expect(m, `no message ${rcv.expected_msg_id_hex}`).toBeDefined();
        expect(m!.text).toBe(rcv.expected_plaintext_utf8);
        expect(Buffer.from(m!.text!, 'utf8').toString('hex')).toBe(rcv.expected_plaintext_hex);
        expect(m!.ts).toBe(rcv.expected_timestamp);
        expect(m!.sender_spk).toBe(rcv.pinned_sender_ed25519_public_hex);
        expect(m!.sender_label).toBe(
          rcv.expected_sender_label === '' ? null : rcv.expected_sender_label,
        );
        expect(m!.contact).toBe('alice');
      });

      if (c.inputs.prekey) {
        it(`${c.id}: the one-time prekey is consumed, locally and at the node`, () => {
          const zone = c.inputs.recipient.domain;
          const state = openClientState(homes.get(zone)!.configHome);
          try {
            expect(state.prekeys.has(c.inputs.prekey.prekey_id)).toBe(false);
          } finally {
            state.close();
          }
          const left = nodeRecords(nodes.get(zone)!).filter(
            (r) => r.name === c.inputs.prekey.record_name,
          );
          expect(left.map((r) => r.value)).not.toContain(c.inputs.prekey.record_value);
        });
      }
    }

    // Receiving case c (36 chunks, read 16 at a time) adds more than ten abort
    // listeners to recv's one AbortSignal; Node then prints
    // "MaxListenersExceededWarning: Possible EventTarget memory leak detected"
    // on stderr. Reported with a one-line patch (setMaxListeners in recv.ts).
    it('recv of a many-chunk message leaves stderr clean', () => {
      expect(meshStderr).toBe('');
    });

    it('a second recv delivers nothing', async () => {
      for (const user of homes.values()) {
        expect((await user.ok(['recv'])).stdout).toBe('(no new messages)\n');
      }
    });
  });
});
