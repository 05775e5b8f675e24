/**
 * The registration challenge book (node spec §4.5, §3.5): outstanding
 * challenges issued by `GET /v1/registration/challenge`, held in memory.
 *
 * Each challenge is 32 random bytes with its own fresh X25519 key pair (the
 * server half of the X25519 proof of possession), valid for 60 s and usable
 * once: {@link ChallengeBook.consume} removes it whether or not the confirm
 * that presented it goes on to succeed. At most `maxPending` are kept; the
 * oldest are dropped first, so a challenge flood costs bounded memory.
 */
import { randomBytes } from 'node:crypto';
import { toHex } from '../../protocol/bytes.js';
import { x25519PublicKey } from '../../protocol/crypto/x25519.js';

/** Lifetime of a challenge, seconds. */
export const CHALLENGE_TTL_SECONDS = 60;

/** Default bound on outstanding challenges. */
export const DEFAULT_MAX_PENDING_CHALLENGES = 10_000;

/** Bytes of randomness in a challenge. */
export const CHALLENGE_BYTES = 32;

/** An issued challenge and the server's ephemeral key pair for it. */
export interface PendingChallenge {
  /** 64 lowercase hex characters. */
  readonly challengeHex: string;
  /** The `node` string the client must sign (the node's hostname). */
  readonly node: string;
  /** Unix seconds; the challenge is valid while `expiresAt > now`. */
  readonly expiresAt: number;
  readonly serverX25519Public: Uint8Array;
  /** Secret: never logged, never sent. */
  readonly serverX25519Private: Uint8Array;
}

/** Source of random bytes (injectable for deterministic tests). */
export type RandomBytes = (length: number) => Uint8Array;

/** Options of {@link ChallengeBook}. */
export interface ChallengeBookOptions {
  readonly ttlSeconds?: number;
  readonly maxPending?: number;
  readonly random?: RandomBytes;
}

const nodeRandom: RandomBytes = (n) => new Uint8Array(randomBytes(n));

/** Outstanding registration challenges. */
export class ChallengeBook {
  // Insertion order is issue order, so the first entries are the oldest.
  private readonly pending = new Map<string, PendingChallenge>();
  private readonly ttlSeconds: number;
  private readonly maxPending: number;
  private readonly random: RandomBytes;

  constructor(options: ChallengeBookOptions = {}) {
    this.ttlSeconds = options.ttlSeconds ?? CHALLENGE_TTL_SECONDS;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING_CHALLENGES;
    this.random = options.random ?? nodeRandom;
    if (!Number.isInteger(this.maxPending) || this.maxPending < 1) {
      throw new RangeError(`maxPending must be a positive integer, got ${this.maxPending}`);
    }
  }

  /** Issues a new challenge for `node` at unix time `now`. */
  issue(node: string, now: number): PendingChallenge {
    const challengeHex = toHex(this.random(CHALLENGE_BYTES));
    const serverX25519Private = this.random(32);
    const challenge: PendingChallenge = {
      challengeHex,
      node,
      expiresAt: now + this.ttlSeconds,
      serverX25519Public: x25519PublicKey(serverX25519Private),
      serverX25519Private,
    };
    this.pending.set(challengeHex, challenge);
    this.sweep(now);
    return challenge;
  }

  /**
   * Removes and returns the challenge named by `challengeHex` (either case)
   * if it is outstanding and unexpired at `now`; `undefined` otherwise.
   */
  consume(challengeHex: string, now: number): PendingChallenge | undefined {
    const key = challengeHex.toLowerCase();
    const challenge = this.pending.get(key);
    this.pending.delete(key);
    this.sweep(now);
    if (challenge === undefined || challenge.expiresAt <= now) return undefined;
    return challenge;
  }

  /** Number of challenges held (expired ones may linger until the next issue or consume). */
  get size(): number {
    return this.pending.size;
  }

  private sweep(now: number): void {
    // Expiry follows issue order unless the wall clock stepped back; any
    // stragglers are still refused by `consume` and eventually evicted.
    for (const [key, challenge] of this.pending) {
      if (challenge.expiresAt > now) break;
      this.pending.delete(key);
    }
    while (this.pending.size > this.maxPending) {
      const oldest = this.pending.keys().next();
      if (oldest.done) break;
      this.pending.delete(oldest.value);
    }
  }
}
