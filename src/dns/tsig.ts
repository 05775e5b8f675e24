/**
 * TSIG (RFC 8945) with HMAC-SHA256: signing requests and responses
 * (including request-MAC chaining, §5.3), verifying them (§5.2 / §5.4), and
 * the unsigned NOTAUTH stub the DMP reference server sends when a request's
 * TSIG does not verify (node spec §1.2, §2.5).
 *
 * Wire details that matter for byte-exact interop with the reference
 * (dnspython): the TSIG owner name is written *with* compression against the
 * names already in the message, while the MAC covers the uncompressed,
 * lower-cased key name; the algorithm name is never compressed.
 */
import { bytesEqual, constantTimeEqual, readU16 } from '../protocol/bytes.js';
import { hmacSha256 } from '../protocol/crypto/hash.js';
import {
  buildMacInput,
  HMAC_SHA256_SIZE,
  isHmacSha256,
  TSIG_FUDGE,
  type TsigKey,
  type TsigKeyring,
  type TsigMacFields,
} from './tsig-key.js';
import { MAX_MESSAGE_SIZE, Rcode, RRClass, RRType } from './wire/constants.js';
import { check } from './wire/errors.js';
import { HEADER_SIZE } from './wire/header.js';
import { type DnsMessage, decodeMessage, writeMessage } from './wire/message.js';
import { canonicalName, writeName } from './wire/name.js';
import type { TsigRdata } from './wire/rdata.js';
import { writeRdata } from './wire/rdata.js';
import { lastRecordOffset } from './wire/scan.js';
import { WireWriter } from './wire/writer.js';

export interface TsigSignOptions {
  /** Seconds since the epoch (48-bit). */
  timeSigned: number;
  /** Permitted clock skew in seconds (default 300). */
  fudge?: number;
  /** Default: the message's own ID. */
  originalId?: number;
  /** TSIG error field (default 0). */
  error?: number;
  /** Other data (default empty). */
  other?: Uint8Array;
  /** For responses: the MAC of the request being answered (RFC 8945 §5.3). */
  requestMac?: Uint8Array;
}

export interface TsigSigned {
  /** The message with the TSIG RR appended and ARCOUNT incremented. */
  wire: Uint8Array;
  /** The MAC placed in the TSIG RR (a response to this message chains it). */
  mac: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const signer = new WireWriter(4096);

function hasTsig(msg: DnsMessage): boolean {
  return msg.additionals.some((rr) => rr.type === RRType.TSIG);
}

/** Computes the MAC over the writer's contents and appends the TSIG RR. */
function appendTsig(w: WireWriter, key: TsigKey, options: TsigSignOptions): TsigSigned {
  check(isHmacSha256(key.algorithm), `unsupported TSIG algorithm ${key.algorithm}`);
  const fudge = options.fudge ?? TSIG_FUDGE;
  const error = options.error ?? 0;
  const originalId = options.originalId ?? readU16(w.buf, 0);
  for (const [what, v] of [
    ['fudge', fudge],
    ['error', error],
    ['original id', originalId],
  ] as const) {
    check(Number.isInteger(v) && v >= 0 && v <= 0xffff, `TSIG ${what} out of range: ${v}`);
  }
  const length = w.pos;
  const arcount = readU16(w.buf, 10);
  check(arcount < 0xffff, 'no room for a TSIG record in ARCOUNT');
  const fields: TsigMacFields = {
    keyName: key.name,
    algorithm: key.algorithm,
    timeSigned: options.timeSigned,
    fudge,
    originalId,
    error,
    other: options.other ?? EMPTY,
  };
  const mac = hmacSha256(
    key.secret,
    buildMacInput(w.buf, length, arcount, fields, options.requestMac),
  );
  const rdata: TsigRdata = { kind: 'TSIG', ...fields, mac };
  writeName(w, key.name, true);
  w.u16(RRType.TSIG);
  w.u16(RRClass.ANY);
  w.u32(0);
  writeRdata(w, RRType.TSIG, rdata, false);
  w.patchU16(10, arcount + 1);
  check(w.pos <= MAX_MESSAGE_SIZE, `signed message of ${w.pos} octets`);
  return { wire: w.toBytes(), mac };
}

/**
 * Encodes `msg` (with compression) and signs it with `key`. `key.name` is
 * written as the TSIG owner and `key.algorithm` as the algorithm name.
 * Throws `DnsEncodeError` if the message already has a TSIG RR, the
 * algorithm is not HMAC-SHA256, or a field is out of range.
 */
export function signMessage(msg: DnsMessage, key: TsigKey, options: TsigSignOptions): TsigSigned {
  check(!hasTsig(msg), 'message already carries a TSIG record');
  signer.reset();
  writeMessage(signer, msg, true);
  return appendTsig(signer, key, options);
}

/**
 * Signs an already-encoded message, keeping its octets unchanged. The TSIG
 * owner is compressed against the message's names when the message is laid
 * out the way this codec (and dnspython) would write it, which reproduces the
 * reference's bytes; otherwise it is written uncompressed. Throws
 * `DnsEncodeError` if `unsigned` does not decode or is already signed.
 */
export function signWire(unsigned: Uint8Array, key: TsigKey, options: TsigSignOptions): TsigSigned {
  const decoded = decodeMessage(unsigned);
  check(
    decoded.ok,
    `cannot sign a message that does not decode: ${decoded.ok ? '' : decoded.detail}`,
  );
  check(!hasTsig(decoded.value), 'message already carries a TSIG record');
  signer.reset();
  writeMessage(signer, decoded.value, true);
  if (!bytesEqual(signer.buf.subarray(0, signer.pos), unsigned)) {
    signer.reset();
    signer.bytes(unsigned);
  }
  return appendTsig(signer, key, options);
}

/** Why a TSIG did not verify (RFC 8945 §5.2); FORMERR covers malformed or misplaced TSIG RRs. */
export type TsigFailureCode = 'BADKEY' | 'BADSIG' | 'BADTIME' | 'FORMERR';

/**
 * Finer cause of a failure, for logs and metrics and for servers that treat
 * causes differently (the DMP reference drops an `algorithm-mismatch` request
 * without replying, node spec §1.2).
 */
export type TsigFailureReason =
  | 'decode'
  | 'placement'
  | 'class-ttl'
  | 'peer-error'
  | 'key-name'
  | 'unknown-key'
  | 'unsupported-algorithm'
  | 'algorithm-mismatch'
  | 'mac-length'
  | 'mac'
  | 'time';

export interface TsigFailure {
  status: TsigFailureCode;
  reason: TsigFailureReason;
  detail: string;
  /** TSIG owner name as received, when the TSIG RR could be read. */
  keyName?: string;
}

/** A verified TSIG, with what is needed to sign the response. */
export interface TsigVerified {
  status: 'ok';
  /** The keyring entry that verified the MAC. */
  key: TsigKey;
  /** Key name as it appeared on the wire. */
  keyName: string;
  /** Algorithm name as it appeared on the wire. */
  algorithm: string;
  mac: Uint8Array;
  timeSigned: number;
  fudge: number;
  originalId: number;
  error: number;
}

/** The message carries no TSIG at all. */
export interface TsigAbsent {
  status: 'unsigned';
}

export type TsigVerification = TsigVerified | TsigFailure | TsigAbsent;

export interface TsigVerifyOptions {
  /** The already-decoded `wire`, to skip decoding it again. */
  message?: DnsMessage;
  /** Set when verifying a response: the MAC of our request (RFC 8945 §5.3). */
  requestMac?: Uint8Array;
  /**
   * Largest fudge honoured, seconds. The fudge is the signer's choice: a
   * message claiming a fudge of hours stays replayable for hours. Unset:
   * the message's own fudge (RFC 8945 as written).
   */
  maxFudge?: number;
}

const PEER_ERRORS: Partial<Record<number, TsigFailureCode>> = {
  [Rcode.BADSIG]: 'BADSIG',
  [Rcode.BADKEY]: 'BADKEY',
  [Rcode.BADTIME]: 'BADTIME',
};

function fail(
  status: TsigFailureCode,
  reason: TsigFailureReason,
  detail: string,
  keyName?: string,
): TsigFailure {
  return keyName === undefined ? { status, reason, detail } : { status, reason, detail, keyName };
}

/**
 * Verifies the TSIG of a received message at time `now` (seconds), in the
 * RFC 8945 §5.2 order: structure (FORMERR), key and algorithm (BADKEY), MAC
 * (BADSIG, constant-time compare; truncated MACs are not accepted), then
 * time (BADTIME: |now − time signed| > the message's own fudge). Never throws.
 */
export function verifyTsig(
  wire: Uint8Array,
  keyring: TsigKeyring,
  now: number,
  options: TsigVerifyOptions = {},
): TsigVerification {
  let msg = options.message;
  if (msg === undefined) {
    const decoded = decodeMessage(wire);
    if (!decoded.ok) return fail('FORMERR', 'decode', `message does not decode: ${decoded.detail}`);
    msg = decoded.value;
  }
  const sections = [msg.answers, msg.authorities, msg.additionals];
  let count = 0;
  for (const section of sections) for (const rr of section) if (rr.type === RRType.TSIG) count++;
  if (count === 0) return { status: 'unsigned' };
  const rr = msg.additionals[msg.additionals.length - 1];
  if (count > 1 || rr === undefined || rr.type !== RRType.TSIG || rr.data.kind !== 'TSIG') {
    return fail('FORMERR', 'placement', 'TSIG must be the single, last additional record');
  }
  const keyName = rr.name;
  const tsig = rr.data;
  if (rr.class !== RRClass.ANY || rr.ttl !== 0) {
    return fail('FORMERR', 'class-ttl', 'TSIG record must have class ANY and TTL 0', keyName);
  }
  const offset = lastRecordOffset(wire);
  if (offset === undefined)
    return fail('FORMERR', 'placement', 'cannot locate the TSIG record', keyName);

  if (options.requestMac !== undefined && tsig.error !== 0) {
    const code = PEER_ERRORS[tsig.error] ?? 'FORMERR';
    return fail(code, 'peer-error', `peer reported TSIG error ${tsig.error}`, keyName);
  }
  let keyLookup: string;
  try {
    keyLookup = canonicalName(keyName);
  } catch {
    return fail('FORMERR', 'key-name', 'unusable TSIG key name', keyName);
  }
  const key = keyring.get(keyLookup);
  if (key === undefined) return fail('BADKEY', 'unknown-key', `unknown key ${keyName}`, keyName);
  if (!isHmacSha256(tsig.algorithm)) {
    return fail(
      'BADKEY',
      'unsupported-algorithm',
      `unsupported algorithm ${tsig.algorithm}`,
      keyName,
    );
  }
  if (!isHmacSha256(key.algorithm)) {
    return fail(
      'BADKEY',
      'algorithm-mismatch',
      `key uses ${key.algorithm}, request uses ${tsig.algorithm}`,
      keyName,
    );
  }
  // RFC 8945 §5.2.2.1: longer than the hash, or shorter than half of it, is malformed.
  if (tsig.mac.length > HMAC_SHA256_SIZE || tsig.mac.length < HMAC_SHA256_SIZE / 2) {
    return fail('FORMERR', 'mac-length', `MAC of ${tsig.mac.length} octets`, keyName);
  }
  if (tsig.mac.length !== HMAC_SHA256_SIZE) {
    return fail('BADSIG', 'mac-length', 'truncated MACs are not accepted', keyName);
  }
  let expected: Uint8Array;
  try {
    const arcount = readU16(wire, 10) - 1;
    const input = buildMacInput(wire, offset, arcount, { ...tsig, keyName }, options.requestMac);
    expected = hmacSha256(key.secret, input);
  } catch {
    // Decoded names always re-encode, so this is unreachable; kept so a
    // verifier bug cannot turn hostile input into an exception.
    return fail('FORMERR', 'key-name', 'cannot build the MAC input', keyName);
  }
  if (!constantTimeEqual(expected, tsig.mac)) {
    return fail('BADSIG', 'mac', 'MAC does not verify', keyName);
  }
  const fudge =
    options.maxFudge === undefined ? tsig.fudge : Math.min(tsig.fudge, options.maxFudge);
  if (Math.abs(now - tsig.timeSigned) > fudge) {
    return fail(
      'BADTIME',
      'time',
      `time signed ${tsig.timeSigned} is outside ${now} ± ${fudge}`,
      keyName,
    );
  }
  return {
    status: 'ok',
    key,
    keyName,
    algorithm: tsig.algorithm,
    mac: tsig.mac,
    timeSigned: tsig.timeSigned,
    fudge: tsig.fudge,
    originalId: tsig.originalId,
    error: tsig.error,
  };
}

/** Largest fudge a server honours: the 300 s every DMP client sends (RFC 8945 §10 recommends 300). */
export const SERVER_MAX_FUDGE = 300;

/**
 * Server side: verifies a request's TSIG (see {@link verifyTsig}), honouring
 * a fudge of at most {@link SERVER_MAX_FUDGE} (the reference honours any).
 */
export function verifyRequest(
  wire: Uint8Array,
  keyring: TsigKeyring,
  now: number,
  message?: DnsMessage,
): TsigVerification {
  return verifyTsig(wire, keyring, now, {
    maxFudge: SERVER_MAX_FUDGE,
    ...(message === undefined ? {} : { message }),
  });
}

/**
 * Client side: verifies a response to a request we signed with `key` and whose
 * MAC was `requestMac`. A response without TSIG reports `unsigned` (the DMP
 * reference answers TSIG failures with an unsigned NOTAUTH stub).
 */
export function verifyResponse(
  wire: Uint8Array,
  key: TsigKey,
  requestMac: Uint8Array,
  now: number,
): TsigVerification {
  const keyring: TsigKeyring = {
    get: (name) => (name === canonicalName(key.name) ? key : undefined),
  };
  return verifyTsig(wire, keyring, now, { requestMac });
}

/**
 * Signs a response to a verified request: same key (named as the request
 * named it), the request's algorithm name, fudge 300, time `now`, error 0,
 * original ID = the response's ID, and the request MAC chained in (RFC 8945
 * §5.3). The DMP reference signs every response to a verified request,
 * whatever its RCODE. `response` may be a message or its unsigned encoding.
 */
export function signResponse(
  response: DnsMessage | Uint8Array,
  request: TsigVerified,
  now: number,
): TsigSigned {
  const key: TsigKey = { ...request.key, name: request.keyName, algorithm: request.algorithm };
  const options: TsigSignOptions = { timeSigned: Math.floor(now), requestMac: request.mac };
  return response instanceof Uint8Array
    ? signWire(response, key, options)
    : signMessage(response, key, options);
}

/**
 * The reply the DMP reference sends when a request's TSIG fails (node spec
 * §1.2): the 12-octet header alone — same ID, QR=1, the request's opcode,
 * AA/TC/RD/RA clear, RCODE NOTAUTH, all counts zero, no TSIG.
 */
export function tsigFailureStub(id: number, opcode: number): Uint8Array {
  check(Number.isInteger(id) && id >= 0 && id <= 0xffff, `message id out of range: ${id}`);
  check(Number.isInteger(opcode) && opcode >= 0 && opcode <= 15, `opcode out of range: ${opcode}`);
  const out = new Uint8Array(HEADER_SIZE);
  out[0] = id >>> 8;
  out[1] = id & 0xff;
  out[2] = 0x80 | (opcode << 3);
  out[3] = Rcode.NOTAUTH;
  return out;
}
