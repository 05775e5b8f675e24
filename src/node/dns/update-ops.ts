/**
 * RFC 2136 §3.4.1 prescan of the update section, turning each RR into a
 * record-store op (node spec §2.3):
 *
 * | Update RR (§2.5)                      | Op                        |
 * |---------------------------------------|---------------------------|
 * | class IN, TXT, RDATA                  | add (TTL 0 → 60, as the reference) |
 * | class NONE, TXT, RDATA, TTL 0         | delete that value         |
 * | class ANY, TXT, no RDATA, TTL 0       | delete the TXT RRset      |
 * | class ANY, ANY, no RDATA, TTL 0       | delete every RRset at the name — here the TXT RRset |
 *
 * Failures, first one in packet order wins: owner outside the zone →
 * NOTZONE; a class/TTL/RDATA combination §2.5 does not define, a meta type
 * where data is expected, an empty or non-UTF-8 TXT → FORMERR. Only when
 * the whole section is well formed: any RR of a type other than TXT →
 * REFUSED — the node serves TXT data only, and silently skipping such RRs
 * (as the reference did) would report success for changes never made.
 *
 * Owner names become canonical (lower case, no trailing dot), the form the
 * store, the scope check and the claim check all use.
 */
import { Rcode, RRType } from '../../dns/wire/constants.js';
import type { DnsRecord } from '../../dns/wire/message.js';
import { canonicalName, isSubdomain } from '../../dns/wire/name.js';
import { txtValue } from '../../dns/wire/txt.js';
import { classifyUpdate } from '../../dns/wire/update.js';
import type { StoreOp } from '../store/types.js';

/** TTL stored for an add that asks for 0 (node spec §2.3). */
export const ZERO_TTL_REPLACEMENT = 60;

/** Types that only make sense in questions (RFC 6895 §3.1: 128–255 are meta/QTYPEs), plus OPT. */
function isMetaType(type: number): boolean {
  return (type >= 128 && type <= 255) || type === RRType.OPT;
}

/** The TXT value of an RR with data, or `undefined` if empty or not UTF-8. */
function txtOf(rr: DnsRecord): string | undefined {
  if (rr.data.kind !== 'TXT' || rr.data.strings.length === 0) return undefined;
  return txtValue(rr.data);
}

/**
 * Appends the ops of `updates` to `out` and returns NOERROR, or returns the
 * RCODE that rejects the UPDATE (NOTZONE, FORMERR, REFUSED); `out` is then
 * meaningless. `zone` is canonical.
 */
export function extractUpdateOps(
  updates: readonly DnsRecord[],
  zone: string,
  out: StoreOp[],
): number {
  let unsupported = false;
  for (const rr of updates) {
    const name = canonicalName(rr.name);
    if (!isSubdomain(name, zone)) return Rcode.NOTZONE;
    const txt = rr.type === RRType.TXT;
    switch (classifyUpdate(rr)) {
      case 'add': {
        if (isMetaType(rr.type)) return Rcode.FORMERR;
        if (!txt) {
          unsupported = true;
          break;
        }
        const value = txtOf(rr);
        if (value === undefined) return Rcode.FORMERR;
        const ttl = rr.ttl === 0 ? ZERO_TTL_REPLACEMENT : rr.ttl;
        out.push({ kind: 'add', name, value, ttl });
        break;
      }
      case 'delete-rr': {
        if (isMetaType(rr.type)) return Rcode.FORMERR;
        if (!txt) {
          unsupported = true;
          break;
        }
        const value = txtOf(rr);
        if (value === undefined) return Rcode.FORMERR;
        out.push({ kind: 'delete-value', name, value });
        break;
      }
      case 'delete-rrset':
        if (isMetaType(rr.type)) return Rcode.FORMERR;
        if (txt) out.push({ kind: 'delete-name', name });
        else unsupported = true;
        break;
      case 'delete-all':
        out.push({ kind: 'delete-name', name });
        break;
      default:
        return Rcode.FORMERR;
    }
  }
  return unsupported ? Rcode.REFUSED : Rcode.NOERROR;
}
