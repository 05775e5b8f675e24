/**
 * Majority vote over TXT answers from several recursive resolvers asked the
 * same question (a client-side cross-check in the spirit of RFC 5452 §9:
 * an attacker must now fool most of the resolvers, not one).
 *
 * Pure: ballots in, verdict out. Values are compared as sets, because
 * resolvers legitimately shuffle RR order (RFC 2181 §5: an RRset is
 * unordered).
 */

/** One resolver's usable answer: absent (NXDOMAIN/NODATA) or the values it returned. */
export type Ballot =
  | { readonly kind: 'absent' }
  | { readonly kind: 'found'; readonly values: readonly string[] };

/** Positions (into the ballot array) by role. */
export interface Tally {
  /** The ballots whose answer is returned; the first is the preferred source. */
  readonly winners: number[];
  /** Ballots that disagreed with a strict majority: demote as liars. */
  readonly liars: number[];
  /** "Absent" ballots overruled by a verified positive answer: demote as failures (oracle rule). */
  readonly deniers: number[];
}

const ABSENT = '\u0000absent';

function ballotKey(b: Ballot): string {
  if (b.kind === 'absent') return ABSENT;
  return JSON.stringify([...new Set(b.values)].sort());
}

/**
 * Picks the winning answer.
 *
 * - With `positiveIsProof` (the values were validated, e.g. signatures
 *   verified), any found answer beats "absent": a record that verifies
 *   exists, whatever the others say, and the deniers are failures.
 * - Among the remaining candidates the largest group wins; ties go to the
 *   group seen first (ballots come in health order).
 * - Only a strict majority (more than half of the candidate ballots)
 *   convicts the others of lying; a split vote convicts nobody.
 *
 * Returns `undefined` for no ballots.
 */
export function tallyBallots(
  ballots: readonly Ballot[],
  positiveIsProof: boolean,
): Tally | undefined {
  if (ballots.length === 0) return undefined;
  const groups = new Map<string, number[]>();
  ballots.forEach((b, i) => {
    const key = ballotKey(b);
    const members = groups.get(key);
    if (members === undefined) groups.set(key, [i]);
    else members.push(i);
  });
  let candidates = [...groups.entries()];
  let deniers: number[] = [];
  const absent = groups.get(ABSENT);
  if (positiveIsProof && absent !== undefined && candidates.length > 1) {
    deniers = absent;
    candidates = candidates.filter(([key]) => key !== ABSENT);
  }
  // Array.prototype.sort is stable, so equal groups keep first-seen order.
  candidates.sort((a, b) => b[1].length - a[1].length);
  const winners = candidates[0]![1];
  const voters = candidates.reduce((n, [, members]) => n + members.length, 0);
  const majority = winners.length * 2 > voters;
  const liars = majority ? candidates.slice(1).flatMap(([, members]) => members) : [];
  return { winners, liars, deniers };
}
