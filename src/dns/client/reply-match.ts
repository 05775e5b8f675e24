/**
 * Deciding whether received octets are the reply to our request (RFC 5452
 * §9.1: ID, question name, type and class must all match; with DNS 0x20 the
 * name must match case-exactly). Pure and total: arbitrary bytes give a
 * typed verdict, never an exception.
 */
import { readU16 } from '../../protocol/bytes.js';
import { HEADER_SIZE } from '../wire/header.js';
import { type DnsMessage, decodeMessage } from '../wire/message.js';
import { namesEqual } from '../wire/name.js';
import type { ExpectedReply } from './request.js';

/** Why received octets are not our reply. */
export type ReplyMismatch =
  /** Too short, or another query's ID: not ours at all (possibly a spoof attempt). */
  | 'id'
  /** Our ID but undecodable. */
  | 'decode'
  /** Our ID but QR clear, another opcode, or another question. */
  | 'shape'
  /** Only the 0x20 case of the question differs: the server does not preserve case. */
  | 'case';

export type ReplyVerdict =
  | { readonly ok: true; readonly message: DnsMessage }
  | { readonly ok: false; readonly mismatch: ReplyMismatch; readonly detail: string };

function no(mismatch: ReplyMismatch, detail: string): ReplyVerdict {
  return { ok: false, mismatch, detail };
}

function safeNamesEqual(a: string, b: string): boolean {
  try {
    return namesEqual(a, b);
  } catch {
    return false;
  }
}

/**
 * Checks `wire` against the request's expectations. A reply without a
 * question section is accepted only with a non-zero RCODE: servers answer
 * FORMERR and the DMP node's TSIG-failure NOTAUTH stub that way.
 */
export function matchReply(expected: ExpectedReply, wire: Uint8Array): ReplyVerdict {
  if (wire.length < HEADER_SIZE) return no('id', `${wire.length}-octet datagram`);
  const id = readU16(wire, 0);
  if (id !== expected.id) return no('id', `reply id ${id}, expected ${expected.id}`);
  const decoded = decodeMessage(wire);
  if (!decoded.ok) return no('decode', decoded.detail);
  const msg = decoded.value;
  if (!msg.header.qr) return no('shape', 'QR bit clear');
  if (msg.header.opcode !== expected.opcode) {
    return no('shape', `opcode ${msg.header.opcode}, expected ${expected.opcode}`);
  }
  const want = expected.question;
  const got = msg.questions[0];
  if (got === undefined) {
    if (want === undefined || msg.header.rcode !== 0) return { ok: true, message: msg };
    return no('shape', 'NOERROR reply without a question section');
  }
  if (want === undefined) return no('shape', 'reply has a question the request did not ask');
  if (got.type !== want.type || got.class !== want.class || !safeNamesEqual(got.name, want.name)) {
    return no('shape', `reply is for ${got.name}/${got.type}, asked ${want.name}/${want.type}`);
  }
  if (expected.exactCase && got.name !== want.name) {
    return no('case', `question case changed from ${want.name} to ${got.name}`);
  }
  return { ok: true, message: msg };
}
