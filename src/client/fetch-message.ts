/**
 * Fetch and decrypt one message (core.md §8.7) — the receive hot path.
 *
 * The reference reads chunk names one by one; here the k data-chunk names
 * are read in parallel, and only when some are missing or fail their signed
 * hash are that many more (parity) names read, again in parallel. A message
 * therefore costs about one round trip instead of k. Acceptance is exactly
 * the reference's: the k lowest chunk indices whose bytes match the
 * manifest's hashes are decoded (`openManifest` re-checks every one).
 *
 * Once the receiver keeps a message opened with a prekey (delivered, or
 * queued as an intro), {@link consumePrekey} consumes the prekey: the local
 * row is deleted atomically, then the published TXT value is deleted from
 * DNS on a best-effort basis (queued on `deferred`, never awaited there). A
 * message the receiver cannot keep yet (a full intro queue) leaves the
 * prekey, so the next pass can open it again.
 */
import { bytesEqual } from '../protocol/bytes.js';
import { unwrapChunkBlock } from '../protocol/coding/chunk-block.js';
import { sha256 } from '../protocol/crypto/hash.js';
import { manifestChunkNames, type OpenedMessage, openManifest } from '../protocol/message/open.js';
import { prekeyPoolName } from '../protocol/names.js';
import { chunkDataOf } from '../protocol/records/chunk-record.js';
import { NO_PREKEY, type SlotManifest } from '../protocol/records/slot-manifest.js';
import { type ParseResult, reject } from '../protocol/result.js';
import type { ClientContext } from './context.js';
import type { LookupSession, ReadDeadline } from './lookup-session.js';

/** True when `value` is a chunk record whose bytes hash to `expected` and unwrap. */
function isIntactChunk(value: string, expected: Uint8Array): boolean {
  const data = chunkDataOf(value);
  return (
    data !== undefined && bytesEqual(sha256(data), expected) && unwrapChunkBlock(data) !== undefined
  );
}

/**
 * Reads chunk names in parallel rounds until k intact chunks are in the
 * session (or the names run out). Each round asks for exactly as many
 * further names as chunks are still missing.
 */
async function gatherChunks(
  session: LookupSession,
  manifest: SlotManifest,
  names: readonly string[],
  deadline: ReadDeadline | undefined,
): Promise<void> {
  const k = manifest.dataChunks;
  let intact = 0;
  let next = 0;
  while (intact < k && next < names.length) {
    const batch = names.slice(next, next + (k - intact));
    const first = next;
    next += batch.length;
    const answers = await Promise.all(
      batch.map((name, j) => {
        const hash = manifest.chunkHashes[first + j]!;
        // Lets a resolver pool skip a resolver that serves a forged chunk.
        const intactHere = (values: readonly string[]) =>
          values.some((v) => isIntactChunk(v, hash));
        return session.values(name, intactHere, deadline);
      }),
    );
    answers.forEach((values, j) => {
      const hash = manifest.chunkHashes[first + j]!;
      if (values?.some((v) => isIntactChunk(v, hash))) intact++;
    });
  }
}

/**
 * Fetches the chunks of a verified, addressed, unexpired `manifest` from
 * `zone` (the zone the manifest was read from) and opens the message;
 * `deadline` is the one for reads in that zone (a stranger's), if any.
 */
export async function fetchAndOpen(
  ctx: ClientContext,
  session: LookupSession,
  manifest: SlotManifest,
  zone: string,
  deadline?: ReadDeadline,
): Promise<ParseResult<OpenedMessage>> {
  if (manifest.chunkHashes.length === 0) {
    return reject('unsupported', 'legacy manifest without chunk hashes');
  }
  const names = manifestChunkNames(manifest, zone);
  await gatherChunks(session, manifest, names, deadline);

  const now = ctx.clock();
  const prekeyId = manifest.prekeyId;
  const prekey =
    prekeyId === NO_PREKEY ? undefined : await ctx.state.prekeys.getLive(prekeyId, now);
  const opened = openManifest(
    manifest,
    zone,
    session.lookup,
    {
      identity: ctx.identity,
      prekeyPrivate: (id) =>
        prekey !== undefined && id === prekey.prekeyId ? prekey.privateKey : undefined,
    },
    now,
  );
  return opened;
}

/**
 * Consumes the prekey `manifest` was sealed to, if any, once its message
 * is kept. Forward secrecy: the private key goes first; the DNS value only
 * tells senders not to pick the prekey again.
 */
export async function consumePrekey(
  ctx: ClientContext,
  manifest: SlotManifest,
  deferred: Promise<unknown>[],
): Promise<void> {
  if (manifest.prekeyId === NO_PREKEY) return;
  const consumed = await ctx.state.prekeys.take(manifest.prekeyId);
  if (consumed !== undefined && consumed.publishedValue !== '') {
    const name = prekeyPoolName(ctx.username, ctx.domain);
    deferred.push(ctx.writer.delete(name, consumed.publishedValue).catch(() => undefined));
  }
}
