/**
 * Scenario: every tsig.json case (reference UPDATE packets and the reference
 * server's answers) replayed at a live node over UDP.
 *
 * Set-up. Cases are grouped by their `server` (zone, keys, claim flags); one
 * node per group, its keys written into the node's sqlite with
 * `openNodeStores(…).tsigKeys.upsert` before start, claim flags passed as
 * DMP_CLAIM_PROVIDER / DMP_RECEIVER_CLAIM_NOTIFICATIONS. Each node also
 * holds an extra zone-wide key, `e2e-admin.<zone>.`, used only to put the
 * case's `store_before` in place (delete the involved RRsets, add the
 * values) through the node itself before the case runs; no case's outcome
 * depends on that key.
 *
 * Time. The vectors are signed in 2030 and the node checks time with the
 * system clock (there is no clock flag). Each node runs with its wall clock
 * stopped at NODE_NOW (./frozen-clock.mjs), and signed cases are re-signed
 * with `signWire` over the case's own `unsigned_wire_hex`, with the case's
 * key, at NODE_NOW − (server.now − time_signed): the skew the case was about
 * (0, 300 s, 301 s) is kept exactly, however late a loaded machine delivers
 * the packet. The tampered case re-signs
 * its source case and flips the same bit at the same offset. Unsigned
 * claims embed their own ts/exp, so a claim that verified at the case's
 * `now` is re-minted (same msg id, domain, slot, lifetime, owner, TTL,
 * message id; a fixed test sender key) at the current time; the stale
 * original is also sent and must be REFUSED. The case whose claim is not a
 * valid signature is sent as is and, additionally, as a fresh claim with a
 * corrupted signature.
 *
 * What is compared, per case:
 * - the RCODE: the reference's, except the documented deviations below;
 * - accepted/refused signed replies: our reply without its TSIG RR equals
 *   the reference's `expected_response.unsigned_wire_hex` byte for byte
 *   (RCODE nibble excepted for a deviation), and its TSIG verifies with our
 *   request MAC chained (RFC 8945 §5.3);
 * - TSIG failures (reference: bare 12-byte NOTAUTH): NOTAUTH with the
 *   RFC 8945 TSIG error (BADKEY / BADSIG / BADTIME), same ID and opcode;
 *   BADTIME replies signed, BADKEY/BADSIG unsigned;
 * - unsigned replies: byte for byte;
 * - the store afterwards, read back over DNS: every in-zone name of
 *   `store_before`/`store_after`/the update section holds exactly the
 *   `store_after` values.
 * `queries[]` are sent after putting their values in place: hits compare
 * byte for byte; the NXDOMAIN compares header, question and empty answer
 * (our negative answers add the SOA in authority).
 *
 * Deviations (docs/node.md): deleting an absent RRset is NOERROR here
 * (reference SERVFAIL); TSIG failures are RFC 8945 error replies.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signWire, verifyResponse } from '../../src/dns/tsig.js';
import type { TsigKey } from '../../src/dns/tsig-key.js';
import { Rcode, RRType, rcodeName } from '../../src/dns/wire/constants.js';
import type { DnsRecord } from '../../src/dns/wire/message.js';
import { encodeMessage } from '../../src/dns/wire/message.js';
import { lastRecordOffset } from '../../src/dns/wire/scan.js';
import { txtAdd, txtDeleteRRset, updateMessage } from '../../src/dns/wire/update.js';
import { openNodeStores } from '../../src/node/store/sqlite/node-stores.js';
import type { TsigKeyRecord } from '../../src/node/store/types.js';
import { ed25519PublicKey } from '../../src/protocol/crypto/ed25519.js';
import {
  parseAndVerifyClaimRecord,
  signClaimRecord,
} from '../../src/protocol/records/claim-record.js';
import { describeVectors, haveVectors, loadVectors } from '../interop/vectors.js';
import {
  cleanup,
  decode,
  type NodeProcess,
  REPO,
  replyMacVerifies,
  signedUpdate,
  startNode,
  tcpExchange,
  tcpTxt,
  tempDir,
  udpExchange,
} from './harness.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON vectors
type Json = any;

const file: Json = haveVectors ? loadVectors('tsig.json') : { cases: [], queries: [] };
const cases: Json[] = file.cases;

/** Reference RCODE → ours, where the node deliberately differs. */
const DEVIATIONS: Record<string, string> = {
  'delete of an RRset that does not exist': 'NOERROR',
};
const deviation = (c: Json): string | undefined =>
  Object.entries(DEVIATIONS).find(([prefix]) => c.description.startsWith(prefix))?.[1];

const CLAIM_PREFIX = 'v=dmp1;t=claim;';
const FUDGE = 300;
/** The second every node of this file believes it is (see "Time" above). */
const NODE_NOW = Math.floor(Date.now() / 1000);
const FROZEN_CLOCK = pathToFileURL(join(REPO, 'test/e2e/frozen-clock.mjs')).href;
const SENDER_SEED = createHash('sha256').update('dnsmesh-e2e/claim-sender').digest();

const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const canon = (n: string) => n.toLowerCase().replace(/\.+$/, '');
const sorted = (v: readonly string[]) => [...v].sort();

interface Group {
  readonly id: string;
  readonly zone: string;
  readonly keys: readonly TsigKeyRecord[];
  readonly claimProvider: boolean;
  readonly receiverClaims: boolean;
  node?: NodeProcess;
  admin?: TsigKey;
}

function keyRecord(name: string, secret: Uint8Array, suffixes: readonly string[]): TsigKeyRecord {
  return {
    name: `${canon(name)}.`,
    algorithm: 'hmac-sha256',
    secret,
    allowedSuffixes: suffixes,
    createdAt: NODE_NOW - 60,
    expiresAt: 0,
    revoked: false,
    subject: '',
    registeredSpk: '',
    registeredX25519Pub: '',
  };
}

/** The server a case describes (a tampered case inherits its source's). */
function serverOf(c: Json): Json {
  return c.server ?? cases[c.tampered_from_case].server;
}

function groupFor(c: Json, groups: Map<string, Group>): Group {
  const s = serverOf(c);
  const zone = canon(s.allowed_zones[0]);
  const keys: TsigKeyRecord[] = (s.keys ?? [])
    .filter((k: Json) => k.secret_hex !== null)
    .map((k: Json) => keyRecord(k.name, hex(k.secret_hex), k.allowed_suffixes ?? []));
  const claimProvider = s.claim_publish_enabled ?? true;
  const receiverClaims = s.receiver_claim_publish_enabled ?? false;
  const id = JSON.stringify({
    zone,
    keys: keys.map((k) => [k.name, Buffer.from(k.secret).toString('hex'), k.allowedSuffixes]),
    claimProvider,
    receiverClaims,
  });
  let g = groups.get(id);
  if (!g) {
    g = { id, zone, keys, claimProvider, receiverClaims };
    groups.set(id, g);
  }
  return g;
}

async function startGroup(g: Group): Promise<void> {
  const dataDir = await tempDir('dnsmesh-vectors-');
  const admin = keyRecord(`e2e-admin.${g.zone}`, new Uint8Array(randomBytes(32)), [g.zone]);
  const stores = openNodeStores(join(dataDir, 'dnsmesh.db'));
  try {
    for (const k of [...g.keys, admin]) stores.tsigKeys.upsert(k);
  } finally {
    stores.close();
  }
  g.admin = { name: admin.name, algorithm: admin.algorithm, secret: admin.secret };
  g.node = await startNode({
    dataDir,
    zone: g.zone,
    preload: [FROZEN_CLOCK],
    env: {
      DMP_CLAIM_PROVIDER: g.claimProvider ? '1' : '0',
      DMP_RECEIVER_CLAIM_NOTIFICATIONS: g.receiverClaims ? '1' : '0',
      DNSMESH_TEST_FROZEN_MS: String(NODE_NOW * 1000),
    },
  });
}

/** Puts exactly `values` at each name (through the node, with the admin key, over TCP). */
async function setStore(g: Group, entries: readonly [string, readonly string[]][]): Promise<void> {
  if (entries.length === 0) return;
  const updates: DnsRecord[] = [];
  for (const [name] of entries) updates.push(txtDeleteRRset(name));
  for (const [name, values] of entries)
    for (const v of values) updates.push(txtAdd(name, 86_400, v));
  const req = signedUpdate(g.admin!, g.zone, updates, { timeSigned: NODE_NOW });
  const [reply] = await tcpExchange(g.node!.port, [req.wire]);
  expect(rcodeName(decode(reply!).header.rcode), 'store set-up').toBe('NOERROR');
  for (const [name, values] of entries) {
    expect(sorted((await tcpTxt(g.node!.port, name)).values), `set-up of ${name}`).toEqual(
      sorted(values),
    );
  }
}

const inZone = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

/** In-zone owner names a case touches. */
function namesOf(c: Json, zone: string): string[] {
  const s = serverOf(c);
  const names = new Set<string>();
  for (const [n] of [...(s.store_before ?? []), ...(s.store_after ?? [])]) names.add(canon(n));
  const ops = c.request?.update_ops ?? cases[c.tampered_from_case]?.request?.update_ops ?? [];
  for (const op of ops) names.add(canon(op.name));
  return [...names].filter((n) => inZone(n, zone));
}

/** Parses a claim TXT value's body fields (core.md claim layout). */
function claimFields(value: string) {
  const blob = Buffer.from(value.slice(CLAIM_PREFIX.length), 'base64');
  const d = blob[55]!;
  const slotAt = 56 + d;
  return {
    msgId: new Uint8Array(blob.subarray(7, 23)),
    domain: blob.subarray(56, slotAt).toString('utf8'),
    slot: blob[slotAt]!,
    lifetime: Number(blob.readBigUInt64BE(slotAt + 9) - blob.readBigUInt64BE(slotAt + 1)),
  };
}

function freshClaim(value: string, now: number): string {
  const f = claimFields(value);
  return signClaimRecord(
    {
      msgId: f.msgId,
      senderSpk: ed25519PublicKey(SENDER_SEED),
      senderMailboxDomain: f.domain,
      slot: f.slot,
      ts: now,
      exp: now + f.lifetime,
    },
    SENDER_SEED,
  );
}

/** The case's unsigned claim UPDATE rebuilt around `value` (same id, zone, owner, TTL). */
function claimUpdate(c: Json, value: string): Uint8Array {
  return encodeMessage(
    updateMessage({
      id: c.client.dns_message_id,
      zone: c.client.zone,
      updates: [txtAdd(c.client.name, c.client.ttl, value)],
    }),
  );
}

/** The reply without its TSIG RR (ARCOUNT decremented), as hex. */
function withoutTsig(reply: Uint8Array): string {
  const offset = lastRecordOffset(reply)!;
  const out = Buffer.from(reply.subarray(0, offset));
  out.writeUInt16BE(out.readUInt16BE(10) - 1, 10);
  return out.toString('hex');
}

const maskRcode = (h: string) => `${h.slice(0, 7)}0${h.slice(8)}`;

function expectedTsigError(c: Json): number | undefined {
  if (c.expected_response?.rcode !== 'NOTAUTH' || !c.request?.signed_wire_hex) return undefined;
  if (c.expected_response.wire_hex.length !== 24) return undefined; // a signed NOTAUTH, not the stub
  if (c.tampered_from_case !== undefined) return Rcode.BADSIG;
  const s = c.server;
  const held = (s.keys ?? []).find((k: Json) => canon(k.name) === canon(c.client.key_name));
  if (!held || held.secret_hex === null) return Rcode.BADKEY;
  if (held.secret_hex !== c.client.secret_hex) return Rcode.BADSIG;
  if (Math.abs(s.now - c.client.time_signed) > FUDGE) return Rcode.BADTIME;
  throw new Error(`cannot tell why case "${c.description}" fails TSIG`);
}

describeVectors('vectors-tsig-replayed-live', () => {
  const groups = new Map<string, Group>();
  const replayable = cases.filter((c) => c.request !== null && c.expected_response);
  for (const c of replayable) groupFor(c, groups);

  beforeAll(async () => {
    await Promise.all([...groups.values()].map(startGroup));
  });
  afterAll(cleanup);

  it('the vector file has cases to replay', () => {
    expect(replayable.length).toBeGreaterThan(0);
  });

  cases.forEach((c: Json, index: number) => {
    const label = `#${index} ${c.description}`;
    if (c.request === null || !c.expected_response) {
      // The reference writer refused to build this request, so there is nothing to replay.
      it(`${label} (no request: the reference refused to build it)`, () => {
        expect(c.request === null || !c.expected_response).toBe(true);
      });
      return;
    }
    it(label, async () => {
      const g = groupFor(c, groups);
      const node = g.node!;
      const s = serverOf(c);
      const names = namesOf(c, g.zone);
      const before = new Map<string, string[]>(
        (s.store_before ?? []).map(([n, v]: [string, string[]]) => [canon(n), v]),
      );
      await setStore(
        g,
        names.map((n) => [n, before.get(n) ?? []]),
      );

      const expected = c.expected_response;
      const failure = expectedTsigError(c);
      const ours = deviation(c) ?? expected.rcode;
      const source = c.tampered_from_case !== undefined ? cases[c.tampered_from_case] : c;
      const signedCase = Boolean(source.request.signed_wire_hex);
      /** A re-minted claim stands in for the vector's value in `store_after`. */
      const substitute = new Map<string, string>();

      if (signedCase) {
        const key: TsigKey = {
          name: source.client.key_name,
          algorithm: 'hmac-sha256',
          secret: hex(source.client.secret_hex),
        };
        const skew = s.now - source.client.time_signed;
        const now = NODE_NOW;
        const signed = signWire(hex(source.request.unsigned_wire_hex), key, {
          timeSigned: now - skew,
        });
        const wire = Buffer.from(signed.wire);
        if (c.tampered_from_case !== undefined) {
          // Same bit flip as the vector, at the same offset.
          const at = c.tampered_offset as number;
          wire[at]! ^=
            hex(c.request.signed_wire_hex)[at]! ^ hex(source.request.signed_wire_hex)[at]!;
        }
        const reply = await udpExchange(node.port, wire, { attempts: 2 });
        expect(reply, 'a reply').toBeDefined();
        const m = decode(reply!);
        expect(m.header.id).toBe((wire[0]! << 8) | wire[1]!);
        expect(rcodeName(m.header.rcode)).toBe(ours);
        const tsig = m.additionals.at(-1);
        expect(tsig?.type).toBe(RRType.TSIG);
        if (tsig?.data.kind !== 'TSIG') throw new Error('no TSIG in the reply');
        if (failure !== undefined) {
          expect(m.header.opcode).toBe(5);
          expect(rcodeName(tsig.data.error)).toBe(rcodeName(failure));
          if (failure === Rcode.BADTIME) {
            expect(replyMacVerifies(reply!, key, signed.mac)).toBe(true);
          } else {
            expect(tsig.data.mac).toHaveLength(0);
          }
        } else {
          expect(tsig.data.error).toBe(0);
          expect(verifyResponse(reply!, key, signed.mac, NODE_NOW).status).toBe('ok');
          const want = expected.unsigned_wire_hex as string;
          if (deviation(c)) expect(maskRcode(withoutTsig(reply!))).toBe(maskRcode(want));
          else expect(withoutTsig(reply!)).toBe(want);
        }
      } else {
        const original = hex(c.request.unsigned_wire_hex);
        const value: string | undefined = c.client?.value;
        const isClaim = value?.startsWith(CLAIM_PREFIX) ?? false;
        const verifiedThen = isClaim && parseAndVerifyClaimRecord(value!, s.now).ok;
        if (verifiedThen) {
          // The 2030 claim is forward-dated today: refused whatever the config.
          const stale = await udpExchange(node.port, original, { attempts: 2 });
          expect(rcodeName(decode(stale!).header.rcode), 'stale claim').toBe('REFUSED');
          await setStore(
            g,
            names.map((n) => [n, before.get(n) ?? []]),
          );
          const fresh = freshClaim(value!, NODE_NOW);
          substitute.set(value!, fresh);
          const reply = await udpExchange(node.port, claimUpdate(c, fresh), { attempts: 2 });
          expect(rcodeName(decode(reply!).header.rcode)).toBe(ours);
          expect(Buffer.from(reply!).toString('hex')).toBe(expected.wire_hex);
        } else {
          const reply = await udpExchange(node.port, original, { attempts: 2 });
          expect(rcodeName(decode(reply!).header.rcode)).toBe(ours);
          expect(Buffer.from(reply!).toString('hex')).toBe(expected.wire_hex);
          if (isClaim) {
            // Also a fresh claim whose signature is broken: still refused.
            const fresh = freshClaim(value!, NODE_NOW);
            const blob = Buffer.from(fresh.slice(CLAIM_PREFIX.length), 'base64');
            blob[blob.length - 1]! ^= 0x01;
            const broken = CLAIM_PREFIX + blob.toString('base64');
            const r2 = await udpExchange(node.port, claimUpdate(c, broken), { attempts: 2 });
            expect(rcodeName(decode(r2!).header.rcode)).toBe(ours);
          }
        }
      }

      // The store afterwards, for every in-zone name the case involves.
      const after = new Map<string, string[]>(
        (s.store_after ?? []).map(([n, v]: [string, string[]]) => [canon(n), v]),
      );
      for (const name of names) {
        expect(sorted((await tcpTxt(node.port, name)).values), `store after: ${name}`).toEqual(
          sorted((after.get(name) ?? []).map((v) => substitute.get(v) ?? v)),
        );
      }
    });
  });

  (file.queries as Json[]).forEach((q: Json) => {
    it(`query: ${q.description}`, async () => {
      const g =
        [...groups.values()].find((x) => x.keys.length > 0 && x.claimProvider) ??
        [...groups.values()][0]!;
      const query = hex(q.query_wire_hex);
      const name = canon(decode(query).questions[0]!.name);
      const values = (q.expected_answer_strings_hex as string[][]).map((strings) =>
        Buffer.concat(strings.map((h) => Buffer.from(h, 'hex'))).toString('utf8'),
      );
      await setStore(g, [[name, values]]);
      const reply = await udpExchange(g.node!.port, query, { attempts: 2 });
      expect(reply).toBeDefined();
      const m = decode(reply!);
      expect(rcodeName(m.header.rcode)).toBe(q.expected_rcode);
      if (q.expected_rcode === 'NOERROR') {
        expect(Buffer.from(reply!).toString('hex')).toBe(q.expected_response_wire_hex);
        expect(m.answers.map((a) => a.ttl)).toEqual(q.expected_answer_ttl);
      } else {
        const want = decode(hex(q.expected_response_wire_hex));
        expect(m.header).toEqual(want.header);
        expect(m.questions).toEqual(want.questions);
        expect(m.answers).toEqual([]);
        expect(m.authorities.map((a) => a.type)).toEqual([RRType.SOA]);
      }
    });
  });
});
