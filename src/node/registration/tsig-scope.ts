/**
 * Per-key UPDATE scope matching (node spec §2.6): whether a TSIG key's
 * suffix list lets it add or delete records at an owner name.
 *
 * * A suffix without `*` covers an owner equal to it or below it on a label
 *   boundary.
 * * A suffix with `*` is compared label by label, right-aligned with the
 *   owner's last labels; inside a label each `*` matches any run of
 *   characters, including none, but never a dot. Extra owner labels on the
 *   left are allowed, as for plain suffixes.
 * * ADD needs any covering suffix. DELETE needs a covering suffix without
 *   `*`: wildcard grants exist so anyone can deliver into shared
 *   namespaces, and must not let them wipe what others wrote there.
 *
 * Owners and suffixes are compared ASCII-case-insensitively without
 * surrounding whitespace or trailing dots.
 */
import { pythonStrip } from '../../protocol/records/python-text.js';
import { lowerAscii } from '../store/normalize.js';

/** What an UPDATE op does to an owner. */
export type ScopeOperation = 'add' | 'delete';

/** Owner name as scope checks compare it. */
export function scopeOwnerKey(owner: string): string {
  return lowerAscii(pythonStrip(owner)).replace(/\.+$/, '');
}

/** Suffix as scope checks compare it: also without leading dots. */
export function scopeSuffixKey(suffix: string): string {
  return lowerAscii(pythonStrip(suffix)).replace(/\.+$/, '').replace(/^\.+/, '');
}

/**
 * Glob match of one label: `pattern` split on `*` into literal parts; the
 * first part anchors at the start, the last at the end, the middle ones are
 * found left to right without overlap. Linear in the label length (no
 * backtracking), so hostile patterns or owners cannot make it slow.
 */
export function labelGlobMatches(pattern: string, label: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === label;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (label.length < first.length + last.length) return false;
  if (!label.startsWith(first) || !label.endsWith(last)) return false;
  let pos = first.length;
  const end = label.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const at = label.indexOf(part, pos);
    if (at < 0 || at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

/** One compiled suffix of a scope. */
interface ScopeEntry {
  readonly suffix: string;
  readonly wildcard: boolean;
  /** Labels of a wildcard suffix (unused otherwise). */
  readonly labels: readonly string[];
}

function compile(suffix: string): ScopeEntry {
  const wildcard = suffix.includes('*');
  return { suffix, wildcard, labels: wildcard ? suffix.split('.') : [] };
}

function entryCovers(entry: ScopeEntry, owner: string): boolean {
  // Owners arrive in presentation form; an escaped dot (`a\.b`) is one label
  // that merely looks like two. DMP names never need escapes, so a scope
  // never covers a name that has any.
  if (owner.includes('\\')) return false;
  if (!entry.wildcard) return owner === entry.suffix || owner.endsWith(`.${entry.suffix}`);
  const ownerLabels = owner.split('.');
  const offset = ownerLabels.length - entry.labels.length;
  if (offset < 0) return false;
  for (let i = 0; i < entry.labels.length; i++) {
    if (!labelGlobMatches(entry.labels[i]!, ownerLabels[offset + i]!)) return false;
  }
  return true;
}

/**
 * The scope of one TSIG key. Build it from the stored suffix list with
 * {@link TsigScope.of}; then ask {@link TsigScope.allows} per UPDATE op.
 */
export class TsigScope {
  /** The normalised, deduplicated, sorted suffixes (empty ones dropped). */
  readonly suffixes: readonly string[];
  private readonly entries: readonly ScopeEntry[];

  private constructor(suffixes: readonly string[]) {
    this.suffixes = suffixes;
    this.entries = suffixes.map(compile);
  }

  /** Scope from a key's `allowedSuffixes` (any case, dots and whitespace tolerated). */
  static of(suffixes: readonly string[]): TsigScope {
    const keys = new Set<string>();
    for (const s of suffixes) {
      const key = scopeSuffixKey(s);
      // An empty suffix would cover nothing sensible; it is never granted.
      if (key !== '') keys.add(key);
    }
    return new TsigScope([...keys].sort());
  }

  /** True when any suffix (wildcard or not) covers `owner`. */
  covers(owner: string): boolean {
    const key = scopeOwnerKey(owner);
    return this.entries.some((e) => entryCovers(e, key));
  }

  /** ADD is allowed iff some suffix covers `owner`. */
  allowsAdd(owner: string): boolean {
    return this.covers(owner);
  }

  /** DELETE is allowed iff some suffix without `*` covers `owner`. */
  allowsDelete(owner: string): boolean {
    const key = scopeOwnerKey(owner);
    return this.entries.some((e) => !e.wildcard && entryCovers(e, key));
  }

  /** Whether `op` at `owner` is inside this scope. */
  allows(op: ScopeOperation, owner: string): boolean {
    return op === 'add' ? this.allowsAdd(owner) : this.allowsDelete(owner);
  }
}
