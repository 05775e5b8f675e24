/**
 * Per-key scope check of a TSIG-signed UPDATE (node spec §2.6, RFC 2136
 * §3.3 "check requestor's permissions"): every op must lie inside the
 * scope of the key that signed the request — adds through any suffix,
 * deletes only through suffixes without `*`. One op outside refuses the
 * whole UPDATE, before anything is written.
 */
import type { StoreOp } from '../store/types.js';
import type { KeyScope } from './tsig-keyring.js';

/** True when `scope` allows every op of `ops` (canonical owners). */
export function opsInScope(ops: readonly StoreOp[], scope: KeyScope): boolean {
  for (const op of ops) {
    const allowed = op.kind === 'add' ? scope.allowsAdd(op.name) : scope.allowsDelete(op.name);
    if (!allowed) return false;
  }
  return true;
}
