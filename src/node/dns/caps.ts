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
 */
import type { RecordStore, StoreOp } from '../store/types.js';

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
  if (maxValuesPerName <= 0) return true;
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
      if (rrset.size > maxValuesPerName) return false;
    } else if (op.kind === 'delete-value') {
      rrset.delete(op.value);
    } else {
      rrset.clear();
    }
  }
  return true;
}
