/**
 * Time as the protocol sees it: integer Unix seconds (core.md conventions),
 * read fresh at each use. Injectable so tests and vectors run at a fixed
 * instant.
 */

/** Returns the current time in whole Unix seconds. */
export type Clock = () => number;

/** The wall clock, floored to seconds. */
export const systemClock: Clock = () => Math.floor(Date.now() / 1000);
