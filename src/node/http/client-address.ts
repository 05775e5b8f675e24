/**
 * Who a request comes from, for per-client limits and logs.
 *
 * The deploy docs put the HTTP API behind a reverse proxy; every request
 * then arrives from the proxy's address, and per-IP limits turn into one
 * node-wide limit (the reference has no remedy). With `DMP_TRUSTED_PROXIES`
 * (addresses or CIDR prefixes) the client is taken from `X-Forwarded-For`,
 * but only when the TCP peer is one of those proxies: walking the header
 * from the right, the first address that is not a trusted proxy is the
 * client (what each trusted hop appended). Without trusted proxies, or from
 * any other peer, the header is ignored — anyone can write it.
 *
 * Limits key IPv6 clients by their /64 (one host usually holds a whole /64
 * and can change addresses at will) and treat `::ffff:a.b.c.d` as the IPv4
 * address it is.
 */
import { BlockList, isIP } from 'node:net';

/** `::ffff:a.b.c.d` → `a.b.c.d`; a zone suffix dropped; other text unchanged. */
export function normalizeAddress(address: string): string {
  let a = address.trim();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped ? mapped[1]! : a.toLowerCase();
}

/** The key a per-client limiter uses: the IPv4 address, or the IPv6 /64 prefix. */
export function limiterKey(address: string): string {
  const a = normalizeAddress(address);
  if (isIP(a) !== 6) return a;
  return `${expandIPv6(a).slice(0, 4).join(':')}::/64`;
}

/** Eight 16-bit groups of a valid IPv6 text (hex, no leading zeros). */
function expandIPv6(a: string): string[] {
  let text = a;
  // An embedded IPv4 tail becomes two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => Number.parseInt(g || '0', 16).toString(16));
}

/** Resolves the client address of a request; see the module comment. */
export class ClientAddressResolver {
  private readonly trusted: BlockList | undefined;

  /**
   * @param trustedProxies addresses or CIDR prefixes (`10.0.0.0/8`, `::1`).
   * @throws RangeError naming the first entry that is neither.
   */
  constructor(trustedProxies: readonly string[] = []) {
    if (trustedProxies.length === 0) return;
    const list = new BlockList();
    for (const raw of trustedProxies) {
      const entry = raw.trim();
      const slash = entry.indexOf('/');
      const address = normalizeAddress(slash < 0 ? entry : entry.slice(0, slash));
      const family = isIP(address);
      const bits = slash < 0 ? undefined : Number(entry.slice(slash + 1));
      const maxBits = family === 4 ? 32 : 128;
      if (
        family === 0 ||
        (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= maxBits))
      ) {
        throw new RangeError(
          `trusted proxy ${JSON.stringify(raw)} is not an address or CIDR prefix`,
        );
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) list.addAddress(address, type);
      else list.addSubnet(address, bits, type);
    }
    this.trusted = list;
  }

  private isTrusted(address: string): boolean {
    if (this.trusted === undefined) return false;
    const family = isIP(address);
    return family !== 0 && this.trusted.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** The client's address: the peer, or from `X-Forwarded-For` when the peer is a trusted proxy. */
  resolve(peer: string, forwardedFor: string | string[] | undefined): string {
    const direct = normalizeAddress(peer);
    if (!this.isTrusted(direct) || forwardedFor === undefined) return direct;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((h) => normalizeAddress(h))
      .filter((h) => h !== '');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (isIP(hop) === 0) return direct; // a malformed hop: trust nothing beyond the proxy
      if (!this.isTrusted(hop)) return hop;
    }
    return hops[0] ?? direct;
  }
}
