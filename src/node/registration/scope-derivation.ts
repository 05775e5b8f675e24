/**
 * The UPDATE scope minted with a registration TSIG key (node spec §2.7):
 * which owner-name suffixes a user's key may write under the served zone.
 *
 * Default mode grants the user's own identity and prekey names
 * (`id-<hash16(local)>`, `id-<hash12(local)>`; only to a subject whose
 * domain is the zone), its legacy claim name, the
 * four shared wildcard namespaces every sender writes into (mailbox slots,
 * chunks, claims) and — only when the X25519 key was proven at registration
 * — its own mailbox `mb-<hash12(sha256(x25519_pub))>`. Tight mode drops the
 * wildcards; loose mode grants the whole zone.
 */
import { tryFromHex } from '../../protocol/bytes.js';
import { hexHash, sha256 } from '../../protocol/crypto/hash.js';
import { pythonStrip } from '../../protocol/records/python-text.js';
import { mintZone } from './tsig-key-name.js';

/** How wide a minted key's scope is (`DMP_TSIG_TIGHT_SCOPE` / `DMP_TSIG_LOOSE_SCOPE`). */
export type TsigScopeMode = 'default' | 'tight' | 'loose';

/** Wildcard namespaces shared by all senders; granted for ADD only in effect (see `TsigScope`). */
const SHARED_WILDCARD_LABELS = ['_dnsmesh-claim-*', 'slot-*.mb-*', 'chunk-*-*', 'claim-*.mb-*'];

/** Inputs of {@link deriveScopeSuffixes}. */
export interface ScopeInput {
  /** Canonical subject; an empty one yields no scope. */
  readonly subject: string;
  /** Local part of the subject (lower-cased here before hashing). */
  readonly localPart: string;
  /** Registering Ed25519 key in hex (any case). */
  readonly spkHex: string;
  /** Served zone (any case, trailing dot optional). */
  readonly zone: string;
  /**
   * X25519 public key in hex, only when its possession was proven; anything
   * that is not 32 bytes of hex is ignored.
   */
  readonly x25519PublicHex?: string;
}

/** `mb-<hash12(sha256(pub))>`: the mailbox label of an X25519 key. */
function mailboxLabel(x25519Public: Uint8Array): string {
  return `mb-${hexHash(sha256(x25519Public), 12)}`;
}

/**
 * The suffixes to mint, in the reference's mint order (the key store keeps
 * them sorted). Empty when the subject, key or zone is empty. Never throws.
 */
export function deriveScopeSuffixes(mode: TsigScopeMode, input: ScopeInput): string[] {
  const zone = mintZone(input.zone);
  const subject = pythonStrip(input.subject).toLowerCase();
  const spk16 = input.spkHex.toLowerCase().slice(0, 16);
  if (zone === '' || subject === '' || spk16 === '') return [];
  if (mode === 'loose') return [zone];

  const local = pythonStrip(input.localPart).toLowerCase();
  // Identity names hash the local part only, so they are granted only to a
  // subject of this very zone: `alice@elsewhere.example` must not receive
  // the names of `alice@<zone>` (the reference grants them to both).
  const inZone = subject.slice(subject.lastIndexOf('@') + 1) === zone;
  const suffixes = [
    ...(inZone ? [`id-${hexHash(local, 16)}.${zone}`, `id-${hexHash(local, 12)}.${zone}`] : []),
    `_dnsmesh-claim-${spk16}.${zone}`,
  ];
  if (mode !== 'tight') {
    for (const labels of SHARED_WILDCARD_LABELS) suffixes.push(`${labels}.${zone}`);
  }
  const pub = tryFromHex(pythonStrip(input.x25519PublicHex ?? ''));
  if (pub !== undefined && pub.length === 32) suffixes.push(`${mailboxLabel(pub)}.${zone}`);
  return suffixes;
}
