/**
 * What the DNS responder needs from the node configuration (node spec §1.3,
 * §1.4, §2.1, §2.4, §2.8, §7.1), and its compiled form: the served zone in
 * canonical text and label count, and the apex RDATA (RFC 1035 §3.3.13 SOA,
 * §3.3.11 NS, §3.4.1 A; RFC 3596 AAAA) encoded once at start-up so the hot
 * path only copies bytes.
 *
 * {@link NodeResponderConfig} is a structural subset of `NodeConfig`, so the
 * daemon passes its whole configuration.
 */
import { parseIPv4, parseIPv6 } from '../../dns/wire/ip.js';
import { canonicalName, nameToWire, ROOT_NAME } from '../../dns/wire/name.js';
import { type WriterLimits, writerLimitsFrom } from '../writer-limits.js';
import type { UpdateBudgets } from './update-budgets.js';

/** Configuration read by {@link createNodeResponder}. */
export interface NodeResponderConfig {
  /** The served zone (any case, trailing dot optional). */
  readonly zone: string;
  readonly dns: {
    /** TTL of every answer, and the SOA MINIMUM (negative-caching TTL). */
    readonly ttl: number;
    /** Answer DNS Cookies (RFC 7873; default true). False ignores the COOKIE option. */
    readonly cookies?: boolean | undefined;
  };
  readonly apex: {
    readonly a?: string | undefined;
    readonly aaaa?: string | undefined;
    /** Apex NS target; also the SOA MNAME. */
    readonly ns?: string | undefined;
    /** SOA RNAME (`hostmaster.example.com`; a mailbox form `a@b` is accepted). */
    readonly soaRname?: string | undefined;
  };
  readonly update: {
    readonly enabled: boolean;
    /** Accept unsigned claim UPDATEs from anyone (M8.3 first-contact provider). */
    readonly claimProvider: boolean;
    /** Accept unsigned claims for registered recipients only (M10). */
    readonly receiverClaims: boolean;
    /** Longest claim lifetime and stored TTL, seconds (≤ 0: no cap). */
    readonly claimMaxTtl: number;
    /** Per-(network, recipient) claim bucket (used when no limiter is injected). */
    readonly claimRatePerSecond?: number | undefined;
    readonly claimBurst?: number | undefined;
    /** UPDATE budgets; unset fields take `DEFAULT_UPDATE_BUDGETS`. */
    readonly budgets?: Partial<UpdateBudgets> | undefined;
  };
  readonly caps: {
    /** Largest TTL an UPDATE may ask for (≤ 0: no cap). */
    readonly maxTtl: number;
    /** Largest value in UTF-8 bytes (≤ 0: no cap). */
    readonly maxValueBytes: number;
    /** Most values an RRset may hold after an UPDATE (≤ 0: no cap). */
    readonly maxValuesPerName: number;
  } & Partial<WriterLimits>;
}

/** SOA timers besides SERIAL (node spec §1.4); MINIMUM is the DNS TTL. */
export const SOA_REFRESH = 3600;
export const SOA_RETRY = 600;
export const SOA_EXPIRE = 604_800;

/** Apex records, pre-encoded. Each field is present only when configured. */
export interface CompiledApex {
  /** A RDATA (4 octets). */
  readonly a?: Uint8Array;
  /** AAAA RDATA (16 octets). */
  readonly aaaa?: Uint8Array;
  /** NS RDATA: the uncompressed target name. */
  readonly ns?: Uint8Array;
  /** SOA MNAME ‖ RNAME, uncompressed; the five timers are written per response. */
  readonly soaNames?: Uint8Array;
}

/** The configuration in the form the request path uses. */
export interface CompiledResponderConfig {
  /** Canonical zone: lower case, no trailing dot. */
  readonly zone: string;
  /** Labels in the zone name. */
  readonly zoneLabels: number;
  readonly ttl: number;
  readonly apex: CompiledApex;
  readonly update: NodeResponderConfig['update'];
  readonly caps: NodeResponderConfig['caps'];
  /** Per-writer limits (`writer-limits.ts`), defaults filled in. */
  readonly writerLimits: WriterLimits;
}

const MAX_TTL = 0x7fff_ffff;

function checkTtl(ttl: number, what: string): void {
  if (!Number.isSafeInteger(ttl) || ttl < 0 || ttl > MAX_TTL) {
    throw new RangeError(`${what} must be an integer in 0..${MAX_TTL}, got ${ttl}`);
  }
}

function nameWire(name: string, what: string): Uint8Array {
  try {
    return nameToWire(name);
  } catch (err) {
    throw new RangeError(`${what} ${JSON.stringify(name)} is not a domain name: ${String(err)}`);
  }
}

/** `name` if it parses as presentation text (escapes included). */
function nameText(name: string, what: string): string {
  nameWire(name === '' ? '.' : name, what);
  return name;
}

/** RFC 1035 §8: the first `@` of a mailbox becomes the label separator. */
function mailboxName(rname: string): string {
  const at = rname.indexOf('@');
  return at < 0 ? rname : `${rname.slice(0, at)}.${rname.slice(at + 1)}`;
}

function compileApex(apex: NodeResponderConfig['apex']): CompiledApex {
  const out: { -readonly [K in keyof CompiledApex]: CompiledApex[K] } = {};
  if (apex.a) {
    const a = parseIPv4(apex.a);
    if (a === undefined) throw new RangeError(`apex A ${JSON.stringify(apex.a)} is not IPv4`);
    out.a = a;
  }
  if (apex.aaaa) {
    const aaaa = parseIPv6(apex.aaaa);
    if (aaaa === undefined) {
      throw new RangeError(`apex AAAA ${JSON.stringify(apex.aaaa)} is not IPv6`);
    }
    out.aaaa = aaaa;
  }
  if (apex.ns) {
    out.ns = nameWire(apex.ns, 'apex NS');
    if (apex.soaRname) {
      const rname = nameWire(mailboxName(apex.soaRname), 'SOA RNAME');
      const names = new Uint8Array(out.ns.length + rname.length);
      names.set(out.ns, 0);
      names.set(rname, out.ns.length);
      out.soaNames = names;
    }
  }
  return out;
}

/**
 * Validates and compiles `config`. Throws `RangeError` naming the bad field
 * (this runs once at start-up; the request path never throws on config).
 */
export function compileResponderConfig(config: NodeResponderConfig): CompiledResponderConfig {
  const zone = canonicalName(nameText(config.zone.trim(), 'zone'));
  if (zone === ROOT_NAME || zone === '') throw new RangeError('the served zone must be set');
  const zoneWire = nameWire(zone, 'zone');
  checkTtl(config.dns.ttl, 'dns.ttl');
  return {
    zone,
    zoneLabels: wireLabelCount(zoneWire),
    ttl: config.dns.ttl,
    apex: compileApex(config.apex),
    update: config.update,
    caps: config.caps,
    writerLimits: writerLimitsFrom(config.caps),
  };
}

/** Labels of an uncompressed wire name. */
function wireLabelCount(wire: Uint8Array): number {
  let labels = 0;
  for (let pos = 0; wire[pos]! !== 0; pos += 1 + wire[pos]!) labels++;
  return labels;
}
