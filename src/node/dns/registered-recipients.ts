/**
 * The registered-recipient set of the M10 receiver-claim path (node spec
 * §2.8): the mailbox hashes (`hash12(sha256(x25519_pub))`) of users whose
 * TSIG key lets them own mailboxes in the served zone. When the node is a
 * receiver-zone sink but not an open claim provider, unsigned claims are
 * accepted only for these recipients.
 *
 * From every active key:
 * * if some suffix authorises mailboxes under zone `z` — `z` itself,
 *   `mb-<x>.z` (one label), or a two-label `slot-<…>.mb-<…>.z` /
 *   `claim-<…>.mb-<…>.z` pattern — the hash of the key's proven X25519 key;
 * * every literal `mb-<12 hex>.z` suffix.
 *
 * Recomputed when the key store's generation changes or a key expires.
 */
import { fromHex } from '../../protocol/bytes.js';
import { sha256 } from '../../protocol/crypto/hash.js';
import { mailboxHash } from '../../protocol/names.js';
import type { TsigKeyRecord, TsigKeyStore } from '../store/types.js';

const HEX64 = /^[0-9a-f]{64}$/;
const MB_HASH12 = /^mb-([0-9a-f]{12})$/;
const EMPTY: ReadonlySet<string> = new Set();

function authorisesMailboxes(suffix: string, tail: string, zone: string): boolean {
  if (suffix === zone) return true;
  if (!suffix.endsWith(tail)) return false;
  const labels = suffix.slice(0, suffix.length - tail.length).split('.');
  if (labels.length === 1) return labels[0]!.startsWith('mb-');
  return (
    labels.length === 2 &&
    (labels[0]!.startsWith('slot-') || labels[0]!.startsWith('claim-')) &&
    labels[1]!.startsWith('mb-')
  );
}

/** The set for `keys` under canonical `zone`. */
export function registeredRecipientHashes(
  keys: readonly TsigKeyRecord[],
  zone: string,
): Set<string> {
  const tail = `.${zone}`;
  const out = new Set<string>();
  for (const key of keys) {
    let mailboxes = false;
    for (const raw of key.allowedSuffixes) {
      const suffix = raw.toLowerCase();
      if (authorisesMailboxes(suffix, tail, zone)) mailboxes = true;
      if (suffix.endsWith(tail)) {
        const literal = MB_HASH12.exec(suffix.slice(0, suffix.length - tail.length));
        if (literal) out.add(literal[1]!);
      }
    }
    const pub = key.registeredX25519Pub.toLowerCase();
    if (mailboxes && HEX64.test(pub)) out.add(mailboxHash(sha256(fromHex(pub))));
  }
  return out;
}

/** {@link registeredRecipientHashes} over a key store, cached. */
export class RegisteredRecipients {
  private cached: Set<string> | undefined;
  private generation = -1;
  /** The set is stale from this time on (earliest key expiry). */
  private validUntil = 0;

  constructor(
    private readonly store: TsigKeyStore | undefined,
    private readonly zone: string,
  ) {}

  /** The set at time `now` (empty without a key store). */
  current(now: number): ReadonlySet<string> {
    const store = this.store;
    if (store === undefined) return EMPTY;
    const generation = store.generation;
    if (this.cached === undefined || generation !== this.generation || now >= this.validUntil) {
      const keys = store.listActive(now);
      this.cached = registeredRecipientHashes(keys, this.zone);
      this.generation = generation;
      let until = Number.POSITIVE_INFINITY;
      for (const k of keys) if (k.expiresAt !== 0 && k.expiresAt < until) until = k.expiresAt;
      this.validUntil = until;
    }
    return this.cached;
  }
}
