/**
 * What may be written into the namespaces every sender shares (hardening).
 *
 * Any registered key may add to `slot-*.mb-*`, `chunk-*-*` and `claim-*.mb-*`
 * names (node spec §2.7), and any token to slots and chunks (§4.2). The
 * reference stores whatever value arrives there, so a registrant could fill
 * every recipient's mailbox RRsets with junk up to the per-name cap and make
 * genuine senders' writes fail. A value in those namespaces must be what a
 * DMP receiver could use:
 *
 * - `slot-<n>.mb-<h>`: a slot manifest whose signature verifies and whose
 *   recipient hashes to `<h>` (core spec: `h = hex12(recipient_id)`);
 * - `chunk-<n>-<k>`: a chunk record with data (its bytes are bound to the
 *   message only by the manifest's chunk hashes, which the receiver checks);
 * - `claim-<n>.mb-<h>`: a claim record whose signature verifies (as the
 *   unsigned claim path already requires).
 *
 * Other names are not judged here.
 */
import { mailboxHash } from '../protocol/names.js';
import { chunkDataOf } from '../protocol/records/chunk-record.js';
import { parseAndVerifyClaimRecord } from '../protocol/records/claim-record.js';
import { parseAndVerifySlotManifest } from '../protocol/records/slot-manifest.js';

const SLOT = /^slot-[0-9]+$/;
const CLAIM = /^claim-[0-9]+$/;
const MAILBOX = /^mb-([0-9a-f]{12})$/;
const CHUNK = /^chunk-[0-9]+-[0-9a-f]{12}$/;

/** Which shared namespace a (canonical, lower-case) owner name is in, if any. */
export function sharedNamespaceOf(name: string): 'slot' | 'chunk' | 'claim' | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) return undefined;
  const first = name.slice(0, dot);
  if (CHUNK.test(first)) return 'chunk';
  const second = name.slice(dot + 1, name.indexOf('.', dot + 1) >>> 0);
  if (!MAILBOX.test(second)) return undefined;
  if (SLOT.test(first)) return 'slot';
  if (CLAIM.test(first)) return 'claim';
  return undefined;
}

/**
 * True when `value` may be stored at `name` (canonical owner) at Unix time
 * `now`; always true outside the shared namespaces. Never throws.
 */
export function sharedValueAllowed(name: string, value: string, now: number): boolean {
  const kind = sharedNamespaceOf(name);
  if (kind === undefined) return true;
  if (kind === 'chunk') {
    const data = chunkDataOf(value);
    return data !== undefined && data.length > 0;
  }
  if (kind === 'claim') return parseAndVerifyClaimRecord(value, now).ok;
  const manifest = parseAndVerifySlotManifest(value, now);
  if (!manifest.ok) return false;
  const labels = name.split('.');
  return MAILBOX.exec(labels[1]!)?.[1] === mailboxHash(manifest.value.recipientId);
}
