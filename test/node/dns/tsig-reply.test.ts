/**
 * signReply (the responder's TSIG signer for short replies) against the
 * generic `signResponse`: byte-identical output for every reply shape the
 * responder writes, including the shapes that must fall back to it.
 */
import { describe, expect, it } from 'vitest';
import {
  signMessage,
  signResponse,
  type TsigVerified,
  verifyRequest,
  verifyResponse,
} from '../../../src/dns/tsig.js';
import { createTsigKeyring, type TsigKey } from '../../../src/dns/tsig-key.js';
import { Rcode, RRClass, RRType } from '../../../src/dns/wire/constants.js';
import { ednsRecord } from '../../../src/dns/wire/edns.js';
import { makeHeader } from '../../../src/dns/wire/header.js';
import type { DnsMessage } from '../../../src/dns/wire/message.js';
import { txtAdd, updateMessage } from '../../../src/dns/wire/update.js';
import { type DnsRequest, parseRequest } from '../../../src/node/dns/request.js';
import {
  ANSWER,
  FLAG_AA,
  FLAG_TC,
  QNAME_POINTER,
  ResponseWriter,
  responseFlags,
} from '../../../src/node/dns/response-writer.js';
import { signReply, signShortReply } from '../../../src/node/dns/tsig-reply.js';
import { KEY_SECRET, T0 } from './fixture.js';

const keyNamed = (name: string): TsigKey => ({
  name,
  algorithm: 'hmac-sha256',
  secret: KEY_SECRET,
});

interface Case {
  readonly zone: string;
  readonly keyName: string;
  readonly algorithm?: string;
  readonly edns?: { readonly dnssecOk: boolean };
  readonly rd?: boolean;
  readonly cd?: boolean;
  readonly questions?: number;
}

function request(c: Case): { wire: Uint8Array; req: DnsRequest; signer: TsigVerified } {
  const base = updateMessage({
    id: 0x5a5a,
    zone: c.zone,
    updates: [txtAdd(`x.${c.zone}`, 300, 'v')],
    additional:
      c.edns === undefined
        ? []
        : [ednsRecord({ udpSize: 1232, version: 0, dnssecOk: c.edns.dnssecOk })],
  });
  const extra = Array.from({ length: (c.questions ?? 1) - 1 }, (_, i) => ({
    name: `q${i}.${c.zone}`,
    type: RRType.SOA,
    class: RRClass.IN,
  }));
  const msg: DnsMessage = {
    ...base,
    header: makeHeader({ id: 0x5a5a, opcode: 5, rd: c.rd ?? false, cd: c.cd ?? false }),
    questions: [...base.questions, ...extra],
  };
  const key = { ...keyNamed(c.keyName), algorithm: c.algorithm ?? 'hmac-sha256' };
  const { wire } = signMessage(msg, key, { timeSigned: T0 });
  const req = parseRequest(wire);
  if (req === undefined) throw new Error('request does not decode');
  const verified = verifyRequest(wire, createTsigKeyring([key]), T0, req.message);
  if (verified.status !== 'ok') throw new Error(`request does not verify: ${verified.status}`);
  return { wire, req, signer: verified };
}

/**
 * Both signers on the same unsigned reply; returns the (identical) signed
 * bytes. `fast`: whether the reply must take the fast path.
 */
function both(req: DnsRequest, signer: TsigVerified, unsigned: Uint8Array, fast = true) {
  const now = T0 + 1;
  expect(signShortReply(unsigned, req, signer, now) !== undefined).toBe(fast);
  const signed = signReply(unsigned, req, signer, now);
  const generic = signResponse(unsigned, signer, now).wire;
  expect(Buffer.from(signed).toString('hex')).toBe(Buffer.from(generic).toString('hex'));
  return signed;
}

const CASES: readonly Case[] = [
  { zone: 'mesh.test', keyName: 'alice-key.mesh.test.' },
  { zone: 'mesh.test', keyName: 'alice-key.mesh.test.', edns: { dnssecOk: false } },
  { zone: 'mesh.test', keyName: 'alice-key.mesh.test.', edns: { dnssecOk: true }, rd: true },
  { zone: 'MeSh.TeSt', keyName: 'Alice-Key.MESH.test', cd: true },
  { zone: 'mesh.test', keyName: 'bench-key', edns: { dnssecOk: false } },
  { zone: 'mesh.test', keyName: 'mesh.test' },
  { zone: 'sub.mesh.test', keyName: 'k.other.mesh.test', algorithm: 'HMAC-SHA256.' },
  { zone: 'a\\.b.mesh.test', keyName: 'k.a\\.b.mesh.test' },
  { zone: 'mesh.test', keyName: 'k.mesh.test', questions: 2 },
];

describe('signReply', () => {
  for (const c of CASES) {
    it(`matches signResponse: zone ${c.zone}, key ${c.keyName}, ${JSON.stringify(c)}`, () => {
      const { req, signer } = request(c);
      const w = new ResponseWriter();
      for (const rcode of [Rcode.NOERROR, Rcode.REFUSED, Rcode.NOTAUTH, Rcode.FORMERR]) {
        w.begin(req, responseFlags(req, FLAG_AA, rcode));
        if (req.hasEdns) w.opt(0, req.dnssecOk);
        const signed = both(req, signer, w.finish(), (c.questions ?? 1) === 1);
        const check = verifyResponse(signed, keyNamed(c.keyName), signer.mac, T0 + 1);
        expect(check.status).toBe('ok');
      }
      // BADVERS: the extended RCODE sits in our OPT.
      w.begin(req, responseFlags(req, 0, 0));
      w.opt(1, req.dnssecOk);
      both(req, signer, w.finish(), (c.questions ?? 1) === 1);
      // The TC=1 stub, and a reply without the question (not a short reply).
      w.begin(req, responseFlags(req, FLAG_TC, 0));
      both(req, signer, w.finish(), (c.questions ?? 1) === 1);
      w.begin(req, responseFlags(req, 0, Rcode.SERVFAIL), false);
      both(req, signer, w.finish(), false);
    });
  }

  it('falls back to signResponse for replies with records', () => {
    const { req, signer } = request({ zone: 'mesh.test', keyName: 'k.mesh.test' });
    const w = new ResponseWriter();
    w.begin(req, responseFlags(req, FLAG_AA, 0));
    w.txt(ANSWER, QNAME_POINTER, 60, 'hello');
    w.opt(0, false);
    both(req, signer, w.finish(), false);
  });

  it('takes the fast path for an upper-case question, byte for byte as signResponse', () => {
    const { wire, signer } = request({ zone: 'mesh.test', keyName: 'k.mesh.test' });
    // The decoded name keeps the wire's case, so it re-encodes identically and
    // the TSIG owner is compressed against it case-insensitively.
    const upper = Uint8Array.from(wire);
    for (let i = 12; upper[i] !== 0; i++) {
      const b = upper[i]!;
      if (b >= 0x61 && b <= 0x7a) upper[i] = b - 0x20;
    }
    const req = parseRequest(upper)!;
    const w = new ResponseWriter();
    w.begin(req, responseFlags(req, FLAG_AA, 0));
    both(req, signer, w.finish());
  });
});
