/**
 * Hot-path read cache of the record store: an LRU of owner name → the
 * unexpired TXT values a query returned, so repeated DNS lookups of the same
 * names (clients poll their mailbox slots) skip sqlite.
 *
 * An entry answers only for query times inside the window where the
 * database would give the same answer: from the `now` it was filled at
 * (earlier times could see values that had expired by then) up to, not
 * including, the earliest expiry among its values. Writes invalidate by
 * name; the store clears everything when rows are purged.
 */

interface CacheEntry {
  readonly values: readonly string[];
  readonly validFrom: number;
  readonly validUntil: number;
  readonly chars: number;
  /** Second-chance bit: set on a hit, cleared when eviction passes over the entry. */
  referenced: boolean;
}

/** Bounds of a {@link RecordReadCache}. */
export interface RecordReadCacheOptions {
  /** Most names held. Default 10,000. */
  readonly maxNames?: number;
  /**
   * Most value characters held in total (a TXT value is up to a few KiB;
   * this bounds memory, not the name count). Default 16 Mi characters.
   */
  readonly maxChars?: number;
}

const DEFAULT_MAX_NAMES = 10_000;
const DEFAULT_MAX_CHARS = 16 * 1024 * 1024;
const EMPTY: readonly string[] = Object.freeze([]);

/**
 * Approximate LRU ("second chance" / CLOCK) of query answers keyed by
 * normalised owner name. A hit only sets a bit: moving the entry to the end
 * of a large `Map` on every hit (delete + set) collapses to ~50k lookups/s
 * once the map holds ~10k names, which is slower than sqlite itself.
 */
export class RecordReadCache {
  readonly maxNames: number;
  readonly maxChars: number;
  // Map iteration order is insertion order: the first key is the least recently used.
  private readonly entries = new Map<string, CacheEntry>();
  private chars = 0;

  constructor(options: RecordReadCacheOptions = {}) {
    this.maxNames = options.maxNames ?? DEFAULT_MAX_NAMES;
    this.maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
    if (!Number.isSafeInteger(this.maxNames) || this.maxNames < 1) {
      throw new RangeError(`maxNames must be a positive integer, got ${this.maxNames}`);
    }
    if (!Number.isSafeInteger(this.maxChars) || this.maxChars < 0) {
      throw new RangeError(`maxChars must be a non-negative integer, got ${this.maxChars}`);
    }
  }

  /** Names currently held. */
  get size(): number {
    return this.entries.size;
  }

  /** The cached answer for `name` at `now`, or undefined when absent or outside its window. */
  get(name: string, now: number): readonly string[] | undefined {
    const entry = this.entries.get(name);
    if (entry === undefined) return undefined;
    if (now < entry.validFrom || now >= entry.validUntil) {
      this.drop(name, entry);
      return undefined;
    }
    entry.referenced = true;
    return entry.values;
  }

  /**
   * Caches `values` (frozen, so a caller cannot corrupt later answers) as
   * the answer for `name` from `validFrom` until `validUntil` (exclusive).
   * Returns the frozen array.
   */
  set(name: string, values: string[], validFrom: number, validUntil: number): readonly string[] {
    const frozen = values.length === 0 ? EMPTY : Object.freeze(values);
    let chars = 0;
    for (const v of values) chars += v.length;
    const old = this.entries.get(name);
    if (old !== undefined) this.drop(name, old);
    if (chars > this.maxChars) return frozen;
    this.entries.set(name, { values: frozen, validFrom, validUntil, chars, referenced: false });
    this.chars += chars;
    this.evict();
    return frozen;
  }

  /** Forgets `name` (after a write to it). */
  invalidate(name: string): void {
    const entry = this.entries.get(name);
    if (entry !== undefined) this.drop(name, entry);
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }

  private drop(name: string, entry: CacheEntry): void {
    this.entries.delete(name);
    this.chars -= entry.chars;
  }

  private evict(): void {
    // Bounded: a pass either removes an entry or clears one bit, so at most
    // 2 × size passes run.
    while (this.entries.size > this.maxNames || this.chars > this.maxChars) {
      const oldest = this.entries.entries().next();
      if (oldest.done) return;
      const [name, entry] = oldest.value;
      if (entry.referenced) {
        entry.referenced = false;
        this.entries.delete(name);
        this.entries.set(name, entry);
      } else {
        this.drop(name, entry);
      }
    }
  }
}
