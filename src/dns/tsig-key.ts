/**
 * TSIG keys, keyrings and the MAC input layout of RFC 8945 §4.3.
 *
 * Only HMAC-SHA256 is implemented (the only algorithm DMP registration
 * mints); keys naming any other algorithm are refused by the verifier as
 * BADKEY and by the signer with an encode error.
 */
import { writeU16, writeU32 } from '../protocol/bytes.js';
import { RRClass } from './wire/constants.js';
import { check } from './wire/errors.js';
import { canonicalName, canonicalNameWire } from './wire/name.js';

/** Algorithm name of HMAC-SHA256 (RFC 8945 §6), without the trailing dot. */
export const HMAC_SHA256 = 'hmac-sha256';

/** Fudge every DMP client and server uses, in seconds. */
export const TSIG_FUDGE = 300;

/** Length of an untruncated HMAC-SHA256 MAC. */
export const HMAC_SHA256_SIZE = 32;

/** A shared secret. `name` is a domain name (trailing dot optional, any case). */
export interface TsigKey {
  name: string;
  /** Algorithm name, e.g. `hmac-sha256` (trailing dot optional, any case). */
  algorithm: string;
  secret: Uint8Array;
}

/** Key lookup by canonical name (lower case, no trailing dot; see `canonicalName`). */
export interface TsigKeyring {
  get(canonicalKeyName: string): TsigKey | undefined;
}

/**
 * A keyring over `keys`, looked up case-insensitively and with or without a
 * trailing dot. A later key with the same name replaces an earlier one.
 */
export function createTsigKeyring(keys: Iterable<TsigKey>): TsigKeyring {
  const map = new Map<string, TsigKey>();
  for (const key of keys) map.set(canonicalName(key.name), key);
  return map;
}

/** True when `algorithm` names HMAC-SHA256 in any case, with or without the final dot. */
export function isHmacSha256(algorithm: string): boolean {
  return canonicalName(algorithm) === HMAC_SHA256;
}

/** The TSIG fields that enter the MAC besides the message (RFC 8945 §4.3.3). */
export interface TsigMacFields {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  /** Written into the message header's ID field for the MAC (RFC 8945 §4.3.3). */
  originalId: number;
  error: number;
  other: Uint8Array;
}

/**
 * Builds the MAC input from the first `length` octets of `wire` (the message
 * without its TSIG RR) whose ARCOUNT is replaced by `arcount` and ID by the
 * original ID; for responses the request MAC is prefixed with its length
 * (RFC 8945 §4.3.1). Key and algorithm names are in canonical form:
 * uncompressed and lower-cased. One allocation.
 */
export function buildMacInput(
  wire: Uint8Array,
  length: number,
  arcount: number,
  fields: TsigMacFields,
  requestMac?: Uint8Array,
): Uint8Array {
  const keyWire = canonicalNameWire(fields.keyName);
  const algWire = canonicalNameWire(fields.algorithm);
  const prefix = requestMac === undefined ? 0 : 2 + requestMac.length;
  const total = prefix + length + keyWire.length + 6 + algWire.length + 12 + fields.other.length;
  const out = new Uint8Array(total);
  let pos = 0;
  if (requestMac !== undefined) {
    writeU16(out, 0, requestMac.length);
    out.set(requestMac, 2);
    pos = prefix;
  }
  out.set(wire.subarray(0, length), pos);
  writeU16(out, pos, fields.originalId);
  writeU16(out, pos + 10, arcount);
  pos += length;
  out.set(keyWire, pos);
  pos += keyWire.length;
  writeU16(out, pos, RRClass.ANY);
  writeU32(out, pos + 2, 0); // TTL
  pos += 6;
  out.set(algWire, pos);
  pos += algWire.length;
  check(
    Number.isInteger(fields.timeSigned) && fields.timeSigned >= 0 && fields.timeSigned < 2 ** 48,
    `TSIG time ${fields.timeSigned}`,
  );
  writeU16(out, pos, Math.floor(fields.timeSigned / 0x1_0000_0000));
  writeU32(out, pos + 2, fields.timeSigned % 0x1_0000_0000);
  writeU16(out, pos + 6, fields.fudge);
  writeU16(out, pos + 8, fields.error);
  writeU16(out, pos + 10, fields.other.length);
  out.set(fields.other, pos + 12);
  return out;
}

/**
 * The MAC input for a message without its TSIG RR (ARCOUNT not counting it):
 * `[len(requestMac) ‖ requestMac] ‖ message ‖ TSIG variables`. Exposed for
 * interop tests and diagnostics; signing and verifying build it internally.
 */
export function tsigMacInput(
  unsignedMessage: Uint8Array,
  fields: TsigMacFields,
  requestMac?: Uint8Array,
): Uint8Array {
  check(unsignedMessage.length >= 12, 'TSIG needs a message of at least 12 octets');
  const arcount = (unsignedMessage[10]! << 8) | unsignedMessage[11]!;
  return buildMacInput(unsignedMessage, unsignedMessage.length, arcount, fields, requestMac);
}
