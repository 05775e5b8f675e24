/**
 * Empty non-terminals (RFC 8020 §2, RFC 4592 §2.2.2): a name with no records
 * of its own but with names below it exists, so it is NODATA, not NXDOMAIN.
 * Resolvers that minimise query names (RFC 9156) walk down through these
 * names and stop at an NXDOMAIN.
 *
 * The record store can only look names up exactly, so the interior names
 * come from the DMP naming scheme instead (core.md §7): every
 * `mb-<hash12>.<zone>` (above `slot-N.` and `claim-N.`), `id-<hash12>.<zone>`
 * (above `prekeys.`), `id-<hash16>.<zone>` and `dmp.<zone>` (above
 * `rotate.`) is treated as existing. The cost is a cheap string test on the
 * miss path only; the approximation errs towards "exists", which at worst
 * gives a NODATA where NXDOMAIN was possible — harmless, where the reverse
 * would hide real records from RFC 8020 resolvers.
 */

/** Decides whether a name without records of its own has names below it. */
export interface InteriorNames {
  /** `name` is canonical (lower case, no trailing dot) and inside the zone. */
  isInterior(name: string, now: number): boolean;
}

const INTERIOR_LABEL = /^(?:mb-[0-9a-f]{12}|id-[0-9a-f]{12}|id-[0-9a-f]{16}|dmp)$/;

/** The DMP naming scheme's interior names directly below `zone` (canonical). */
export function dmpInteriorNames(zone: string): InteriorNames {
  const tail = `.${zone}`;
  return {
    isInterior(name: string): boolean {
      if (!name.endsWith(tail)) return false;
      const label = name.slice(0, name.length - tail.length);
      return INTERIOR_LABEL.test(label);
    },
  };
}
