/**
 * Turning a request into octets on the wire, with the RFC 5452 defences a
 * stub resolver controls: an unpredictable 16-bit ID and, optionally, DNS
 * 0x20 case randomisation of the question name (draft-vixie-dnsext-dns0x20)
 * — plus EDNS(0) (RFC 6891) so answers up to the advertised size come back
 * over UDP.
 */
import { readU16 } from '../../protocol/bytes.js';
import { RRClass, RRType } from '../wire/constants.js';
import { ednsRecord } from '../wire/edns.js';
import { makeHeader } from '../wire/header.js';
import {
  type DnsMessage,
  type DnsQuestion,
  decodeMessage,
  encodeMessage,
} from '../wire/message.js';
import { DnsRequestError } from './errors.js';
import type { DnsRequest } from './transport.js';

/** What a reply must echo to be accepted for a request. */
export interface ExpectedReply {
  readonly id: number;
  readonly opcode: number;
  /** First question (for UPDATE: the zone); `undefined` when the request had none. */
  readonly question: DnsQuestion | undefined;
  /** True when the question name was 0x20-randomised, so the reply must echo it exactly. */
  readonly exactCase: boolean;
}

/** A request ready to send. */
export interface PreparedRequest {
  readonly wire: Uint8Array;
  readonly expected: ExpectedReply;
}

export interface PrepareOptions {
  /** Randomise the case of ASCII letters in the question name (UDP only makes sense). */
  readonly randomizeCase?: boolean;
  /** Add an OPT record with this UDP payload size when the message has none; `0` adds none. */
  readonly ednsUdpSize?: number;
}

/** A uniformly random 16-bit message ID from the platform CSPRNG. */
export function randomId(): number {
  const b = new Uint16Array(1);
  globalThis.crypto.getRandomValues(b);
  return b[0]!;
}

/**
 * Flips ASCII letters of `name` to random case. Escape sequences
 * (`\.`, `\\`, `\DDD`) contain no letters, so they pass through unchanged.
 */
export function randomizeCase(name: string): string {
  const bits = new Uint8Array(name.length);
  globalThis.crypto.getRandomValues(bits);
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    out += letter ? String.fromCharCode(bits[i]! & 1 ? c | 0x20 : c & ~0x20) : name[i];
  }
  return out;
}

/** A recursive-desired query for `name`/`type` (class IN), ID 0 (the transport assigns one). */
export function queryMessage(
  name: string,
  type: number,
  options: { rd?: boolean; dnssecOk?: boolean; ednsUdpSize?: number } = {},
): DnsMessage {
  const additionals =
    options.dnssecOk === true
      ? [ednsRecord({ udpSize: options.ednsUdpSize ?? 4096, dnssecOk: true })]
      : [];
  return {
    header: makeHeader({ id: 0, rd: options.rd ?? true }),
    questions: [{ name, type, class: RRClass.IN }],
    answers: [],
    authorities: [],
    additionals,
  };
}

function fromWire(wire: Uint8Array): PreparedRequest {
  const decoded = decodeMessage(wire);
  if (!decoded.ok) throw new DnsRequestError(`request does not decode: ${decoded.detail}`);
  const msg = decoded.value;
  return {
    wire,
    expected: {
      id: readU16(wire, 0),
      opcode: msg.header.opcode,
      question: msg.questions[0],
      exactCase: false,
    },
  };
}

/**
 * Encodes a request. A message gets a fresh random ID (any ID it carries is
 * ignored), optionally 0x20 case and an OPT record; wire octets are sent
 * as they are. Throws `DnsRequestError` when the request cannot be encoded.
 */
export function prepareRequest(request: DnsRequest, options: PrepareOptions = {}): PreparedRequest {
  if (request instanceof Uint8Array) return fromWire(request);
  const id = randomId();
  const randomize = options.randomizeCase === true && request.questions.length > 0;
  const questions = randomize
    ? request.questions.map((q, i) => (i === 0 ? { ...q, name: randomizeCase(q.name) } : q))
    : request.questions;
  const udpSize = options.ednsUdpSize ?? 0;
  const hasOpt = request.additionals.some((rr) => rr.type === RRType.OPT);
  const additionals =
    udpSize > 0 && !hasOpt
      ? [...request.additionals, ednsRecord({ udpSize })]
      : request.additionals;
  const msg: DnsMessage = {
    ...request,
    header: { ...request.header, id },
    questions,
    additionals,
  };
  let wire: Uint8Array;
  try {
    wire = encodeMessage(msg);
  } catch (err) {
    throw new DnsRequestError(`request cannot be encoded: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return {
    wire,
    expected: { id, opcode: msg.header.opcode, question: questions[0], exactCase: randomize },
  };
}
