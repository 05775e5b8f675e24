/**
 * Server side of DNS Cookies (RFC 7873 §5.2) with the Server Cookie layout
 * of RFC 9018 §4:
 *
 *   Version (1 octet, = 1) ‖ Reserved (3, zero) ‖ Timestamp (4, Unix
 *   seconds, serial-number arithmetic) ‖ Hash (8)
 *
 * Hash = the first 8 octets of HMAC-SHA-256(secret, Client Cookie ‖ Version
 * ‖ Reserved ‖ Timestamp ‖ client IP address). RFC 9018 specifies
 * SipHash-2-4 so that every server of an anycast set can verify the others'
 * cookies; only this node ever verifies its cookies, so any keyed PRF will
 * do, and HMAC-SHA-256 is what node:crypto provides (no SipHash there, and
 * no dependency for it). The secret is 32 random octets per process: a
 * restart invalidates every cookie, and clients simply receive new ones.
 *
 * A Server Cookie is accepted up to one hour old and up to five minutes
 * in the future (clock steps); one older than half an hour is replaced by a
 * fresh one in the reply (RFC 9018 §4.3). A valid Server Cookie proves that
 * the request came from the address the cookie was minted for, so it is
 * what lets the UDP listener exempt a request from rate limits.
 *
 * Cookies are never required: a request without one, or with an invalid
 * one, is answered normally and gets a fresh Server Cookie (§5.2.3, §5.2.4).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CLIENT_COOKIE_SIZE, type CookieOption } from '../../dns/wire/cookie.js';
import { parseIPv4, parseIPv6 } from '../../dns/wire/ip.js';

/** What a request's COOKIE option amounted to (for metrics). */
export type CookieOutcome =
  /** A Client Cookie alone: the client has no Server Cookie (yet). */
  | 'client-only'
  /** A Server Cookie this node minted for this client, in date. */
  | 'valid'
  /** A Server Cookie that is not ours, not for this address or client cookie, or expired. */
  | 'invalid'
  /** The option's length is malformed: FORMERR (RFC 7873 §5.2.2). */
  | 'malformed';

/** Length of the Server Cookies this node mints (RFC 9018 §4). */
export const SERVER_COOKIE_SIZE = 16;
const VERSION = 1;
/** Oldest accepted Server Cookie, seconds (RFC 9018 §4.3). */
export const COOKIE_MAX_AGE = 3600;
/** A Server Cookie older than this is replaced in the reply (RFC 9018 §4.3). */
export const COOKIE_REFRESH_AGE = 1800;
/** Furthest a Server Cookie's timestamp may lie in the future, seconds (RFC 9018 §4.3). */
export const COOKIE_MAX_FUTURE = 300;

export interface ServerCookieCheck {
  readonly outcome: Exclude<CookieOutcome, 'malformed'>;
  /** COOKIE option data for the reply: the Client Cookie ‖ a current Server Cookie. */
  readonly reply: Uint8Array;
}

/** Mints and verifies this node's Server Cookies. */
export class ServerCookies {
  private readonly secret: Uint8Array;
  // Hash input: client (8) ‖ version, reserved, timestamp (8) ‖ address (≤ 16).
  private readonly input = new Uint8Array(CLIENT_COOKIE_SIZE + 8 + 16);

  /** `secret` for tests; by default 32 random octets. */
  constructor(secret: Uint8Array = randomBytes(32)) {
    if (secret.length < 16) throw new RangeError('cookie secret must have at least 16 octets');
    this.secret = Uint8Array.from(secret);
  }

  /**
   * Checks `cookie` from a request that came from `address` at Unix time
   * `now` and builds the reply's COOKIE option.
   */
  check(cookie: CookieOption, address: string, now: number): ServerCookieCheck {
    const server = cookie.server;
    let outcome: ServerCookieCheck['outcome'] = 'client-only';
    let keep = false;
    if (server.length > 0) {
      const age = this.ageIfValid(cookie.client, server, address, now);
      outcome = age === undefined ? 'invalid' : 'valid';
      keep = age !== undefined && age < COOKIE_REFRESH_AGE;
    }
    const reply = new Uint8Array(CLIENT_COOKIE_SIZE + SERVER_COOKIE_SIZE);
    reply.set(cookie.client, 0);
    if (keep) reply.set(server, CLIENT_COOKIE_SIZE);
    else this.mintInto(cookie.client, address, now, reply, CLIENT_COOKIE_SIZE);
    return { outcome, reply };
  }

  /** A Server Cookie for `client` from `address` at Unix time `now`. */
  mint(client: Uint8Array, address: string, now: number): Uint8Array {
    const out = new Uint8Array(SERVER_COOKIE_SIZE);
    this.mintInto(client, address, now, out, 0);
    return out;
  }

  /** Age in seconds (negative: from the future) of a valid Server Cookie, else `undefined`. */
  private ageIfValid(
    client: Uint8Array,
    server: Uint8Array,
    address: string,
    now: number,
  ): number | undefined {
    if (server.length !== SERVER_COOKIE_SIZE || server[0] !== VERSION) return undefined;
    if (server[1] !== 0 || server[2] !== 0 || server[3] !== 0) return undefined;
    const stamp = ((server[4]! << 24) | (server[5]! << 16) | (server[6]! << 8) | server[7]!) >>> 0;
    // Serial-number arithmetic (RFC 1982): the signed 32-bit distance.
    const age = (now - stamp) | 0;
    if (age > COOKIE_MAX_AGE || age < -COOKIE_MAX_FUTURE) return undefined;
    const hash = this.hash(client, stamp, address);
    return timingSafeEqual(hash, server.subarray(8, 16)) ? age : undefined;
  }

  private mintInto(
    client: Uint8Array,
    address: string,
    now: number,
    out: Uint8Array,
    at: number,
  ): void {
    const stamp = now >>> 0;
    out[at] = VERSION;
    out[at + 1] = out[at + 2] = out[at + 3] = 0;
    out[at + 4] = stamp >>> 24;
    out[at + 5] = (stamp >>> 16) & 0xff;
    out[at + 6] = (stamp >>> 8) & 0xff;
    out[at + 7] = stamp & 0xff;
    out.set(this.hash(client, stamp, address), at + 8);
  }

  /** First 8 octets of HMAC-SHA-256 over client ‖ version ‖ reserved ‖ timestamp ‖ address. */
  private hash(client: Uint8Array, stamp: number, address: string): Uint8Array {
    const input = this.input;
    input.set(client.subarray(0, CLIENT_COOKIE_SIZE), 0);
    input[8] = VERSION;
    input[9] = input[10] = input[11] = 0;
    input[12] = stamp >>> 24;
    input[13] = (stamp >>> 16) & 0xff;
    input[14] = (stamp >>> 8) & 0xff;
    input[15] = stamp & 0xff;
    const ip = addressBytes(address);
    input.set(ip, 16);
    const mac = createHmac('sha256', this.secret)
      .update(input.subarray(0, 16 + ip.length))
      .digest();
    return mac.subarray(0, 8);
  }
}

const encoder = new TextEncoder();

/**
 * The client IP address in network order: 4 octets for IPv4 and for
 * IPv4-mapped IPv6 (the same client on a dual-stack socket), else 16. Text
 * that is no IP address (never from a socket) is hashed as its UTF-8, cut to
 * 16 octets.
 */
function addressBytes(address: string): Uint8Array {
  const zone = address.indexOf('%');
  const text = zone < 0 ? address : address.slice(0, zone);
  if (!text.includes(':')) return parseIPv4(text) ?? encoder.encode(text).subarray(0, 16);
  const v6 = parseIPv6(text);
  if (v6 === undefined) return encoder.encode(text).subarray(0, 16);
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.subarray(12) : v6;
}
