/**
 * The shared DNS-name validator and name comparison rules (core.md §1.6,
 * node.md §5.1): the syntax every cluster name, bootstrap user domain,
 * bootstrap entry base domain and DNS-typed rotation subject must satisfy,
 * and the casefolded, trailing-dot-insensitive equality used when a signed
 * name is bound to the name a caller expected.
 */

const MAX_LABEL_CHARS = 63;

function isLabelChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || // 0-9
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    code === 0x2d // '-'
  );
}

/**
 * Why `name` is not a publishable DNS name, or `undefined` when it is.
 *
 * Rules: non-empty; exactly one trailing dot is allowed (and ignored), two
 * are refused; ASCII only; every label 1..63 characters of letters, digits
 * and `-`, neither starting nor ending with `-`. There is no overall length
 * limit here: records cap their name fields separately (64 bytes).
 */
export function dnsNameError(name: string): string | undefined {
  if (name.length === 0) return 'name must be non-empty';
  // A doubled trailing dot is a typo'd empty final label, not an FQDN.
  if (name.endsWith('..')) return 'name ends with an empty label';
  const normalized = stripTrailingDot(name);
  if (normalized.length === 0) return 'name must have at least one label';
  for (let i = 0; i < normalized.length; i++) {
    if (normalized.charCodeAt(i) > 0x7f) return 'name must be ASCII (no IDN support)';
  }
  for (const label of normalized.split('.')) {
    if (label.length === 0) return 'name has an empty label';
    if (label.length > MAX_LABEL_CHARS) return `label '${label}' exceeds 63 characters`;
    if (label.startsWith('-') || label.endsWith('-')) {
      return `label '${label}' starts or ends with '-'`;
    }
    for (let i = 0; i < label.length; i++) {
      if (!isLabelChar(label.charCodeAt(i))) {
        return `label '${label}' contains '${label[i]}' (letters, digits and '-' only)`;
      }
    }
  }
  return undefined;
}

/** True when `name` passes {@link dnsNameError}. */
export function isDnsName(name: string): boolean {
  return dnsNameError(name) === undefined;
}

/** `name` without one trailing dot (only one: `a..` becomes `a.`). */
export function stripTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * Characters whose Python `str.casefold()` differs from upper-then-lower
 * case mapping: dotless i keeps its identity, capital sharp s folds to `ss`.
 */
const CASEFOLD_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ['\u0131', '\u0131'],
  ['\u1e9e', 'ss'],
]);

/**
 * Python `str.casefold()` equivalent for comparisons. ASCII is simply
 * lower-cased. Other code points go through upper- then lower-casing one at a
 * time, which reproduces Unicode full case folding (`ß`→`ss`, `ſ`→`s`,
 * `K`→`k`, ligatures, final sigma) apart from the two exceptions above; it can
 * only differ from Python on scripts whose folds map to upper case
 * (Cherokee), and there both sides of a comparison fold alike.
 */
export function casefold(text: string): string {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    // Per code point, so lower-casing never applies the final-sigma context rule.
    out += CASEFOLD_EXCEPTIONS.get(ch) ?? ch.toUpperCase().toLowerCase();
  }
  return out;
}

/**
 * DNS-name equality as the reference binds names: one trailing dot stripped
 * from each side, then casefolded comparison. Nothing else is normalised, so
 * `a.b..` still differs from `a.b`.
 */
export function dnsNamesEqual(a: string, b: string): boolean {
  return casefold(stripTrailingDot(a)) === casefold(stripTrailingDot(b));
}
