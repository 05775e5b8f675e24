/**
 * Prekey pool maintenance (core.md §9): generate one-time X25519 keys, keep
 * the private halves in the state store, publish the signed public halves
 * at `prekeys.id-<hex12(username)>.<domain>`. Publishing appends to the
 * RRset; older values leave with their TTL. Prekeys whose `exp` has passed
 * are unusable and are purged locally (the reference never purges, O14).
 */
import { readU32 } from '../protocol/bytes.js';
import { x25519PublicKey } from '../protocol/crypto/x25519.js';
import { prekeyPoolName } from '../protocol/names.js';
import { signPrekeyRecord } from '../protocol/records/prekey-record.js';
import { forEachLimit } from './concurrency.js';
import type { ClientContext } from './context.js';
import { DmpClientError } from './errors.js';
import type { StoredPrekey } from './state/types.js';

/** CLI default pool size (`identity refresh-prekeys`). */
export const DEFAULT_PREKEY_COUNT = 25;
/** Default prekey lifetime: one day. */
export const DEFAULT_PREKEY_TTL = 86400;
/** Senders refuse prekeys expiring more than 30 days ahead. */
export const MAX_PREKEY_TTL = 2_592_000;
/** Nodes cap an RRset at 64 values by default (`DMP_MAX_VALUES_PER_NAME`). */
export const MAX_PREKEY_COUNT = 64;
const ID_DRAWS = 10;

export interface RefreshPrekeysOptions {
  /** How many to generate (default 25, at most 64). */
  readonly count?: number;
  /** Lifetime and DNS TTL in seconds (default 86400, at most 30 days). */
  readonly ttl?: number;
  readonly signal?: AbortSignal;
}

export interface RefreshPrekeysResult {
  /** The prekey RRset name. */
  readonly name: string;
  readonly requested: number;
  readonly published: number;
  /** Prekeys stored but not published, with why (they are never chosen by senders). */
  readonly failures: readonly { readonly prekeyId: number; readonly error: Error }[];
  /** Prekeys usable by this client now. */
  readonly live: number;
  /** Expired prekeys removed from the store. */
  readonly purged: number;
}

function checkRange(value: number, min: number, max: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new DmpClientError('invalid-options', `${what} must be ${min}..${max}, got ${value}`, '');
  }
}

/** Generates, stores and publishes a batch of prekeys. */
export async function refreshPrekeys(
  ctx: ClientContext,
  options: RefreshPrekeysOptions = {},
): Promise<RefreshPrekeysResult> {
  const count = options.count ?? DEFAULT_PREKEY_COUNT;
  const ttl = options.ttl ?? DEFAULT_PREKEY_TTL;
  checkRange(count, 1, MAX_PREKEY_COUNT, 'prekey count');
  checkRange(ttl, 1, MAX_PREKEY_TTL, 'prekey ttl');
  const now = ctx.clock();
  const exp = now + ttl;
  const name = prekeyPoolName(ctx.username, ctx.domain);

  const batch: StoredPrekey[] = [];
  const taken = new Set<number>();
  for (let i = 0; i < count; i++) {
    let prekeyId = 0;
    for (let draw = 0; draw < ID_DRAWS && prekeyId === 0; draw++) {
      const id = readU32(ctx.random(4), 0);
      if (id !== 0 && !taken.has(id) && !(await ctx.state.prekeys.has(id))) prekeyId = id;
    }
    if (prekeyId === 0) {
      throw new DmpClientError(
        'prekey-id-exhausted',
        `could not draw an unused prekey id in ${ID_DRAWS} tries`,
        'Check the random source',
      );
    }
    taken.add(prekeyId);
    const privateKey = ctx.random(32);
    batch.push({
      prekeyId,
      privateKey,
      publicKey: x25519PublicKey(privateKey),
      exp,
      createdAt: now,
      publishedValue: '',
    });
  }
  await ctx.state.prekeys.insert(batch);

  const failures: { prekeyId: number; error: Error }[] = [];
  let published = 0;
  await forEachLimit(batch, ctx.publishConcurrency, async (p) => {
    const value = signPrekeyRecord(
      { prekeyId: p.prekeyId, publicKey: p.publicKey, exp: p.exp },
      ctx.identity.ed25519Seed,
    );
    try {
      await ctx.writer.publish(name, value, ttl, { signal: options.signal });
    } catch (err) {
      failures.push({
        prekeyId: p.prekeyId,
        error: err instanceof Error ? err : new Error(String(err)),
      });
      return;
    }
    await ctx.state.prekeys.setPublishedValue(p.prekeyId, value);
    published++;
  });
  const purged = await ctx.state.prekeys.purgeExpired(now);
  return {
    name,
    requested: count,
    published,
    failures,
    live: await ctx.state.prekeys.countLive(now),
    purged,
  };
}
