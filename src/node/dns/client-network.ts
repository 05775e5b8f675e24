/**
 * Client network prefixes for response-rate limiting. RRL (as in BIND, Knot
 * and NSD) accounts responses per client *network*, not per address: one
 * attacker or one resolver farm usually spans a whole IPv4 /24 or IPv6 /56,
 * and IPv6 hosts can pick a fresh address per packet.
 *
 * The parser runs once per UDP response, so it reads the address text in
 * place and writes into a caller-owned object instead of allocating arrays
 * or substrings.
 */

/** A client network: the masked address prefix as two 32-bit halves. */
export interface ClientNetwork {
  /** 4 or 6; 0 when the text was not an IP address (all such share one bucket). */
  family: 0 | 4 | 6;
  /** IPv4: the masked address. IPv6: bits 0–31 of the masked address. */
  hi: number;
  /** IPv4: 0. IPv6: bits 32–63 of the masked address (prefixes longer than 64 are cut to 64). */
  lo: number;
}

/** Creates a reusable {@link ClientNetwork} holder. */
export function newClientNetwork(): ClientNetwork {
  return { family: 0, hi: 0, lo: 0 };
}

// Scratch for the eight IPv6 groups; safe to share because parsing is synchronous.
const groups = new Uint16Array(8);

function mask32(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** Parses dotted-quad text in `s[from, to)` as a uint32, or -1 when malformed. */
function parseV4(s: string, from: number, to: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return -1; // no leading zeros, as the codec
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/**
 * Fills `groups` from IPv6 text `s[0, end)` (RFC 4291 §2.2 forms, including
 * `::` and a dotted-quad tail). Returns false when malformed.
 */
function parseV6(s: string, end: number): boolean {
  let n = 0; // groups written
  let gap = -1; // index in `groups` where `::` stood
  let i = 0;
  if (end >= 2 && s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    gap = 0;
    i = 2;
  } else if (end > 0 && s.charCodeAt(0) === 58) {
    return false;
  }
  while (i < end) {
    if (n === 8) return false;
    const start = i;
    let value = 0;
    while (i < end) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      i++;
    }
    const len = i - start;
    if (i < end && s.charCodeAt(i) === 46) {
      // Dotted-quad tail: takes the last two group slots and must end the text.
      if (n > 6) return false;
      const v4 = parseV4(s, start, end);
      if (v4 < 0) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (len === 0 || len > 4) return false;
    groups[n++] = value;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    } else if (i === end) {
      return false; // trailing single colon
    }
  }
  if (gap < 0) return n === 8;
  if (n > 7) return false;
  // Slide the groups written after `::` to the end and zero the hole.
  const tail = n - gap;
  for (let k = 0; k < tail; k++) groups[7 - k] = groups[n - 1 - k]!;
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return true;
}

/**
 * Writes the network of `address` (as Node reports a peer: dotted IPv4, or
 * IPv6 text possibly with a `%zone`) masked to `v4Bits` / `v6Bits` into
 * `out`. IPv4-mapped IPv6 (`::ffff:a.b.c.d`, what a dual-stack socket
 * reports for IPv4 peers) counts as IPv4, so the same client gets the same
 * bucket whichever socket it reached.
 */
export function clientNetwork(
  address: string,
  v4Bits: number,
  v6Bits: number,
  out: ClientNetwork,
): void {
  let end = address.indexOf('%');
  if (end < 0) end = address.length;
  if (address.indexOf(':') < 0) {
    const v4 = parseV4(address, 0, end);
    if (v4 >= 0) {
      out.family = 4;
      out.hi = (v4 & mask32(v4Bits)) >>> 0;
      out.lo = 0;
      return;
    }
  } else if (parseV6(address, end)) {
    if (
      groups[0] === 0 &&
      groups[1] === 0 &&
      groups[2] === 0 &&
      groups[3] === 0 &&
      groups[4] === 0 &&
      groups[5] === 0xffff
    ) {
      out.family = 4;
      out.hi = ((groups[6]! * 0x10000 + groups[7]!) & mask32(v4Bits)) >>> 0;
      out.lo = 0;
      return;
    }
    out.family = 6;
    out.hi = ((groups[0]! * 0x10000 + groups[1]!) & mask32(v6Bits)) >>> 0;
    out.lo = ((groups[2]! * 0x10000 + groups[3]!) & mask32(v6Bits - 32)) >>> 0;
    return;
  }
  out.family = 0;
  out.hi = 0;
  out.lo = 0;
}

const keyScratch = newClientNetwork();

/**
 * The client network of `address` as a map key (`4:<prefix>` or
 * `6:<hi>:<lo>`; `0::` for text that is not an IP address), for per-network
 * budgets outside the RRL table: UPDATE budgets and the TCP connection cap.
 */
export function networkKey(address: string, v4Bits = 24, v6Bits = 56): string {
  clientNetwork(address, v4Bits, v6Bits, keyScratch);
  return `${keyScratch.family}:${keyScratch.hi}:${keyScratch.lo}`;
}
