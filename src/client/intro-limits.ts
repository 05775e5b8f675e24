/**
 * How many first-contact messages from unpinned senders (intros, core.md
 * §8.11) wait for review: at most {@link MAX_INTROS} in all and
 * {@link MAX_INTROS_PER_SENDER} from one sender key (hardening; the
 * reference's queue grows without bound).
 *
 * Policy when full: new intros are refused, nothing queued is evicted.
 * Anyone can send intros, from as many throwaway keys as they like; if the
 * oldest were evicted, twenty such keys could flush a genuine first
 * contact out of the queue before the user ever saw it. A refused intro
 * loses nothing: it is not marked delivered, its claim stays on the
 * provider, and it arrives on a later pass once the user has made room
 * (`intro accept|trust|block`), as long as the message lives. Each pass
 * counts the refusals (`intro-queue-full`, `intro-sender-full`) so the user
 * learns the queue is full. The per-sender cap keeps one key from filling
 * the queue alone. Pinned contacts' messages never enter the queue and
 * are never counted against it.
 */
import { toHex } from '../protocol/bytes.js';
import { DmpClientError } from './errors.js';
import type { IntroLimits, IntroStore } from './state/types.js';

/** Default: intros the queue holds in all. */
export const MAX_INTROS = 200;
/** Default: intros the queue holds from one sender key. */
export const MAX_INTROS_PER_SENDER = 10;

/** Why an intro was refused, as counted in a receive's `stats.dropped`. */
export type IntroRefusal = 'intro-queue-full' | 'intro-sender-full';

function checkCount(what: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DmpClientError(
      'invalid-options',
      `${what} must be a positive integer, got ${value}`,
      `Omit it for the default (${fallback})`,
    );
  }
  return value;
}

/**
 * The limits from `receive` options, defaults filled in.
 * @throws DmpClientError `invalid-options` for a value that is not a positive integer.
 */
export function introLimits(options: {
  readonly maxIntros?: number;
  readonly maxIntrosPerSender?: number;
}): IntroLimits {
  return {
    maxTotal: checkCount('maxIntros', options.maxIntros, MAX_INTROS),
    maxPerSender: checkCount(
      'maxIntrosPerSender',
      options.maxIntrosPerSender,
      MAX_INTROS_PER_SENDER,
    ),
  };
}

/**
 * Places in the queue taken by one receive pass, so a message that could
 * not be queued is not fetched at all. The store checks the limits again
 * when the intro is added (another process may have filled the queue).
 */
export class IntroQuota {
  private total: number | undefined;
  private readonly bySender = new Map<string, number>();

  constructor(
    private readonly store: IntroStore,
    readonly limits: IntroLimits,
  ) {}

  /** Takes a place for an intro from `senderSpk`, or says why there is none. */
  async take(senderSpk: Uint8Array): Promise<IntroRefusal | undefined> {
    const key = toHex(senderSpk);
    this.total ??= await this.store.count();
    const fromSender = this.bySender.get(key) ?? (await this.store.count(senderSpk));
    this.bySender.set(key, fromSender);
    if (this.total >= this.limits.maxTotal) return 'intro-queue-full';
    if (fromSender >= this.limits.maxPerSender) return 'intro-sender-full';
    this.total++;
    this.bySender.set(key, fromSender + 1);
    return undefined;
  }
}
