/**
 * Which bearer tokens may write a record name (node spec §4.2): the name is
 * classified by shape, without touching any store.
 *
 * * `owner` names belong to one user, identified by subject or by a hash
 *   derived from it: `dmp.<user>.<domain>`, `rotate.dmp.<user>.<domain>`,
 *   `id-<hash16(user)>.<domain>`, `prekeys.id-<hash12(user)>.<domain>`,
 *   `pk-<n>.<hash12>.<domain>`.
 * * `shared-pool` names are written by every sender: mailbox slots
 *   `slot-<n>.mb-<hash12>.<domain>` and chunks `chunk-<n>-<hash12>.<domain>`.
 * * `operator` names are everything else, reserved to the operator token.
 * * `unknown` names are malformed (characters outside `[a-z0-9.-]`, empty
 *   labels, a single label).
 *
 * A domain is two or more labels `[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?`.
 */

/** How an owner name is tied to a token's subject. */
export type OwnerRule =
  /** The token's subject must equal `subject`. */
  | { readonly by: 'subject'; readonly subject: string }
  /** `hexHash(local part of the subject, chars)` must equal `hash`, and the subject's domain `domain`. */
  | {
      readonly by: 'local-hash';
      readonly chars: 16 | 12;
      readonly hash: string;
      readonly domain: string;
    }
  /** The token's `subject_hash12` (an X25519-derived hash set by the operator) must equal `hash12`. */
  | { readonly by: 'subject-hash12'; readonly hash12: string };

/** Classification of a record name. */
export type RecordNameClass =
  | { readonly kind: 'owner'; readonly rule: OwnerRule }
  | { readonly kind: 'shared-pool' }
  | { readonly kind: 'operator' }
  | { readonly kind: 'unknown' };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HASH12_ID = /^id-([0-9a-f]{12})$/;
const HASH16_ID = /^id-([0-9a-f]{16})$/;
const HASH12 = /^[0-9a-f]{12}$/;
const MAILBOX = /^mb-[0-9a-f]{12}$/;
const SLOT = /^slot-[0-9]+$/;
const CHUNK = /^chunk-[0-9]+-[0-9a-f]{12}$/;
const PREKEY = /^pk-[0-9]+$/;

const OPERATOR: RecordNameClass = { kind: 'operator' };
const UNKNOWN: RecordNameClass = { kind: 'unknown' };
const SHARED: RecordNameClass = { kind: 'shared-pool' };

/** True when `labels` form a domain: at least two well-formed labels. */
function isDomain(labels: readonly string[]): boolean {
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
}

/** Classifies `name` (any case, trailing dots ignored). Never throws. */
export function classifyRecordName(name: string): RecordNameClass {
  const n = name.replace(/\.+$/, '').toLowerCase();
  if (n === '' || !/^[a-z0-9.-]+$/.test(n)) return UNKNOWN;
  const labels = n.split('.');
  if (labels.length < 2 || labels.includes('')) return UNKNOWN;
  const [first, second] = labels as [string, string];

  // dmp.<user>.<domain>
  if (first === 'dmp' && LABEL.test(second) && isDomain(labels.slice(2))) {
    return owner({ by: 'subject', subject: `${second}@${labels.slice(2).join('.')}` });
  }
  // id-<hash16>.<domain>
  const id16 = HASH16_ID.exec(first);
  if (id16 !== null && isDomain(labels.slice(1))) {
    return owner({
      by: 'local-hash',
      chars: 16,
      hash: id16[1]!,
      domain: labels.slice(1).join('.'),
    });
  }
  // prekeys.id-<hash12>.<domain>
  const id12 = first === 'prekeys' ? HASH12_ID.exec(second) : null;
  if (id12 !== null && isDomain(labels.slice(2))) {
    return owner({
      by: 'local-hash',
      chars: 12,
      hash: id12[1]!,
      domain: labels.slice(2).join('.'),
    });
  }
  if (first === 'rotate' && second === 'dmp' && labels.length >= 5) {
    const user = labels[2]!;
    const domain = labels.slice(3);
    // The hashed rotation form is reserved to the operator; test it before
    // the zone-anchored form, which its labels would also satisfy.
    if (HASH12_ID.test(user) && isDomain(domain)) return OPERATOR;
    if (LABEL.test(user) && isDomain(domain)) {
      return owner({ by: 'subject', subject: `${user}@${domain.join('.')}` });
    }
  }
  // pk-<n>.<hash12>.<domain>
  if (PREKEY.test(first) && HASH12.test(second) && isDomain(labels.slice(2))) {
    return owner({ by: 'subject-hash12', hash12: second });
  }
  // slot-<n>.mb-<hash12>.<domain>
  if (SLOT.test(first) && MAILBOX.test(second) && isDomain(labels.slice(2))) return SHARED;
  // chunk-<n>-<hash12>.<domain>
  if (CHUNK.test(first) && isDomain(labels.slice(1))) return SHARED;
  return OPERATOR;
}

function owner(rule: OwnerRule): RecordNameClass {
  return { kind: 'owner', rule };
}
