/**
 * TSIG signature of the responder's own short replies (RFC 8945 §5.3), the
 * bytes `signResponse` would produce, without its codec round trip.
 *
 * `signResponse` on a wire message decodes it, re-encodes it to learn
 * whether it was laid out the way the codec writes it (then the TSIG owner
 * name is compressed against the message's names, as the reference's
 * dnspython does), and only then signs. Every UPDATE reply pays for that:
 * on the serial `nsupdate` bench the round trip was ~30 µs of a cold
 * node's ~200 µs per UPDATE. The replies taken here — header, one echoed
 * question, at most our OPT, nothing else — have exactly one name the codec
 * would compress against: the question's. So the header and OPT are copied,
 * the question name is re-written with the codec's own `writeName` (which
 * also fills the compression map the TSIG owner is written against), and
 * the TSIG RR is appended the way `signResponse` appends it. Anything else
 * (answers, several questions, a question name that does not re-encode to
 * the same octets) goes through `signResponse` unchanged. A test compares
 * both on every shape the responder produces.
 */
import { signResponse, type TsigVerified } from '../../dns/tsig.js';
import { buildMacInput, TSIG_FUDGE, type TsigMacFields } from '../../dns/tsig-key.js';
import { MAX_MESSAGE_SIZE, RRClass, RRType } from '../../dns/wire/constants.js';
import { HEADER_SIZE } from '../../dns/wire/header.js';
import { writeName } from '../../dns/wire/name.js';
import { type TsigRdata, writeRdata } from '../../dns/wire/rdata.js';
import { WireWriter } from '../../dns/wire/writer.js';
import { readU16 } from '../../protocol/bytes.js';
import { hmacSha256 } from '../../protocol/crypto/hash.js';
import type { DnsRequest } from './request.js';

/** Our OPT RR (`ResponseWriter.opt`): root owner, type, class, TTL, RDLENGTH 0. */
const OPT_RR_SIZE = 11;
const EMPTY = new Uint8Array(0);
// One per process: signing is synchronous and never re-entered.
const w = new WireWriter(1024);

/**
 * Signs `reply` (unsigned, as the responder wrote it for `req`) with the key
 * that signed `req`, at Unix time `now`; returns the signed copy.
 */
export function signReply(
  reply: Uint8Array,
  req: DnsRequest,
  signer: TsigVerified,
  now: number,
): Uint8Array {
  return signShortReply(reply, req, signer, now) ?? signResponse(reply, signer, now).wire;
}

/** The fast path alone: the signed reply, or `undefined` when `reply` is not a short one. */
export function signShortReply(
  reply: Uint8Array,
  req: DnsRequest,
  signer: TsigVerified,
  now: number,
): Uint8Array | undefined {
  return isShortReply(reply, req) ? appendTsig(reply, req, signer, Math.floor(now)) : undefined;
}

/** Header, the request's single question echoed, then nothing or our bare OPT. */
function isShortReply(reply: Uint8Array, req: DnsRequest): boolean {
  if (!req.plainFirstName || req.message.questions.length !== 1) return false;
  if (reply.length < HEADER_SIZE) return false;
  if (readU16(reply, 4) !== 1 || readU16(reply, 6) !== 0 || readU16(reply, 8) !== 0) return false;
  const end = req.questionEnd;
  const arcount = readU16(reply, 10);
  if (arcount === 0) return reply.length === end;
  return (
    arcount === 1 &&
    reply.length === end + OPT_RR_SIZE &&
    reply[end] === 0 &&
    readU16(reply, end + 1) === RRType.OPT &&
    readU16(reply, end + 9) === 0
  );
}

/** The signed reply, or `undefined` when the question name does not re-encode identically. */
function appendTsig(
  reply: Uint8Array,
  req: DnsRequest,
  signer: TsigVerified,
  timeSigned: number,
): Uint8Array | undefined {
  w.reset();
  w.bytes(reply.subarray(0, HEADER_SIZE));
  try {
    writeName(w, req.message.questions[0]!.name, true);
  } catch {
    return undefined;
  }
  const nameEnd = w.pos;
  // The question's type and class follow its name.
  if (nameEnd + 4 > req.questionEnd) return undefined;
  for (let i = HEADER_SIZE; i < nameEnd; i++) if (w.buf[i] !== reply[i]) return undefined;
  w.bytes(reply.subarray(nameEnd));

  const length = w.pos;
  const arcount = readU16(w.buf, 10);
  const fields: TsigMacFields = {
    keyName: signer.keyName,
    algorithm: signer.algorithm,
    timeSigned,
    fudge: TSIG_FUDGE,
    originalId: readU16(w.buf, 0),
    error: 0,
    other: EMPTY,
  };
  const mac = hmacSha256(
    signer.key.secret,
    buildMacInput(w.buf, length, arcount, fields, signer.mac),
  );
  const rdata: TsigRdata = { kind: 'TSIG', ...fields, mac };
  writeName(w, signer.keyName, true);
  w.u16(RRType.TSIG);
  w.u16(RRClass.ANY);
  w.u32(0);
  writeRdata(w, RRType.TSIG, rdata, false);
  w.patchU16(10, arcount + 1);
  return w.pos <= MAX_MESSAGE_SIZE ? w.toBytes() : undefined;
}
