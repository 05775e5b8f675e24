/**
 * Golden vectors replayed through the whole responder.
 *
 * tsig.json: every case with a request is sent to a node configured as the
 * case's `server` (zone, keys with their scopes, claim flags, `now`,
 * `store_before`). What is compared:
 * * answers the reference gave and we give alike (accepted, refused,
 *   NOTAUTH/NOTZONE, claims): the response **bytes**, TSIG MAC included;
 * * TSIG failures (bad time / wrong secret / unknown key / tampered): the
 *   reference sent a bare 12-octet NOTAUTH header, we send the RFC 8945
 *   form, so the outcome class is compared — RCODE NOTAUTH, the TSIG error
 *   (BADTIME / BADSIG / BADKEY) and that nothing was stored;
 * * the delete of an absent RRset, where the reference said SERVFAIL and we
 *   say NOERROR (RFC 2136): the RCODE and a verifying signature;
 * * the store contents afterwards equal `store_after` wherever given.
 * `queries[]` are answered byte for byte.
 *
 * names.json: `server_claim_owner` (which owners the unsigned claim path
 * accepts, and the recipient hash it rate-limits by) and `name_under_zone`
 * (which names the node answers authoritatively).
 */
import { expect, it } from 'vitest';
import { verifyResponse } from '../../../src/dns/tsig.js';
import { Rcode, RRType, rcodeName } from '../../../src/dns/wire/constants.js';
import { encodeMessage } from '../../../src/dns/wire/message.js';
import { txtAdd } from '../../../src/dns/wire/update.js';
import { compileResponderConfig } from '../../../src/node/dns/responder-config.js';
import type { TsigKeyRecord } from '../../../src/node/store/types.js';
import { fromHex, toHex } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import { sha256 } from '../../../src/protocol/crypto/hash.js';
import { signClaimRecord } from '../../../src/protocol/records/claim-record.js';
import { describeVectors, haveVectors, loadVectors } from '../../interop/vectors.js';
import { config, decode, keyRecord, makeNode, queryMessage, T0, update } from './fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON vectors
type Json = any;

const tsigFile: Json = haveVectors ? loadVectors('tsig.json') : { cases: [], queries: [] };
const namesFile: Json = haveVectors ? loadVectors('names.json') : { cases: [] };

/** Where the RFC 8945 form replaces the reference's bare stub: expected TSIG error by case. */
const TSIG_FAILURES: Record<string, number> = {
  'server clock 301 s after time signed': Rcode.BADTIME,
  'server holds a different secret': Rcode.BADSIG,
  'server does not know the key name': Rcode.BADKEY,
  'tampered copy of the add request': Rcode.BADSIG,
};

function tsigFailure(c: Json): number | undefined {
  const hit = Object.keys(TSIG_FAILURES).find((d) => c.description.startsWith(d));
  return hit === undefined ? undefined : TSIG_FAILURES[hit];
}

const absentDelete = (c: Json) =>
  c.description.startsWith('delete of an RRset that does not exist');

function serverNode(c: Json) {
  const s = c.server;
  const keys: TsigKeyRecord[] = (s.keys ?? [])
    .filter((k: Json) => k.secret_hex !== null)
    .map((k: Json) =>
      keyRecord({
        name: k.name,
        secret: fromHex(k.secret_hex),
        allowedSuffixes: k.allowed_suffixes,
      }),
    );
  const node = makeNode(
    config({
      zone: s.allowed_zones[0],
      apex: { a: undefined, aaaa: undefined, ns: undefined, soaRname: undefined },
      update: {
        claimProvider: s.claim_publish_enabled ?? true,
        receiverClaims: s.receiver_claim_publish_enabled ?? false,
      },
    }),
    {},
    keys,
  );
  node.now = s.now;
  for (const [name, values] of s.store_before) {
    for (const value of values) node.stores.records.publish(name, value, 86_400, s.now - 1);
  }
  return node;
}

const replayable: [string, Json][] = tsigFile.cases
  .map((c: Json, i: number) => [`#${i} ${c.description}`, c])
  .filter(([, c]: [string, Json]) => c.request !== null && c.expected_response);

describeVectors('tsig.json through the responder', () => {
  it.each(replayable)('%s', (_label: Json, c: Json) => {
    const node = serverNode(c);
    try {
      const wireHex = c.request.signed_wire_hex ?? c.request.unsigned_wire_hex;
      const response = node.send(fromHex(wireHex))!;
      const reply = decode(response.wire);
      const expected = c.expected_response;
      const failure = tsigFailure(c);
      if (failure !== undefined) {
        expect(rcodeName(response.rcode)).toBe('NOTAUTH');
        const tsig = reply.additionals.at(-1)!;
        expect(tsig.type).toBe(RRType.TSIG);
        expect(tsig.data.kind === 'TSIG' && tsig.data.error).toBe(failure);
      } else if (absentDelete(c)) {
        expect(expected.rcode).toBe('SERVFAIL');
        expect(response.rcode).toBe(Rcode.NOERROR);
        const mac = fromHex(c.request.tsig.mac_hex);
        const key = {
          name: c.client.key_name,
          algorithm: 'hmac-sha256',
          secret: fromHex(c.client.secret_hex),
        };
        expect(verifyResponse(response.wire, key, mac, c.server.now).status).toBe('ok');
      } else {
        expect(rcodeName(response.rcode)).toBe(expected.rcode);
        expect(toHex(response.wire)).toBe(expected.wire_hex);
      }
      const names = new Set<string>(
        [...c.server.store_before, ...c.server.store_after].map(([n]: [string]) => n),
      );
      const after = new Map<string, string[]>(c.server.store_after);
      for (const name of names) {
        expect(node.stores.records.query(name, c.server.now)).toEqual(after.get(name) ?? []);
      }
    } finally {
      node.close();
    }
  });

  it.each(tsigFile.queries.map((q: Json) => [q.description, q]) as [string, Json][])(
    '%s',
    (_label: Json, q: Json) => {
      const node = makeNode(
        config({ zone: 'mesh.test', apex: { soaRname: undefined, ns: undefined } }),
      );
      try {
        const question = decode(fromHex(q.query_wire_hex)).questions[0]!;
        for (const strings of q.expected_answer_strings_hex) {
          const value = Buffer.concat(strings.map((h: string) => Buffer.from(h, 'hex'))).toString(
            'utf8',
          );
          node.stores.records.publish(question.name, value, 86_400, T0);
        }
        const response = node.send(fromHex(q.query_wire_hex))!;
        expect(rcodeName(response.rcode)).toBe(q.expected_rcode);
        expect(toHex(response.wire)).toBe(q.expected_response_wire_hex);
      } finally {
        node.close();
      }
    },
  );
});

describeVectors('names.json through the responder', () => {
  const seed = sha256(new TextEncoder().encode('vectors-claim'));
  const value = signClaimRecord(
    {
      msgId: new Uint8Array(16),
      senderSpk: ed25519PublicKey(seed),
      senderMailboxDomain: 'sender.example',
      slot: 4,
      ts: T0,
      exp: T0 + 300,
    },
    seed,
  );

  const claimOwners = namesFile.cases.filter((c: Json) => c.kind === 'server_claim_owner');
  it.each(claimOwners.map((c: Json) => [c.owner, c]) as [string, Json][])(
    'claim owner %s',
    (_o: Json, c: Json) => {
      const keys: string[] = [];
      const node = makeNode(config({ zone: c.zone }), {
        claimLimiter: {
          allow: (k) => {
            keys.push(k);
            return true;
          },
        },
      });
      try {
        const response = node.send(encodeMessage(update([txtAdd(c.owner, 300, value)], c.zone)))!;
        const accepted = response.rcode === Rcode.NOERROR;
        expect(accepted).toBe(c.expected_hash12 !== null);
        // Buckets are per (sender network, recipient): the recipient is after the `|`.
        expect(keys.map((k) => k.slice(k.indexOf('|') + 1))).toEqual(
          accepted ? [c.expected_hash12] : [],
        );
      } finally {
        node.close();
      }
    },
  );

  const underZone = namesFile.cases.filter((c: Json) => c.kind === 'name_under_zone');
  it.each(underZone.map((c: Json) => [`${c.owner} in ${c.zone}`, c]) as [string, Json][])(
    '%s',
    (_l: Json, c: Json) => {
      if (c.zone === '') {
        expect(() => compileResponderConfig(config({ zone: c.zone }))).toThrow(RangeError);
        return;
      }
      const node = makeNode(config({ zone: c.zone }));
      try {
        const reply = decode(node.send(encodeMessage(queryMessage(c.owner, RRType.TXT)))!.wire);
        expect(reply.header.aa).toBe(c.expected);
        expect(reply.header.rcode === Rcode.REFUSED).toBe(!c.expected);
      } finally {
        node.close();
      }
    },
  );
});
