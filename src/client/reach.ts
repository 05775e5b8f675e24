/**
 * Telling "nothing there" from "nothing reachable". A lookup session that
 * got no answer at all, only network failures, must not be reported as an
 * empty mailbox or an unknown user: {@link assertReached} turns it into an
 * {@link UnreachableError} naming each server that failed and how.
 */
import { type DnsClientError, DnsNoResolverError } from '../dns/client/errors.js';
import { UnreachableError } from './errors.js';
import type { LookupSession } from './lookup-session.js';

/** At most this many distinct reasons are quoted (a pool of 32 would flood a terminal). */
const MAX_REASONS = 4;

/** The per-server failures inside `error` (a pool's error wraps one per upstream). */
function leafFailures(error: DnsClientError): DnsClientError[] {
  if (error instanceof DnsNoResolverError && error.failures.length > 0) {
    return error.failures.flatMap(leafFailures);
  }
  return [error];
}

/** Distinct failure lines across `errors`, first-seen order, capped. */
export function failureReasons(errors: readonly DnsClientError[]): string[] {
  const lines = [...new Set(errors.flatMap(leafFailures).map((e) => e.message))];
  if (lines.length <= MAX_REASONS) return lines;
  return [...lines.slice(0, MAX_REASONS), `and ${lines.length - MAX_REASONS} more`];
}

/**
 * Throws {@link UnreachableError} when `session` made lookups, none was
 * answered, and at least one failed on the network. Aborted sessions and
 * sessions that made no lookup pass.
 */
export function assertReached(session: LookupSession, operation: string): void {
  const { answered, failures } = session.reach();
  if (answered > 0 || failures.length === 0) return;
  throw new UnreachableError(operation, failureReasons(failures), failures[0]);
}
