/**
 * Parse step of the request chain: the decoded message (RFC 1035 §4.1) plus
 * the few facts every later step needs — where the question section ends
 * (responses echo it byte for byte, so 0x20 mixed case survives), the EDNS
 * parameters (RFC 6891 §6.1.3) with the COOKIE option (RFC 7873) and
 * whether a TSIG RR is present (RFC 8945).
 */

import { RRType } from '../../dns/wire/constants.js';
import { type CookieLookup, findCookie } from '../../dns/wire/cookie.js';
import { HEADER_SIZE } from '../../dns/wire/header.js';
import { type DnsMessage, decodeMessage } from '../../dns/wire/message.js';
import { readU16 } from '../../protocol/bytes.js';

/** Header bits a response copies from the request: RD (RFC 1035) and CD (RFC 4035 §3.1.6). */
const COPIED_FLAGS = 0x0100 | 0x0010;
const NO_COOKIE: CookieLookup = { status: 'absent' };

/** A request that decoded. Fields are read-only views of it. */
export class DnsRequest {
  readonly id: number;
  readonly opcode: number;
  /** RD and CD as they appear in the request's flags word. */
  readonly copiedFlags: number;
  /**
   * Offset just past the question (zone) section. `wire[12, questionEnd)`
   * is echoed verbatim; its offsets do not change, so any compression
   * pointers inside stay valid.
   */
  readonly questionEnd: number;
  /** True when the first question's name is written without compression at offset 12. */
  readonly plainFirstName: boolean;
  readonly hasEdns: boolean;
  /** Requester's UDP payload size (0 without EDNS). */
  readonly ednsUdpSize: number;
  readonly ednsVersion: number;
  /** DNSSEC OK (RFC 3225: copied into the response's OPT). */
  readonly dnssecOk: boolean;
  /** The EDNS COOKIE option (RFC 7873): absent, malformed (FORMERR) or present. */
  readonly cookie: CookieLookup;
  /** A TSIG RR appears anywhere in the message. */
  readonly hasTsig: boolean;

  constructor(
    readonly wire: Uint8Array,
    readonly message: DnsMessage,
  ) {
    this.id = readU16(wire, 0);
    this.opcode = message.header.opcode;
    this.copiedFlags = readU16(wire, 2) & COPIED_FLAGS;
    const end = questionSectionEnd(wire, message.questions.length);
    this.questionEnd = end < 0 ? HEADER_SIZE : end;
    this.plainFirstName = message.questions.length > 0 && isPlainName(wire, HEADER_SIZE);
    let hasEdns = false;
    let udpSize = 0;
    let version = 0;
    let dnssecOk = false;
    let cookie = NO_COOKIE;
    let hasTsig = false;
    for (const rr of message.additionals) {
      if (rr.type === RRType.OPT) {
        hasEdns = true;
        udpSize = rr.class;
        version = (rr.ttl >>> 16) & 0xff;
        dnssecOk = (rr.ttl & 0x8000) !== 0;
        if (rr.data.kind === 'OPT' && rr.data.options.length > 0) {
          cookie = findCookie(rr.data.options);
        }
      } else if (rr.type === RRType.TSIG) {
        hasTsig = true;
      }
    }
    // A TSIG outside the additional section is still a TSIG (misplaced:
    // the verifier answers FORMERR), never an unsigned request.
    if (!hasTsig) {
      for (const rr of message.answers) if (rr.type === RRType.TSIG) hasTsig = true;
      for (const rr of message.authorities) if (rr.type === RRType.TSIG) hasTsig = true;
    }
    this.hasEdns = hasEdns;
    this.ednsUdpSize = udpSize;
    this.ednsVersion = version;
    this.dnssecOk = dnssecOk;
    this.cookie = cookie;
    this.hasTsig = hasTsig;
  }
}

/** Decodes `wire` into a {@link DnsRequest}; `undefined` when it does not decode. Never throws. */
export function parseRequest(wire: Uint8Array): DnsRequest | undefined {
  const decoded = decodeMessage(wire);
  return decoded.ok ? new DnsRequest(wire, decoded.value) : undefined;
}

/** Offset after `count` questions starting at the header's end, or -1. */
function questionSectionEnd(wire: Uint8Array, count: number): number {
  let pos = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    for (;;) {
      if (pos >= wire.length) return -1;
      const len = wire[pos]!;
      if (len === 0) {
        pos += 1;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        pos += 2;
        break;
      }
      pos += 1 + len;
    }
    pos += 4;
  }
  return pos <= wire.length ? pos : -1;
}

/** True when the name at `pos` is a plain run of labels ending in the root octet. */
function isPlainName(wire: Uint8Array, pos: number): boolean {
  for (;;) {
    const len = wire[pos];
    if (len === undefined || (len & 0xc0) !== 0) return false;
    if (len === 0) return true;
    pos += 1 + len;
  }
}

/**
 * Labels of the plain name at offset 12, and the offset of the suffix that
 * has `suffixLabels` labels (for compression pointers to the zone apex).
 * Call only when {@link DnsRequest.plainFirstName} holds.
 */
export function suffixOffset(wire: Uint8Array, suffixLabels: number): number {
  let labels = 0;
  for (let pos = HEADER_SIZE; wire[pos]! !== 0; pos += 1 + wire[pos]!) labels++;
  let pos = HEADER_SIZE;
  for (let skip = labels - suffixLabels; skip > 0; skip--) pos += 1 + wire[pos]!;
  return pos;
}
