/**
 * Short deadlines for strangers' zones during a receive pass (hardening).
 *
 * A claim from an unpinned sender names a zone of the sender's choosing,
 * which the receiver must then read (its slots, the message's chunks, the
 * sender's identity for the label). A zone whose servers never answer
 * would hold each of those reads for the reader's full timeout (a resolver
 * pool allows 15 s per name). So reads in a zone the user did not choose —
 * not the own zone, not a contact's zone, not a claim provider — are given
 * up after {@link STRANGER_LOOKUP_TIMEOUT_MS}, and all of them together
 * after {@link STRANGER_BUDGET_MS} per pass. What was given up is reported
 * (`stranger-timeout`); the claim stays on the provider for the next pass.
 *
 * Zones are compared case-insensitively, without a trailing dot: the
 * session memoises names case-insensitively, so a name must get the same
 * verdict however its zone was spelt.
 */
import { DmpClientError } from './errors.js';
import { ReadBudget, type ReadDeadline } from './lookup-session.js';

/** Default: a stranger-zone read is given up after this long. */
export const STRANGER_LOOKUP_TIMEOUT_MS = 1500;
/** Default: every stranger-zone read of one pass is given up once this much time has passed since the first. */
export const STRANGER_BUDGET_MS = 5000;

/** The deadlines, as `receive` options give them. */
export interface StrangerDeadlineOptions {
  readonly lookupTimeoutMs?: number;
  readonly budgetMs?: number;
}

function zoneKey(zone: string): string {
  return zone.toLowerCase().replace(/\.+$/, '');
}

function checkMs(what: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new DmpClientError(
      'invalid-options',
      `${what} must be a positive number of milliseconds, got ${value}`,
      `Omit it for the default (${fallback} ms)`,
    );
  }
  return value;
}

/** The deadline policy of one receive pass. */
export class StrangerDeadlines {
  private readonly trusted: Set<string>;
  private readonly budget: ReadBudget;
  private readonly deadline: ReadDeadline;

  /**
   * @param trustedZones zones read with the reader's normal deadlines.
   * @throws DmpClientError `invalid-options` for a non-positive or non-finite value.
   */
  constructor(trustedZones: Iterable<string>, options: StrangerDeadlineOptions = {}) {
    const timeoutMs = checkMs(
      'strangerLookupTimeoutMs',
      options.lookupTimeoutMs,
      STRANGER_LOOKUP_TIMEOUT_MS,
    );
    this.budget = new ReadBudget(checkMs('strangerBudgetMs', options.budgetMs, STRANGER_BUDGET_MS));
    this.deadline = { timeoutMs, budget: this.budget };
    this.trusted = new Set([...trustedZones].map(zoneKey));
  }

  /** The deadline for reads in `zone`: none (the reader's own) for a trusted zone. */
  for(zone: string): ReadDeadline | undefined {
    return this.trusted.has(zoneKey(zone)) ? undefined : this.deadline;
  }

  /** True once the pass's stranger budget ran out. */
  get budgetSpent(): boolean {
    return this.budget.spent;
  }

  /** Ends the pass: the budget timer is cleared. */
  stop(): void {
    this.budget.stop();
  }
}
