/**
 * TSIG keyring (RFC 8945 §5.2.1 key lookup) over the node's TSIG key store,
 * with each key's UPDATE scope (node spec §2.6).
 *
 * Keys are fetched from the store on first use and cached until the store's
 * `generation` changes (a key was minted, replaced or revoked, here or by
 * another process), so a new or revoked key takes effect on the next
 * packet without a store query per packet. Expiry needs no generation bump:
 * each cached key is re-checked against the request time. Unknown names
 * are cached too (bounded), so a flood of made-up key names costs one
 * store lookup per distinct name and generation.
 */
import type { TsigKey, TsigKeyring } from '../../dns/tsig-key.js';
import type { TsigKeyRecord, TsigKeyStore } from '../store/types.js';

/** What one key may write (node spec §2.6). */
export interface KeyScope {
  /** ADD at `owner` (canonical) is inside the scope. */
  allowsAdd(owner: string): boolean;
  /** DELETE at `owner` is inside the scope (wildcard grants never allow deletes). */
  allowsDelete(owner: string): boolean;
}

/** Compiles a key's scope; `TsigScope.of(key.allowedSuffixes)` in the node. */
export type ScopeAuthorizer = (key: TsigKeyRecord) => KeyScope;

/** A cached key: what the verifier needs plus its record and scope. */
export interface KeyringEntry {
  readonly key: TsigKey;
  readonly record: TsigKeyRecord;
  /** Compiled on first use. */
  scope(): KeyScope;
}

/** Most cached names (known and unknown) before the cache starts over. */
const MAX_CACHED_NAMES = 10_000;

class Entry implements KeyringEntry {
  readonly key: TsigKey;
  private compiled: KeyScope | undefined;

  constructor(
    readonly record: TsigKeyRecord,
    private readonly authorizer: ScopeAuthorizer,
  ) {
    this.key = { name: record.name, algorithm: record.algorithm, secret: record.secret };
  }

  scope(): KeyScope {
    this.compiled ??= this.authorizer(this.record);
    return this.compiled;
  }
}

/** The keyring of a node; `get` takes canonical key names (lower case, no trailing dot). */
export class NodeTsigKeyring implements TsigKeyring {
  private readonly cache = new Map<string, Entry | null>();
  private generation = -1;
  private now = 0;

  constructor(
    private readonly store: TsigKeyStore | undefined,
    private readonly authorizer: ScopeAuthorizer,
  ) {}

  /**
   * Pins the time keys are checked against and drops the cache if the
   * store changed. Call once per signed request, before verifying.
   */
  refresh(now: number): void {
    this.now = now;
    const store = this.store;
    if (store === undefined) return;
    const generation = store.generation;
    if (generation !== this.generation) {
      this.generation = generation;
      this.cache.clear();
    }
  }

  /** The active key named `canonicalKeyName` at the refresh time, as the verifier wants it. */
  get(canonicalKeyName: string): TsigKey | undefined {
    return this.entry(canonicalKeyName)?.key;
  }

  /** The active key with its record and scope, or `undefined`. */
  entry(canonicalKeyName: string): KeyringEntry | undefined {
    const store = this.store;
    if (store === undefined) return undefined;
    let entry = this.cache.get(canonicalKeyName);
    if (entry === undefined) {
      const record = store.getActive(canonicalKeyName, this.now);
      entry = record === undefined ? null : new Entry(record, this.authorizer);
      if (this.cache.size >= MAX_CACHED_NAMES) this.cache.clear();
      this.cache.set(canonicalKeyName, entry);
    }
    if (entry === null) return undefined;
    const expiresAt = entry.record.expiresAt;
    return expiresAt !== 0 && expiresAt <= this.now ? undefined : entry;
  }
}
