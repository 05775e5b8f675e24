/**
 * "Did you mean …?" for misspelt configuration keys: the optimal string
 * alignment distance (Damerau–Levenshtein restricted to adjacent
 * transpositions, each substring edited once), so `prot` is one edit from
 * `port` rather than two.
 */

/** Insertions, deletions, substitutions and adjacent transpositions from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  const at = (i: number, j: number) => d[i * cols + j]!;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Key spelling that does not matter for a suggestion: case, `_`, `-`. */
const fold = (key: string): string => key.toLowerCase().replace(/[_-]/g, '');

/**
 * The candidates closest to `key` (ties all returned, in their order), if
 * close enough to be a slip: one edit for short keys, up to three for long
 * ones, after folding case, `_` and `-` (so `max_ttl` finds `maxTtl`).
 */
export function closestKeys(key: string, candidates: readonly string[]): string[] {
  const folded = fold(key);
  const limit = Math.max(1, Math.min(3, Math.floor(folded.length / 3)));
  let best = limit;
  let out: string[] = [];
  for (const candidate of candidates) {
    const d = editDistance(folded, fold(candidate));
    if (d < best) {
      best = d;
      out = [candidate];
    } else if (d === best) {
      out.push(candidate);
    }
  }
  return out;
}
