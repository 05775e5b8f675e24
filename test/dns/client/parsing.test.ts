/**
 * The client's parsers of network and config data: reply matching, TXT
 * answer extraction, server addresses. Each is total (never throws) on
 * arbitrary input, checked with fast-check, plus the exact rules.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchReply } from '../../../src/dns/client/reply-match.js';
import { prepareRequest, queryMessage, randomizeCase } from '../../../src/dns/client/request.js';
import { formatServer, parseServerAddress } from '../../../src/dns/client/server-address.js';
import {
  collapseTxt,
  txtAnswerFromReply,
  txtValuesFor,
} from '../../../src/dns/client/txt-answer.js';
import { Rcode, RRClass, RRType } from '../../../src/dns/wire/constants.js';
import { decodeMessage, encodeMessage } from '../../../src/dns/wire/message.js';
import { messageArb } from '../arbitraries.js';
import { answerTo, txtRecord } from './fault-server.js';

const decode = (wire: Uint8Array) => {
  const r = decodeMessage(wire);
  if (!r.ok) throw new Error(r.detail);
  return r.value;
};

describe('matchReply', () => {
  const prepared = prepareRequest(queryMessage('Match.Mesh.Test', RRType.TXT), {
    randomizeCase: true,
  });
  const query = decode(prepared.wire);

  it('accepts the exact reply and refuses every kind of mismatch', () => {
    expect(matchReply(prepared.expected, encodeMessage(answerTo(query))).ok).toBe(true);
    const foreign = matchReply(
      prepared.expected,
      encodeMessage(answerTo(query, { id: (query.header.id + 1) & 0xffff })),
    );
    expect(foreign.ok || foreign.mismatch).toBe('id');
    const notResponse = { ...answerTo(query), header: { ...answerTo(query).header, qr: false } };
    expect(matchReply(prepared.expected, encodeMessage(notResponse))).toMatchObject({
      ok: false,
      mismatch: 'shape',
    });
    const otherType = {
      ...answerTo(query),
      questions: [{ ...query.questions[0]!, type: RRType.A }],
    };
    expect(matchReply(prepared.expected, encodeMessage(otherType))).toMatchObject({
      ok: false,
      mismatch: 'shape',
    });
    const lower = {
      ...answerTo(query),
      questions: [{ ...query.questions[0]!, name: 'match.mesh.test' }],
    };
    const verdict = matchReply(prepared.expected, encodeMessage(lower));
    // Either the random case happened to be all lower case, or the 0x20 check fires.
    if (query.questions[0]!.name !== 'match.mesh.test')
      expect(verdict).toMatchObject({ ok: false, mismatch: 'case' });
    expect(matchReply(prepared.expected, Uint8Array.of(1, 2, 3))).toMatchObject({
      ok: false,
      mismatch: 'id',
    });
  });

  it('never throws on arbitrary octets, and whatever it accepts carries our id and QR', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, keepId) => {
        const wire = Uint8Array.from(bytes);
        if (keepId && wire.length >= 2) wire.set(prepared.wire.subarray(0, 2));
        const v = matchReply(prepared.expected, wire);
        if (v.ok) {
          expect(v.message.header.id).toBe(prepared.expected.id);
          expect(v.message.header.qr).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary well-formed messages', () => {
    fc.assert(
      fc.property(messageArb, (msg) => {
        let wire: Uint8Array;
        try {
          wire = encodeMessage(msg);
        } catch {
          return;
        }
        matchReply(prepared.expected, wire);
        matchReply({ ...prepared.expected, id: msg.header.id, opcode: msg.header.opcode }, wire);
      }),
      { numRuns: 300 },
    );
  });
});

describe('randomizeCase', () => {
  it('changes only the case of ASCII letters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = randomizeCase(s);
        expect(r.toLowerCase()).toBe(s.toLowerCase());
        expect(r.length).toBe(s.length);
      }),
    );
    expect(randomizeCase('a\\.b\\065')).toMatch(/^[aA]\\\.[bB]\\065$/);
  });
});

describe('TXT answers', () => {
  const query = queryMessage('t.mesh.test', RRType.TXT);

  it('joins character-strings per RR and keeps RRs apart', () => {
    const reply = answerTo(query, {
      answers: [txtRecord('t.mesh.test', 'ab', 'cd'), txtRecord('T.MESH.TEST', 'x')],
    });
    expect(txtAnswerFromReply(reply, 't.mesh.test', 's')).toEqual({
      status: 'found',
      values: ['abcd', 'x'],
      server: 's',
    });
  });

  it('joins bytes before decoding, so a character split across strings survives', () => {
    const euro = new TextEncoder().encode('€');
    const reply = answerTo(query, {
      answers: [txtRecord('t.mesh.test', euro.subarray(0, 1), euro.subarray(1))],
    });
    expect(txtValuesFor(reply, 't.mesh.test')).toEqual(['€']);
  });

  it('keeps NXDOMAIN, NODATA and errors apart, and collapses them on request', () => {
    const nx = txtAnswerFromReply(answerTo(query, { rcode: Rcode.NXDOMAIN }), 't.mesh.test', 's');
    const nodata = txtAnswerFromReply(answerTo(query), 't.mesh.test', 's');
    const fail = txtAnswerFromReply(answerTo(query, { rcode: Rcode.SERVFAIL }), 't.mesh.test', 's');
    expect(nx.status).toBe('nxdomain');
    expect(nodata.status).toBe('nodata');
    expect(fail.status).toBe('error');
    expect(fail.status === 'error' && fail.error.message).toBe(
      'rcode SERVFAIL from s for t.mesh.test',
    );
    for (const a of [nx, nodata, fail]) expect(collapseTxt(a)).toBeUndefined();
  });

  it('follows an in-answer CNAME chain, bounded, ignoring other owners', () => {
    const cname = (from: string, to: string) => ({
      name: from,
      type: RRType.CNAME,
      class: RRClass.IN,
      ttl: 60,
      data: { kind: 'NAME' as const, target: to },
    });
    const reply = answerTo(query, {
      answers: [
        cname('t.mesh.test', 'u.mesh.test'),
        cname('u.mesh.test', 't.mesh.test'),
        txtRecord('u.mesh.test', 'via'),
        txtRecord('other.test', 'no'),
      ],
    });
    expect(txtValuesFor(reply, 't.mesh.test')).toEqual(['via']);
  });

  it('never throws on arbitrary messages and names', () => {
    fc.assert(
      fc.property(messageArb, fc.string({ maxLength: 40 }), (msg, name) => {
        const a = txtAnswerFromReply(msg, name, 's');
        expect(['found', 'nxdomain', 'nodata', 'error']).toContain(a.status);
      }),
      { numRuns: 500 },
    );
  });
});

describe('server addresses', () => {
  it('parses IP literals with optional ports and refuses hostnames', () => {
    expect(parseServerAddress('1.1.1.1')).toEqual({
      ok: true,
      value: { host: '1.1.1.1', port: 53 },
    });
    expect(parseServerAddress('127.0.0.1:5353')).toEqual({
      ok: true,
      value: { host: '127.0.0.1', port: 5353 },
    });
    expect(parseServerAddress('[::1]:5353')).toEqual({
      ok: true,
      value: { host: '::1', port: 5353 },
    });
    expect(parseServerAddress('::1')).toEqual({ ok: true, value: { host: '::1', port: 53 } });
    expect(parseServerAddress('dns.google').ok).toBe(false);
    expect(parseServerAddress('1.1.1.1:0').ok).toBe(false);
    expect(parseServerAddress('1.1.1.1:70000').ok).toBe(false);
    expect(formatServer({ host: '::1', port: 53 })).toBe('[::1]:53');
  });

  it('never throws, and what it accepts formats back to itself', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), (s) => {
        const r = parseServerAddress(s);
        if (r.ok) expect(parseServerAddress(formatServer(r.value))).toEqual(r);
      }),
      { numRuns: 2000 },
    );
  });
});
