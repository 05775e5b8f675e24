/**
 * RFC 2136 §3.2 prerequisite section (the reference ignored it; evaluating
 * it lets `nsupdate` users write conditional updates such as "add only if
 * the RRset is absent"):
 *
 * | Prerequisite RR (§2.4)         | Must hold                  | Else     |
 * |--------------------------------|----------------------------|----------|
 * | class ANY, type ANY            | name is in use             | NXDOMAIN |
 * | class ANY, type T              | an RRset of T exists       | NXRRSET  |
 * | class NONE, type ANY           | name is not in use         | YXDOMAIN |
 * | class NONE, type T             | no RRset of T exists       | YXRRSET  |
 * | class IN, type T, RDATA (many) | the RRset equals them      | NXRRSET  |
 *
 * TTL ≠ 0, RDATA on ANY/NONE, or another class → FORMERR; owner outside the
 * zone → NOTZONE. The data is the zone as this node serves it: TXT RRsets
 * from the store, and at the apex the configured SOA / NS / A / AAAA; the
 * apex is always in use. Value-dependent prerequisites are compared for TXT
 * only — one on another type never holds (NXRRSET), since the synthesised
 * apex records are not meant to be edited or conditioned on.
 */
import { Rcode, RRClass, RRType } from '../../dns/wire/constants.js';
import type { DnsRecord } from '../../dns/wire/message.js';
import { canonicalName, isSubdomain } from '../../dns/wire/name.js';
import { txtValue } from '../../dns/wire/txt.js';
import { isEmptyRdata } from '../../dns/wire/update.js';
import type { RecordStore } from '../store/types.js';
import type { CompiledResponderConfig } from './responder-config.js';

function apexHas(config: CompiledResponderConfig, type: number): boolean {
  const apex = config.apex;
  switch (type) {
    case RRType.SOA:
      return apex.soaNames !== undefined;
    case RRType.NS:
      return apex.ns !== undefined;
    case RRType.A:
      return apex.a !== undefined;
    case RRType.AAAA:
      return apex.aaaa !== undefined;
    default:
      return false;
  }
}

function rrsetExists(
  name: string,
  type: number,
  config: CompiledResponderConfig,
  store: RecordStore,
  now: number,
): boolean {
  if (type === RRType.TXT) return store.countLive(name, now) > 0;
  return name === config.zone && apexHas(config, type);
}

function nameInUse(
  name: string,
  config: CompiledResponderConfig,
  store: RecordStore,
  now: number,
): boolean {
  return name === config.zone || store.countLive(name, now) > 0;
}

function sameValues(expected: ReadonlySet<string>, actual: readonly string[]): boolean {
  if (actual.length === 0) return false;
  const have = new Set(actual);
  if (have.size !== expected.size) return false;
  for (const v of expected) if (!have.has(v)) return false;
  return true;
}

/** NOERROR when every prerequisite holds, else the RCODE §3.2 prescribes. */
export function checkPrerequisites(
  prerequisites: readonly DnsRecord[],
  config: CompiledResponderConfig,
  store: RecordStore,
  now: number,
): number {
  if (prerequisites.length === 0) return Rcode.NOERROR;
  // §3.2.3: value-dependent RRs are gathered per name, then compared as sets.
  let wanted: Map<string, Set<string>> | undefined;
  let otherTypeWanted = false;
  for (const rr of prerequisites) {
    if (rr.ttl !== 0) return Rcode.FORMERR;
    const name = canonicalName(rr.name);
    if (!isSubdomain(name, config.zone)) return Rcode.NOTZONE;
    if (rr.class === RRClass.ANY || rr.class === RRClass.NONE) {
      if (!isEmptyRdata(rr.data)) return Rcode.FORMERR;
      const mustExist = rr.class === RRClass.ANY;
      if (rr.type === RRType.ANY) {
        if (nameInUse(name, config, store, now) !== mustExist) {
          return mustExist ? Rcode.NXDOMAIN : Rcode.YXDOMAIN;
        }
      } else if (rrsetExists(name, rr.type, config, store, now) !== mustExist) {
        return mustExist ? Rcode.NXRRSET : Rcode.YXRRSET;
      }
    } else if (rr.class === RRClass.IN) {
      if (rr.type !== RRType.TXT) {
        otherTypeWanted = true;
        continue;
      }
      const value = rr.data.kind === 'TXT' ? txtValue(rr.data) : undefined;
      if (value === undefined) return Rcode.FORMERR;
      wanted ??= new Map();
      const set = wanted.get(name);
      if (set === undefined) wanted.set(name, new Set([value]));
      else set.add(value);
    } else {
      return Rcode.FORMERR;
    }
  }
  if (otherTypeWanted) return Rcode.NXRRSET;
  if (wanted !== undefined) {
    for (const [name, values] of wanted) {
      if (!sameValues(values, store.query(name, now))) return Rcode.NXRRSET;
    }
  }
  return Rcode.NOERROR;
}
