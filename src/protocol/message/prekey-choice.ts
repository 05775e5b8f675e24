/**
 * A sender's prekey choice (core.md §8.2.1): among the values of the
 * recipient's prekey pool, keep those signed by the recipient's pinned
 * Ed25519 key and not expired, and pick one uniformly at random. No pinned
 * key, or no usable prekey, means the long-term key is used.
 */
import {
  isPrekeyExpired,
  type PrekeyRecord,
  parseAndVerifyPrekeyRecord,
} from '../records/prekey-record.js';
import type { RandomBytes } from './random.js';
import { defaultRandomBytes } from './random.js';

/** Prekeys from `values` that verify under `pinnedSpk` and are usable at `now`. */
export function usablePrekeys(
  values: readonly string[] | undefined,
  pinnedSpk: Uint8Array,
  now: number,
): PrekeyRecord[] {
  const out: PrekeyRecord[] = [];
  for (const value of values ?? []) {
    const parsed = parseAndVerifyPrekeyRecord(value, now, pinnedSpk);
    if (parsed.ok && !isPrekeyExpired(parsed.value, now)) out.push(parsed.value);
  }
  return out;
}

/** Picks one usable prekey uniformly at random, or `undefined` when there is none. */
export function choosePrekey(
  values: readonly string[] | undefined,
  pinnedSpk: Uint8Array | undefined,
  now: number,
  randomBytes: RandomBytes = defaultRandomBytes,
): PrekeyRecord | undefined {
  if (pinnedSpk === undefined) return undefined;
  const usable = usablePrekeys(values, pinnedSpk, now);
  if (usable.length <= 1) return usable[0];
  return usable[uniformIndex(usable.length, randomBytes)];
}

/** Unbiased index in [0, n) by rejection sampling over 32-bit draws. */
function uniformIndex(n: number, randomBytes: RandomBytes): number {
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  for (;;) {
    const b = randomBytes(4);
    const x = ((b[0]! << 24) >>> 0) + ((b[1]! << 16) | (b[2]! << 8) | b[3]!);
    if (x < limit) return x % n;
  }
}
