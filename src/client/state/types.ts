/**
 * The client's local state (core.md §8.1, §8.9, §8.11, §9) as three small
 * stores. The sqlite implementation is in this folder; a browser one
 * (IndexedDB) can implement the same interfaces, which is why every method
 * may return a promise — callers always `await`.
 *
 * Secrets: prekey private keys live only here (never in config or logs).
 */

/** A value or a promise of it: sync stores (sqlite) and async ones (IndexedDB) share one interface. */
export type Awaitable<T> = T | Promise<T>;

/** One of the user's own one-time prekeys (§9). */
export interface StoredPrekey {
  /** 1..2^32−1 (0 means "long-term key" on the wire and is never stored). */
  readonly prekeyId: number;
  /** Raw 32-byte X25519 private key. Secret. */
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** Unix seconds; the owner uses the key only while `exp > now`. */
  readonly exp: number;
  readonly createdAt: number;
  /** The exact TXT value published for it (`''` until published), so it can be deleted from DNS. */
  readonly publishedValue: string;
}

/** What remains of a prekey once it has been consumed. */
export interface ConsumedPrekey {
  readonly prekeyId: number;
  readonly publishedValue: string;
}

/** The user's prekey pool: id → private key, with atomic consumption. */
export interface PrekeyStore {
  /** Stores freshly generated prekeys in one transaction; an existing id is an error. */
  insert(prekeys: readonly StoredPrekey[]): Awaitable<void>;
  /** True when a row with this id exists (live or expired), so new ids never collide. */
  has(prekeyId: number): Awaitable<boolean>;
  /** Records the TXT value a prekey was published as. */
  setPublishedValue(prekeyId: number, value: string): Awaitable<void>;
  /** The prekey if it is stored and live (`exp > now`). */
  getLive(prekeyId: number, now: number): Awaitable<StoredPrekey | undefined>;
  /**
   * Deletes the prekey atomically and returns what is needed to unpublish it;
   * `undefined` when it was already gone (another process consumed it).
   */
  take(prekeyId: number): Awaitable<ConsumedPrekey | undefined>;
  /** Prekeys with `exp > now`. */
  countLive(now: number): Awaitable<number>;
  /** Deletes prekeys with `exp ≤ now` (unusable by the owner); returns how many. */
  purgeExpired(now: number): Awaitable<number>;
}

/**
 * The persisted half of the replay cache (§8.9): `(sender_spk, msg_id)` pairs
 * already delivered, each kept until its manifest expires. The in-flight
 * half is memory-only (see `replay-guard.ts`).
 */
export interface SeenMessageStore {
  /** True when the pair was delivered and its expiry is not past (`now ≤ expiry`). */
  has(senderSpk: Uint8Array, msgId: Uint8Array, now: number): Awaitable<boolean>;
  /** Records a delivery until `expiry` (the manifest's `exp`). */
  add(senderSpk: Uint8Array, msgId: Uint8Array, expiry: number): Awaitable<void>;
  /** Forgets entries with `expiry < now`; returns how many. */
  purge(now: number): Awaitable<number>;
}

/** A message from a sender nobody pinned, held for review (§8.11). */
export interface IntroEntry {
  readonly id: number;
  readonly senderSpk: Uint8Array;
  readonly msgId: Uint8Array;
  /** The decrypted body (envelope stripped). */
  readonly plaintext: Uint8Array;
  /** Zone the message was fetched from (the claim's `sender_mailbox_domain`). */
  readonly senderMailboxDomain: string;
  /** Verified `user@host` of the sender, or `''`. */
  readonly senderLabel: string;
  readonly receivedAt: number;
  /** The manifest's expiry (the message itself is kept until acted on). */
  readonly msgExp: number;
}

export type NewIntro = Omit<IntroEntry, 'id'>;

/** How many intros the queue may hold (see `intro-limits.ts` for the policy). */
export interface IntroLimits {
  /** Entries in the whole queue. */
  readonly maxTotal: number;
  /** Entries from one sender key. */
  readonly maxPerSender: number;
}

/** What {@link IntroStore.addWithin} did. */
export type IntroAddResult =
  | { readonly status: 'queued'; readonly entry: IntroEntry }
  /** Not stored: the sender is blocked, the pair is already queued, or a limit is reached. */
  | { readonly status: 'blocked' | 'duplicate' | 'queue-full' | 'sender-full' };

/** A sender whose claims are dropped. */
export interface BlockedSender {
  readonly senderSpk: Uint8Array;
  readonly blockedAt: number;
  readonly note: string;
}

/** The intro queue and its denylist. */
export interface IntroStore {
  /**
   * Queues an intro; `undefined` (nothing stored) when the sender is blocked
   * or the `(sender_spk, msg_id)` pair is already queued.
   */
  add(intro: NewIntro): Awaitable<IntroEntry | undefined>;
  /**
   * Queues an intro unless the sender is blocked, the pair is queued, or
   * the queue (or the sender's share of it) is at its limit; checked and
   * inserted atomically, so the limits hold across processes. Nothing
   * already queued is ever evicted.
   */
  addWithin(intro: NewIntro, limits: IntroLimits): Awaitable<IntroAddResult>;
  /** Entries queued, in all or from `senderSpk`. */
  count(senderSpk?: Uint8Array): Awaitable<number>;
  has(senderSpk: Uint8Array, msgId: Uint8Array): Awaitable<boolean>;
  /** Newest first (by `receivedAt`, then id). */
  list(): Awaitable<IntroEntry[]>;
  get(id: number): Awaitable<IntroEntry | undefined>;
  /** Removes the entry atomically and returns it; `undefined` if it was not there. */
  take(id: number): Awaitable<IntroEntry | undefined>;
  isBlocked(senderSpk: Uint8Array): Awaitable<boolean>;
  /** Adds (or re-notes) a sender on the denylist. */
  block(senderSpk: Uint8Array, note: string, now: number): Awaitable<void>;
  /** True when the sender was on the denylist. */
  unblock(senderSpk: Uint8Array): Awaitable<boolean>;
  listBlocked(): Awaitable<BlockedSender[]>;
}

/** Everything a client persists locally. */
export interface ClientState {
  readonly prekeys: PrekeyStore;
  readonly seen: SeenMessageStore;
  readonly intros: IntroStore;
  /** Releases the underlying storage. Idempotent. */
  close(): void;
}
