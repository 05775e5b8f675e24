/**
 * tsig.json: RFC 2136 UPDATE + RFC 8945 TSIG packets built by the reference
 * client and the reference server's answers. Every case is replayed through
 * the codec, the signer and the verifier; nothing here depends on particular
 * values in the vectors.
 */
import { expect, it } from 'vitest';
import {
  signMessage,
  signResponse,
  signWire,
  type TsigVerification,
  tsigFailureStub,
  verifyRequest,
  verifyResponse,
} from '../../src/dns/tsig.js';
import {
  createTsigKeyring,
  type TsigKey,
  type TsigMacFields,
  tsigMacInput,
} from '../../src/dns/tsig-key.js';
import { RRClass, RRType, rcodeName } from '../../src/dns/wire/constants.js';
import {
  type DnsMessage,
  type DnsRecord,
  decodeMessage,
  encodeMessage,
} from '../../src/dns/wire/message.js';
import { canonicalName } from '../../src/dns/wire/name.js';
import { txtBytes, txtRdata, txtValue } from '../../src/dns/wire/txt.js';
import {
  classifyUpdate,
  txtAdd,
  txtDelete,
  txtDeleteRRset,
  updateMessage,
  updateSections,
} from '../../src/dns/wire/update.js';
import { fromHex, toHex, utf8 } from '../../src/protocol/bytes.js';
import { hmacSha256 } from '../../src/protocol/crypto/hash.js';
import { describeVectors, haveVectors, loadVectors } from './vectors.js';

type Json = any;

const file: Json = haveVectors ? loadVectors('tsig.json') : { cases: [], queries: [] };
const cases: [string, Json][] = file.cases.map((c: Json, i: number) => [
  `#${i} ${c.description}`,
  c,
]);
const signedCases = cases.filter(([, c]) => c.request?.signed_wire_hex);

function decode(hex: string): DnsMessage {
  const res = decodeMessage(fromHex(hex));
  if (!res.ok) throw new Error(`${res.code}: ${res.detail}`);
  return res.value;
}

/** Our names carry no trailing dot; vector wire names do. */
const absolute = (name: string) => (name === '.' ? '.' : `${name}.`);

const VECTOR_OP: Record<string, string> = {
  add: 'add',
  'delete-rr': 'delete_rr',
  'delete-rrset': 'delete_rrset',
};

function clientKey(c: Json): TsigKey {
  return {
    name: c.client.key_name,
    algorithm: c.client.algorithm,
    secret: fromHex(c.client.secret_hex),
  };
}

/** The keys the server holds; entries with a null secret model "key unknown to the server". */
function serverKeys(c: Json): TsigKey[] {
  return (c.server?.keys ?? [])
    .filter((k: Json) => k.secret_hex !== null)
    .map((k: Json) => ({ name: k.name, algorithm: 'hmac-sha256', secret: fromHex(k.secret_hex) }));
}

function macFields(t: Json): TsigMacFields {
  return {
    keyName: t.key_name,
    algorithm: t.algorithm,
    timeSigned: t.time_signed,
    fudge: t.fudge,
    originalId: t.original_id,
    error: t.error,
    other: fromHex(t.other_hex),
  };
}

/** Update RRs described by `request.update_ops`. */
function opsToRecords(ops: Json[]): DnsRecord[] {
  return ops.map((op) => {
    expect(op.rdtype).toBe('TXT');
    const strings = (op.strings_hex ?? []).map(fromHex);
    const cls = { add: RRClass.IN, delete_rr: RRClass.NONE, delete_rrset: RRClass.ANY }[
      op.op as string
    ];
    if (cls === undefined) throw new Error(`unknown op ${op.op}`);
    return {
      name: op.name,
      type: RRType.TXT,
      class: cls,
      ttl: op.ttl,
      data: { kind: 'TXT', strings },
    };
  });
}

/** Update RR for the reference writer call described by `client`. */
function clientOpRecord(client: Json): DnsRecord {
  if (client.operation === 'add') return txtAdd(client.name, client.ttl, client.value);
  if (client.operation !== 'delete') throw new Error(`unknown operation ${client.operation}`);
  return client.value === null ? txtDeleteRRset(client.name) : txtDelete(client.name, client.value);
}

function expectUpdateOps(msg: DnsMessage, ops: Json[]): void {
  const { zone, prerequisites, updates } = updateSections(msg);
  expect(msg.header.opcode).toBe(5);
  expect(zone).toHaveLength(1);
  expect(zone[0]!.type).toBe(RRType.SOA);
  expect(prerequisites).toHaveLength(0);
  expect(updates).toHaveLength(ops.length);
  updates.forEach((rr, i) => {
    const op = ops[i];
    expect(absolute(rr.name)).toBe(op.name);
    expect(VECTOR_OP[classifyUpdate(rr)]).toBe(op.op);
    expect(rr.ttl).toBe(op.ttl);
    expect(rr.type).toBe(RRType.TXT);
    if (rr.data.kind !== 'TXT') throw new Error(`TXT expected, got ${rr.data.kind}`);
    expect(rr.data.strings.map(toHex)).toEqual(op.strings_hex ?? []);
    if (op.value !== null) expect(txtValue(rr.data)).toBe(op.value);
  });
}

/**
 * The verifier outcome a case documents: signed response → ok; NOTAUTH stub →
 * BADKEY when the server lacks the key, BADTIME when the server holds the
 * client's secret for an untampered request (only the clock can fail), else
 * BADSIG.
 */
function expectedVerification(c: Json): string {
  if (c.expected_response.tsig) return 'ok';
  const keyName = c.request.tsig?.key_name ?? c.client?.key_name;
  const held = (c.server.keys ?? []).find(
    (k: Json) =>
      k.secret_hex !== null &&
      (keyName === undefined || canonicalName(k.name) === canonicalName(keyName)),
  );
  if (held === undefined) return 'BADKEY';
  if (c.tampered_from_case == null && c.client?.secret_hex === held.secret_hex) return 'BADTIME';
  return 'BADSIG';
}

function verifyCase(c: Json): TsigVerification {
  return verifyRequest(
    fromHex(c.request.signed_wire_hex),
    createTsigKeyring(serverKeys(c)),
    c.server.now,
  );
}

describeVectors('tsig.json', () => {
  it('has cases and queries', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect(file.queries.length).toBeGreaterThan(0);
    expect(file.facts.tsig).toContain('hmac-sha256');
  });

  it.each(cases)('%s: every wire decodes and re-encodes byte-identically', (_, c) => {
    const wires = [
      c.request?.unsigned_wire_hex,
      c.request?.signed_wire_hex,
      c.expected_response?.unsigned_wire_hex,
      c.expected_response?.wire_hex,
    ].filter((w): w is string => typeof w === 'string');
    if (c.request === null) expect(wires).toHaveLength(0);
    else expect(wires.length).toBeGreaterThan(0);
    for (const hex of wires) expect(toHex(encodeMessage(decode(hex)))).toBe(hex);
  });

  it.each(cases)('%s: request sections carry the documented update ops', (_, c) => {
    if (c.request === null) {
      // The reference writer refused (value > 255 octets); ours splits it instead.
      const rr = clientOpRecord(c.client);
      expect(c.writer_result).toBe(false);
      expect(utf8(c.client.value).length).toBeGreaterThan(255);
      if (rr.data.kind !== 'TXT') throw new Error('TXT expected');
      expect(rr.data.strings.length).toBeGreaterThan(1);
      expect(rr.data.strings.slice(0, -1).every((s) => s.length === 255)).toBe(true);
      const round = decode(
        toHex(encodeMessage(updateMessage({ id: 1, zone: c.client.zone, updates: [rr] }))),
      );
      expectUpdateOps(round, [
        {
          name: absolute(c.client.name),
          op: 'add',
          ttl: c.client.ttl,
          value: c.client.value,
          rdtype: 'TXT',
          strings_hex: rr.data.strings.map(toHex),
        },
      ]);
      return;
    }
    const wires = [c.request.unsigned_wire_hex, c.request.signed_wire_hex].filter(Boolean);
    expect(wires.length).toBeGreaterThan(0);
    for (const hex of wires) {
      const msg = decode(hex);
      if (c.request.update_ops) expectUpdateOps(msg, c.request.update_ops);
      else expect(msg.header.opcode).toBe(5);
    }
  });

  it.each(cases.filter(([, c]) => c.request?.update_ops))(
    '%s: the unsigned request rebuilds from its ops and from the client call',
    (_, c) => {
      const id = c.client.dns_message_id;
      const fromOps = updateMessage({
        id,
        zone: c.client.zone,
        updates: opsToRecords(c.request.update_ops),
      });
      expect(toHex(encodeMessage(fromOps))).toBe(c.request.unsigned_wire_hex);
      if (c.client.operation !== undefined) {
        const fromClient = updateMessage({
          id,
          zone: c.client.zone,
          updates: [clientOpRecord(c.client)],
        });
        expect(toHex(encodeMessage(fromClient))).toBe(c.request.unsigned_wire_hex);
      }
    },
  );

  it.each(signedCases.filter(([, c]) => c.request.unsigned_wire_hex))(
    '%s: signing reproduces the signed wire, TSIG RR and MAC input',
    (_, c) => {
      const r = c.request;
      const unsigned = fromHex(r.unsigned_wire_hex);
      const opts = { timeSigned: c.client.time_signed, originalId: c.client.dns_message_id };
      const signed = signWire(unsigned, clientKey(c), opts);
      expect(toHex(signed.wire)).toBe(r.signed_wire_hex);
      expect(toHex(signed.wire.subarray(r.tsig_rr_offset))).toBe(r.tsig_rr_hex);
      expect(toHex(signed.mac)).toBe(r.tsig.mac_hex);
      expect(toHex(signMessage(decode(r.unsigned_wire_hex), clientKey(c), opts).wire)).toBe(
        r.signed_wire_hex,
      );
      const input = tsigMacInput(unsigned, macFields(r.tsig));
      expect(toHex(input)).toBe(r.mac_input_hex);
      expect(toHex(input.subarray(unsigned.length))).toBe(r.tsig_variables_hex);
      expect(toHex(hmacSha256(fromHex(c.client.secret_hex), input))).toBe(r.tsig.mac_hex);
      // The decoded TSIG RR matches the documented fields.
      const tsig = decode(r.signed_wire_hex).additionals.at(-1)!;
      expect(absolute(tsig.name)).toBe(r.tsig.key_name);
      expect([tsig.class, tsig.ttl]).toEqual([r.tsig.rr_class, r.tsig.rr_ttl]);
      if (tsig.data.kind !== 'TSIG') throw new Error('TSIG expected');
      expect(absolute(tsig.data.algorithm)).toBe(r.tsig.algorithm);
      expect(tsig.data.timeSigned).toBe(r.tsig.time_signed);
      expect(tsig.data.fudge).toBe(r.tsig.fudge);
      expect(tsig.data.originalId).toBe(r.tsig.original_id);
      expect(tsig.data.error).toBe(r.tsig.error);
      expect(toHex(tsig.data.other)).toBe(r.tsig.other_hex);
    },
  );

  it.each(signedCases)('%s: server-side verification gives the documented outcome', (_, c) => {
    const v = verifyCase(c);
    expect(v.status).toBe(expectedVerification(c));
    const req = decode(c.request.signed_wire_hex);
    if (v.status === 'ok') return;
    expect(c.expected_response.rcode).toBe('NOTAUTH');
    expect(toHex(tsigFailureStub(req.header.id, req.header.opcode))).toBe(
      c.expected_response.wire_hex,
    );
  });

  it.each(signedCases.filter(([, c]) => c.expected_response?.tsig))(
    '%s: the signed response verifies with MAC chaining and is reproduced',
    (_, c) => {
      const v = verifyCase(c);
      if (v.status !== 'ok') throw new Error(`request did not verify: ${v.status}`);
      const e = c.expected_response;
      expect(toHex(v.mac)).toBe(c.request.tsig.mac_hex);
      const response = fromHex(e.wire_hex);
      expect(verifyResponse(response, v.key, v.mac, c.server.now).status).toBe('ok');
      expect(verifyResponse(response, v.key, fromHex(e.tsig.mac_hex), c.server.now).status).toBe(
        'BADSIG',
      );
      const unsigned = fromHex(e.unsigned_wire_hex);
      const input = tsigMacInput(unsigned, macFields(e.tsig), v.mac);
      expect(toHex(input)).toBe(e.mac_input_hex);
      expect(toHex(hmacSha256(v.key.secret, input))).toBe(e.tsig.mac_hex);
      const signed = signResponse(unsigned, v, e.tsig.time_signed);
      expect(toHex(signed.wire)).toBe(e.wire_hex);
      expect(toHex(signed.wire.subarray(e.tsig_rr_offset))).toBe(e.tsig_rr_hex);
      expect(toHex(signResponse(decode(e.unsigned_wire_hex), v, e.tsig.time_signed).wire)).toBe(
        e.wire_hex,
      );
    },
  );

  it.each(cases.filter(([, c]) => c.expected_response))(
    '%s: the response decodes with the documented RCODE',
    (_, c) => {
      const e = c.expected_response;
      const msg = decode(e.wire_hex);
      const req = decode(c.request.signed_wire_hex ?? c.request.unsigned_wire_hex);
      expect(rcodeName(msg.header.rcode)).toBe(e.rcode);
      expect(msg.header.qr).toBe(true);
      expect(msg.header.id).toBe(req.header.id);
      expect(msg.header.opcode).toBe(req.header.opcode);
      const signed = msg.additionals.some((rr) => rr.type === RRType.TSIG);
      expect(signed).toBe(Boolean(e.tsig));
      if (!c.request.signed_wire_hex) {
        expect(
          verifyRequest(fromHex(c.request.unsigned_wire_hex), createTsigKeyring([]), c.server.now)
            .status,
        ).toBe('unsigned');
      }
    },
  );

  it.each(file.queries.map((q: Json) => [q.description, q]) as [string, Json][])(
    'query %s: answers decode and multi-string TXT joins',
    (_, q) => {
      const query = decode(q.query_wire_hex);
      const resp = decode(q.expected_response_wire_hex);
      expect(toHex(encodeMessage(query))).toBe(q.query_wire_hex);
      expect(toHex(encodeMessage(resp))).toBe(q.expected_response_wire_hex);
      expect(rcodeName(resp.header.rcode)).toBe(q.expected_rcode);
      expect(resp.questions).toEqual(query.questions);
      expect(resp.answers.map((rr) => rr.ttl)).toEqual(q.expected_answer_ttl);
      expect(resp.answers).toHaveLength(q.expected_answer_strings_hex.length);
      resp.answers.forEach((rr, i) => {
        if (rr.data.kind !== 'TXT') throw new Error('TXT expected');
        const strings: string[] = q.expected_answer_strings_hex[i];
        expect(rr.name).toBe(query.questions[0]!.name);
        expect(rr.data.strings.map(toHex)).toEqual(strings);
        expect(toHex(txtBytes(rr.data))).toBe(strings.join(''));
        // The server's 255-octet split is exactly what txtRdata produces.
        expect(txtRdata(txtBytes(rr.data)).strings.map(toHex)).toEqual(strings);
      });
    },
  );
});
