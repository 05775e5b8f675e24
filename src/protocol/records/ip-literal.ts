/**
 * IP literal recognition and non-public classification for heartbeat
 * endpoints (node.md §6.4), matching Python's `ipaddress.ip_address` and the
 * `is_loopback / is_private / is_link_local / is_multicast / is_reserved /
 * is_unspecified` union the reference refuses.
 *
 * Classification tables follow the current CPython 3.11 maintenance line
 * (the reference image is `python:3.11-slim`), which counts every
 * IANA "not globally reachable" block as private — documentation ranges
 * included — and treats IPv4-mapped IPv6 addresses as reserved (`::/8`).
 */

/** A parsed literal: IPv4 as a 32-bit value, IPv6 as eight 16-bit groups. */
export type IpLiteral =
  | { readonly version: 4; readonly value: number }
  | { readonly version: 6; readonly groups: readonly number[] };

function isDecimalDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function isHexDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) return false;
  }
  return true;
}

/**
 * Strict dotted quad: four decimal octets 0..255, no leading zeros, no
 * shorthand (`127.1`, `0x7f.0.0.1` and `010.0.0.1` are host names, not IPs).
 */
export function parseIPv4(text: string): number | undefined {
  if (text.includes('/')) return undefined;
  const octets = text.split('.');
  if (octets.length !== 4) return undefined;
  let value = 0;
  for (const octet of octets) {
    if (!isDecimalDigits(octet) || octet.length > 3) return undefined;
    if (octet.length > 1 && octet[0] === '0') return undefined;
    const n = Number(octet);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/**
 * IPv6 text form with `::` compression, an optional dotted-quad tail and an
 * optional `%zone` suffix (ignored for classification). Returns the eight
 * groups.
 */
export function parseIPv6(text: string): number[] | undefined {
  if (text.includes('/')) return undefined;
  let address = text;
  const percent = text.indexOf('%');
  if (percent >= 0) {
    const zone = text.slice(percent + 1);
    if (zone.length === 0 || zone.includes('%')) return undefined;
    address = text.slice(0, percent);
  }
  if (address.length === 0) return undefined;
  const parts = address.split(':');
  if (parts.length < 3) return undefined;
  const last = parts[parts.length - 1]!;
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    parts.pop();
    parts.push((v4 >>> 16).toString(16), (v4 & 0xffff).toString(16));
  }
  if (parts.length > 9) return undefined;
  let skip = -1;
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] === '') {
      if (skip >= 0) return undefined;
      skip = i;
    }
  }
  let hi: number;
  let lo: number;
  if (skip >= 0) {
    hi = skip;
    lo = parts.length - skip - 1;
    if (parts[0] === '' && --hi !== 0) return undefined;
    if (parts[parts.length - 1] === '' && --lo !== 0) return undefined;
    if (8 - (hi + lo) < 1) return undefined;
  } else {
    if (parts.length !== 8) return undefined;
    hi = 8;
    lo = 0;
  }
  const groups: number[] = [];
  const pushGroup = (part: string): boolean => {
    if (part.length === 0 || part.length > 4 || !isHexDigits(part)) return false;
    groups.push(Number.parseInt(part, 16));
    return true;
  };
  for (let i = 0; i < hi; i++) if (!pushGroup(parts[i]!)) return undefined;
  while (groups.length < 8 - lo) groups.push(0);
  for (let i = parts.length - lo; i < parts.length; i++)
    if (!pushGroup(parts[i]!)) return undefined;
  return groups;
}

/** Python `ipaddress.ip_address(text)`: IPv4 first, then IPv6; `undefined` for anything else. */
export function parseIpLiteral(text: string): IpLiteral | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const groups = parseIPv6(text);
  return groups === undefined ? undefined : { version: 6, groups };
}

type V4Block = readonly [base: number, prefix: number];

/** Private (not globally reachable), loopback, link-local, reserved and unspecified IPv4 blocks. */
const IPV4_PRIVATE: readonly V4Block[] = [
  [0x00000000, 8], // 0.0.0.0/8 ("this network", includes unspecified)
  [0x0a000000, 8], // 10.0.0.0/8
  [0x7f000000, 8], // 127.0.0.0/8 loopback
  [0xa9fe0000, 16], // 169.254.0.0/16 link-local
  [0xac100000, 12], // 172.16.0.0/12
  [0xc0000000, 24], // 192.0.0.0/24 IETF protocol assignments
  [0xc00000aa, 31], // 192.0.0.170/31
  [0xc0000200, 24], // 192.0.2.0/24 TEST-NET-1
  [0xc0a80000, 16], // 192.168.0.0/16
  [0xc6120000, 15], // 198.18.0.0/15 benchmarking
  [0xc6336400, 24], // 198.51.100.0/24 TEST-NET-2
  [0xcb007100, 24], // 203.0.113.0/24 TEST-NET-3
  [0xf0000000, 4], // 240.0.0.0/4 reserved
  [0xffffffff, 32], // limited broadcast
];
/** Globally reachable exceptions inside 192.0.0.0/24 (PCP anycast, TURN anycast). */
const IPV4_PRIVATE_EXCEPTIONS: readonly V4Block[] = [
  [0xc0000009, 32],
  [0xc000000a, 32],
];
const IPV4_MULTICAST: V4Block = [0xe0000000, 4];

function inV4Block(value: number, [base, prefix]: V4Block): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (value & mask) >>> 0 === base;
}

type V6Block = readonly [groups: readonly number[], prefix: number];

const v6 = (groups: number[], prefix: number): V6Block => [
  [...groups, ...new Array<number>(8 - groups.length).fill(0)],
  prefix,
];

/** Non-public IPv6 blocks: private list, link-local, multicast and the reserved table. */
const IPV6_NON_PUBLIC: readonly V6Block[] = [
  // Reserved: every /3 except 2000::/3, plus the unassigned bits of the top /3s.
  // `::/8` covers ::, ::1, IPv4-mapped/compatible and 64:ff9b::/96.
  v6([0x0000], 8),
  v6([0x0100], 8),
  v6([0x0200], 7),
  v6([0x0400], 6),
  v6([0x0800], 5),
  v6([0x1000], 4),
  v6([0x4000], 3),
  v6([0x6000], 3),
  v6([0x8000], 3),
  v6([0xa000], 3),
  v6([0xc000], 3),
  v6([0xe000], 4),
  v6([0xf000], 5),
  v6([0xf800], 6),
  v6([0xfe00], 9),
  // Private inside 2000::/3.
  v6([0x2001, 0x0db8], 32), // documentation
  v6([0x2002], 16), // 6to4
  v6([0x3fff], 20), // documentation (RFC 9637)
  // Unique local, link-local, multicast.
  v6([0xfc00], 7),
  v6([0xfe80], 10),
  v6([0xff00], 8),
];
/** 2001::/23 (IETF protocol assignments) is private except these globally reachable blocks. */
const IPV6_2001_23: V6Block = v6([0x2001, 0x0000], 23);
const IPV6_2001_23_EXCEPTIONS: readonly V6Block[] = [
  v6([0x2001, 0x0001, 0, 0, 0, 0, 0, 1], 128),
  v6([0x2001, 0x0001, 0, 0, 0, 0, 0, 2], 128),
  v6([0x2001, 0x0003], 32),
  v6([0x2001, 0x0004, 0x0112], 48),
  v6([0x2001, 0x0020], 28),
  v6([0x2001, 0x0030], 28),
];

function inV6Block(groups: readonly number[], [base, prefix]: V6Block): boolean {
  for (let i = 0, bits = prefix; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((groups[i]! & mask) !== base[i]) return false;
  }
  return true;
}

/**
 * True when the reference refuses `ip` as a heartbeat endpoint host: any of
 * loopback, private, link-local, multicast, reserved or unspecified.
 */
export function isNonPublicIp(ip: IpLiteral): boolean {
  if (ip.version === 4) {
    if (inV4Block(ip.value, IPV4_MULTICAST)) return true;
    return (
      IPV4_PRIVATE.some((block) => inV4Block(ip.value, block)) &&
      !IPV4_PRIVATE_EXCEPTIONS.some((block) => inV4Block(ip.value, block))
    );
  }
  if (IPV6_NON_PUBLIC.some((block) => inV6Block(ip.groups, block))) return true;
  return (
    inV6Block(ip.groups, IPV6_2001_23) &&
    !IPV6_2001_23_EXCEPTIONS.some((block) => inV6Block(ip.groups, block))
  );
}
