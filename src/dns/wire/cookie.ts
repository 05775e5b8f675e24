/**
 * The EDNS COOKIE option (RFC 7873 §4): option code 10, a Client Cookie of
 * exactly 8 octets, optionally followed by a Server Cookie of 8 to 32
 * octets. Any other option length is malformed, which a server answers with
 * FORMERR (§5.2.2). The Server Cookie is opaque here; its layout (RFC 9018)
 * belongs to the server that mints it.
 */
import { encodeFail } from './errors.js';
import type { EdnsOption } from './rdata.js';

/** EDNS option code of COOKIE (RFC 7873 §8). */
export const EDNS_COOKIE = 10;
/** A Client Cookie is exactly this long (RFC 7873 §4). */
export const CLIENT_COOKIE_SIZE = 8;
/** Shortest and longest Server Cookie (RFC 7873 §4). */
export const MIN_SERVER_COOKIE_SIZE = 8;
export const MAX_SERVER_COOKIE_SIZE = 32;

/** A parsed COOKIE option. Both fields are views into the parsed bytes. */
export interface CookieOption {
  /** 8 octets. */
  readonly client: Uint8Array;
  /** Empty (a client that has no Server Cookie yet), or 8–32 octets. */
  readonly server: Uint8Array;
}

/** True when `length` is a well-formed COOKIE option length: 8, or 16 to 40. */
export function isCookieLength(length: number): boolean {
  return (
    length === CLIENT_COOKIE_SIZE ||
    (length >= CLIENT_COOKIE_SIZE + MIN_SERVER_COOKIE_SIZE &&
      length <= CLIENT_COOKIE_SIZE + MAX_SERVER_COOKIE_SIZE)
  );
}

/**
 * Parses COOKIE option data; `undefined` when its length is malformed
 * (RFC 7873 §5.2.2: the server answers FORMERR). Never throws.
 */
export function parseCookieOption(data: Uint8Array): CookieOption | undefined {
  if (!isCookieLength(data.length)) return undefined;
  return {
    client: data.subarray(0, CLIENT_COOKIE_SIZE),
    server: data.subarray(CLIENT_COOKIE_SIZE),
  };
}

/** Encodes COOKIE option data (Client ‖ Server Cookie); throws `DnsEncodeError` on bad lengths. */
export function encodeCookieOption(cookie: CookieOption): Uint8Array {
  const length = cookie.client.length + cookie.server.length;
  if (cookie.client.length !== CLIENT_COOKIE_SIZE || !isCookieLength(length)) {
    encodeFail(
      `COOKIE of ${cookie.client.length} + ${cookie.server.length} octets ` +
        '(client 8, server 0 or 8–32)',
    );
  }
  const out = new Uint8Array(length);
  out.set(cookie.client, 0);
  out.set(cookie.server, CLIENT_COOKIE_SIZE);
  return out;
}

/** Result of looking for COOKIE among an OPT record's options. */
export type CookieLookup =
  | { readonly status: 'absent' }
  | { readonly status: 'malformed' }
  | { readonly status: 'present'; readonly cookie: CookieOption };

const ABSENT: CookieLookup = { status: 'absent' };
const MALFORMED: CookieLookup = { status: 'malformed' };

/**
 * Finds the COOKIE option among `options`. Every COOKIE option must be well
 * formed (else `malformed`); when there are several, the first is used and
 * the others are ignored, as BIND does.
 */
export function findCookie(options: readonly EdnsOption[]): CookieLookup {
  let found: CookieLookup = ABSENT;
  for (const option of options) {
    if (option.code !== EDNS_COOKIE) continue;
    const cookie = parseCookieOption(option.data);
    if (cookie === undefined) return MALFORMED;
    if (found.status === 'absent') found = { status: 'present', cookie };
  }
  return found;
}
