/**
 * Operator resource caps on UPDATE (node spec §2.4; all paths, signed or
 * not): value size in UTF-8 bytes, TTL, and values per name. A cap ≤ 0 is
 * disabled. Violations are REFUSED (RFC 2136 §3.3: a policy refusal).
 *
 * Values per name are counted on the RRset the UPDATE would leave behind:
 * the unexpired values stored now, with this UPDATE's adds and deletes
 * applied in order. So "existing + added" with two refinements over the
 * reference's raw counter: re-adding a value already present (a TTL
 * refresh) adds nothing, and a delete in the same UPDATE makes room — the
 * HTTP path's rule, which the reference's UPDATE path did not follow.
 * The RRset left behind must also stay servable: see
 * {@link MAX_RRSET_WIRE_BYTES}.
 */
import type { RecordStore, StoreOp } from '../store/types.js';

/**
 * Largest RRset (its TXT RDATA plus per-RR overhead) an UPDATE may leave
 * behind. Every answer must fit one 65,535-byte DNS message even over TCP;
 * the margin leaves room for the header, question, OPT and a TSIG. Without
 * it, the default caps (2,048-byte values × 64 per name ≈ 132 KB) let one
 * writer make a shared-pool name unservable for everyone.
 */
export const MAX_RRSET_WIRE_BYTES = 60_000;
/** Per-RR overhead in an answer: compressed owner, type, class, TTL, RDLENGTH. */
const RR_OVERHEAD = 12;

function rrsetWireBytes(values: Iterable<string>): number {
  let total = 0;
  for (const v of values) {
    const bytes = Buffer.byteLength(v, 'utf8');
    total += RR_OVERHEAD + bytes + Math.max(1, Math.ceil(bytes / 255));
  }
  return total;
}

/** The caps, as in `NodeConfig.caps`. */
export interface UpdateCaps {
  readonly maxTtl: number;
  readonly maxValueBytes: number;
  readonly maxValuesPerName: number;
}

/** True when every op of `ops` (canonical owners) keeps within `caps` at time `now`. */
export function withinCaps(
  ops: readonly StoreOp[],
  caps: UpdateCaps,
  store: RecordStore,
  now: number,
): boolean {
  const { maxTtl, maxValueBytes, maxValuesPerName } = caps;
  for (const op of ops) {
    if (op.kind !== 'add') continue;
    if (maxValueBytes > 0 && Buffer.byteLength(op.value, 'utf8') > maxValueBytes) return false;
    if (maxTtl > 0 && op.ttl > maxTtl) return false;
  }
  // Owner → the RRset as it would stand, seeded from the store on first touch.
  let rrsets: Map<string, Set<string>> | undefined;
  for (const op of ops) {
    rrsets ??= new Map();
    let rrset = rrsets.get(op.name);
    if (rrset === undefined) {
      rrset = new Set(op.kind === 'delete-name' ? [] : store.query(op.name, now));
      rrsets.set(op.name, rrset);
    }
    if (op.kind === 'add') {
      rrset.add(op.value);
      if (maxValuesPerName > 0 && rrset.size > maxValuesPerName) return false;
    } else if (op.kind === 'delete-value') {
      rrset.delete(op.value);
    } else {
      rrset.clear();
    }
  }
  const touchedByAdd = new Set(ops.filter((op) => op.kind === 'add').map((op) => op.name));
  for (const name of touchedByAdd) {
    if (rrsetWireBytes(rrsets?.get(name) ?? []) > MAX_RRSET_WIRE_BYTES) return false;
  }
  return true;
}
