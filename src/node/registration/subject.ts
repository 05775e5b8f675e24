/**
 * Registration subjects (node spec §4.5): the canonical `local@host` form a
 * client signs and the node stores, and the domain allowlist check.
 *
 * Canonical form: NFKC-normalised (so compatibility characters such as the
 * Kelvin sign cannot alias an ASCII subject), surrounding whitespace removed
 * with Python's `str.strip` rules (the reference's), lower-cased, then
 * required to be ASCII and of the `<local>@<fqdn>` shape below.
 */
import { pythonStrip } from '../../protocol/records/python-text.js';

/** `<local>@<domain>`, the domain having at least two labels. */
const SUBJECT_SHAPE =
  /^[a-z0-9][a-z0-9._+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** A subject in canonical form, split at its `@`. */
export interface CanonicalSubject {
  /** `local@domain`, lower-case ASCII. */
  readonly subject: string;
  readonly localPart: string;
  readonly domain: string;
}

/** Outcome of {@link canonicalizeSubject}: the subject, or why it was refused. */
export type SubjectResult =
  | ({ readonly ok: true } & CanonicalSubject)
  | { readonly ok: false; readonly reason: string };

/** Index (in code points, as the reference reports it) of the first non-ASCII character, or -1. */
function firstNonAscii(text: string): number {
  let index = 0;
  for (const ch of text) {
    if (ch.codePointAt(0)! > 0x7f) return index;
    index++;
  }
  return -1;
}

/**
 * Canonicalises a registration subject. Never throws: any input, including a
 * non-string, yields a result.
 */
export function canonicalizeSubject(raw: unknown): SubjectResult {
  if (typeof raw !== 'string' || raw === '') {
    return { ok: false, reason: 'subject must be a non-empty string' };
  }
  const norm = pythonStrip(raw.normalize('NFKC')).toLowerCase();
  const bad = firstNonAscii(norm);
  if (bad >= 0) {
    return {
      ok: false,
      reason: `subject must be ASCII; got non-ASCII character at position ${bad}`,
    };
  }
  if (!SUBJECT_SHAPE.test(norm)) {
    return { ok: false, reason: 'subject does not match <local>@<fqdn> shape' };
  }
  // The shape admits exactly one '@'.
  const at = norm.indexOf('@');
  return { ok: true, subject: norm, localPart: norm.slice(0, at), domain: norm.slice(at + 1) };
}

/** Allowlist entries as compared: trimmed, lower-case, trailing dots dropped, empties removed. */
export function normalizeAllowlist(entries: readonly string[]): string[] {
  return entries
    .map((e) => pythonStrip(e).toLowerCase().replace(/\.+$/, ''))
    .filter((e) => e !== '');
}

/**
 * True when the canonical subject's domain is on `allowlist` (compared
 * case-insensitively) or the list holds `*`; an empty list allows every
 * domain (callers pass the effective list, see `registrationAllowlist`).
 */
export function subjectDomainAllowed(
  subject: CanonicalSubject,
  allowlist: readonly string[],
): boolean {
  const allowed = normalizeAllowlist(allowlist);
  return allowed.length === 0 || allowed.includes('*') || allowed.includes(subject.domain);
}
