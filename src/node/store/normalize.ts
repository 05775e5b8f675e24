/**
 * Name normalisation shared by the node stores: the storage keys of owner
 * names, TSIG key names and TSIG scope suffixes (node spec §3.1, §3.3, §2.6).
 *
 * DNS compares names ASCII-case-insensitively, so only A–Z are folded: a
 * Unicode-aware `toLowerCase()` would merge names the DNS keeps apart (names
 * reach the node in presentation form, where other octets are `\DDD`
 * escapes anyway).
 */

const BACKSLASH = 0x5c;
const DOT = 0x2e;

function hasUpperAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return true;
  }
  return false;
}

/** `s` with ASCII A–Z folded to lower case; returns `s` itself when already lower. */
export function lowerAscii(s: string): string {
  return hasUpperAscii(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/** True when `name` ends with a dot that is not itself escaped (`a\.` keeps its dot). */
function endsWithUnescapedDot(name: string): boolean {
  const n = name.length;
  if (n === 0 || name.charCodeAt(n - 1) !== DOT) return false;
  let slashes = 0;
  for (let i = n - 2; i >= 0 && name.charCodeAt(i) === BACKSLASH; i--) slashes++;
  return slashes % 2 === 0;
}

/**
 * Storage key of a record owner name: ASCII lower-case, one trailing
 * (unescaped) dot removed. Idempotent, and the identity on names that are
 * already canonical, so the DNS query path can pass its lookup key through
 * without an allocation. The root name becomes the empty string.
 */
export function normalizeOwnerName(name: string): string {
  const stripped = endsWithUnescapedDot(name) ? name.slice(0, -1) : name;
  return lowerAscii(stripped);
}

/**
 * Storage key of a TSIG key name: surrounding whitespace trimmed, ASCII
 * lower-case, exactly one trailing dot (the absolute form DNS libraries use
 * for keyring lookups). Throws `RangeError` on an empty name.
 */
export function normalizeTsigKeyName(name: string): string {
  const owner = normalizeOwnerName(name.trim());
  if (owner === '') throw new RangeError('TSIG key name must be non-empty');
  return `${owner}.`;
}

/**
 * Canonical scope list of a TSIG key: each suffix trimmed of whitespace and
 * of leading/trailing dots, ASCII lower-cased; empties dropped; sorted and
 * deduplicated — the form stored (newline-joined) in `tsig_keys`.
 */
export function normalizeScopeSuffixes(suffixes: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of suffixes) {
    const s = lowerAscii(raw.trim().replace(/^\.+|\.+$/g, ''));
    if (s !== '') out.add(s);
  }
  return [...out].sort();
}
