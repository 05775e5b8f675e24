/**
 * Claim-driven receive, phases 1 and 3 (core.md §8.6): read the ten claim
 * slots at each zone in parallel; for every fresh, verified claim, find the
 * manifest it names in the sender's zone (whose ten slots are read once per
 * pass, in parallel); decode. Messages from keys pinned for that zone go to
 * the inbox, everyone else's to the intro queue — a claim never makes a
 * stranger's message arrive unreviewed.
 *
 * Anyone can publish claims at an open provider, each naming a zone of its
 * choosing that the receiver must then read; junk claims pointing at
 * unresponsive zones would stall every pass. So claims from senders pinned
 * for their zone are handled first and without limit, while strangers are
 * capped per pass ({@link MAX_STRANGER_CLAIMS_PER_PASS} claims over at most
 * {@link MAX_STRANGER_ZONES_PER_PASS} zones). The rest stay on the provider
 * for the next pass (counted as `claim-deferred`), nothing is lost. The
 * admitted strangers' zones are read under short deadlines (see
 * stranger-deadlines.ts); a claim whose manifest or chunks could not be
 * read in time is counted as `stranger-timeout` and also retried next pass.
 * A stranger's message is fetched only when the intro queue has room for
 * it (intro-limits.ts); otherwise it too stays on the provider.
 */
import { bytesEqual, toHex } from '../protocol/bytes.js';
import { claimName, SLOT_COUNT } from '../protocol/names.js';
import type { ClaimRecord } from '../protocol/records/claim-record.js';
import type { SlotManifest } from '../protocol/records/slot-manifest.js';
import type { DeliveryPath } from './inbox-message.js';
import type { Candidate, Decoded, ReceiveRun } from './receive-run.js';
import { slotNames } from './slot-walk.js';
import type { IntroEntry } from './state/types.js';

/** Most claims from strangers handled in one pass. */
export const MAX_STRANGER_CLAIMS_PER_PASS = 32;
/** Most distinct stranger zones read in one pass. */
export const MAX_STRANGER_ZONES_PER_PASS = 8;

/** The ten claim names of our mailbox in `zone`, or none when a name cannot be built. */
export function claimNames(userId: Uint8Array, zone: string): string[] {
  try {
    return Array.from({ length: SLOT_COUNT }, (_, slot) => claimName(userId, slot, zone));
  } catch {
    return [];
  }
}

/** Fresh claims at `zones`, in zone/slot/value order, minus seen, blocked and queued ones. */
async function freshClaims(run: ReceiveRun, zones: readonly string[]): Promise<ClaimRecord[]> {
  const { ctx, session } = run;
  const names = zones.flatMap((zone) => claimNames(ctx.identity.userId, zone));
  await session.all(names, run.claimValidator);
  const claims: ClaimRecord[] = [];
  const pairs = new Set<string>();
  for (const name of names) {
    for (const value of session.everything(name)) {
      const parsed = run.parseClaim(value);
      if (!parsed.ok) {
        run.drop(`claim:${parsed.code}`);
        continue;
      }
      const c = parsed.value;
      const pair = `${toHex(c.senderSpk)}:${toHex(c.msgId)}`;
      if (pairs.has(pair)) continue;
      pairs.add(pair);
      if (await ctx.replay.hasSeen(c.senderSpk, c.msgId)) {
        run.drop('claim-seen');
      } else if (await ctx.state.intros.isBlocked(c.senderSpk)) {
        run.drop('claim-blocked');
      } else if (await ctx.state.intros.has(c.senderSpk, c.msgId)) {
        run.drop('claim-queued');
      } else {
        claims.push(c);
      }
    }
  }
  return claims;
}

/**
 * The first verified manifest with the claimed id in the sender's zone,
 * whoever signed it (O10: a different signer's manifest with the same id
 * makes the claim fail the signer check, as in the reference).
 */
function manifestFor(run: ReceiveRun, claim: ClaimRecord): SlotManifest | undefined {
  for (const name of slotNames(run.ctx.identity.userId, claim.senderMailboxDomain)) {
    for (const value of run.session.everything(name)) {
      const parsed = run.parseManifest(value);
      if (parsed.ok && bytesEqual(parsed.value.msgId, claim.msgId)) return parsed.value;
    }
  }
  return undefined;
}

/** What a claim phase produced. */
export interface ClaimPhaseResult {
  /** Decoded messages from senders pinned for their zone. */
  readonly pinned: Decoded[];
  /** Messages from everyone else, newly queued as intros. */
  readonly intros: IntroEntry[];
}

/** True when `spk` is pinned for `zone` (its messages go to the inbox, never the intro queue). */
function isPinnedIn(run: ReceiveRun, zone: string, spk: Uint8Array): boolean {
  return run.ctx.contacts.acceptedIn(zone).has(toHex(spk));
}

/**
 * Queues a decoded stranger's message within the queue's limits; false
 * (counted, and the message left for a later pass) when it cannot be.
 */
async function queueIntro(
  run: ReceiveRun,
  d: Decoded,
  queued: Map<Candidate, IntroEntry>,
): Promise<boolean> {
  const { ctx } = run;
  const added = await ctx.state.intros.addWithin(
    {
      senderSpk: d.opened.senderSpk,
      msgId: d.opened.msgId,
      plaintext: d.opened.body,
      senderMailboxDomain: d.candidate.zone,
      senderLabel: d.senderLabel,
      receivedAt: ctx.clock(),
      msgExp: Number(d.candidate.manifest.exp),
    },
    run.introQuota.limits,
  );
  switch (added.status) {
    case 'queued':
      queued.set(d.candidate, added.entry);
      return true;
    case 'queue-full':
      run.drop('intro-queue-full');
      return false;
    case 'sender-full':
      run.drop('intro-sender-full');
      return false;
    case 'blocked':
      run.drop('claim-blocked');
      return false;
    case 'duplicate':
      run.drop('claim-queued');
      return false;
  }
}

/**
 * The claims to handle this pass: every pinned sender's, then strangers'
 * up to the per-pass caps. Deferred ones are counted and left for later.
 */
function pinnedFirst(run: ReceiveRun, claims: readonly ClaimRecord[]): ClaimRecord[] {
  const pinned: ClaimRecord[] = [];
  const strangers: ClaimRecord[] = [];
  const strangerZones = new Set<string>();
  for (const c of claims) {
    if (isPinnedIn(run, c.senderMailboxDomain, c.senderSpk)) {
      pinned.push(c);
      continue;
    }
    const zone = c.senderMailboxDomain;
    const newZone = !strangerZones.has(zone);
    if (
      strangers.length >= MAX_STRANGER_CLAIMS_PER_PASS ||
      (newZone && strangerZones.size >= MAX_STRANGER_ZONES_PER_PASS)
    ) {
      run.drop('claim-deferred');
      continue;
    }
    strangerZones.add(zone);
    strangers.push(c);
  }
  return [...pinned, ...strangers];
}

/** Runs one claim phase over `zones`. */
export async function receiveClaims(
  run: ReceiveRun,
  zones: readonly string[],
  via: DeliveryPath,
): Promise<ClaimPhaseResult> {
  const { ctx, session } = run;
  const claims = pinnedFirst(run, await freshClaims(run, zones));
  // Pinned senders' zones come first, so their slots are asked first;
  // strangers' zones are read under the short deadlines.
  const senderZones = [...new Set(claims.map((c) => c.senderMailboxDomain))];
  await Promise.all(
    senderZones.map((zone) =>
      session.all(slotNames(ctx.identity.userId, zone), run.slotValidator, run.deadlineFor(zone)),
    ),
  );

  const candidates: Candidate[] = [];
  for (const claim of claims) {
    const m = manifestFor(run, claim);
    if (m === undefined) {
      const slots = slotNames(ctx.identity.userId, claim.senderMailboxDomain);
      const cut = slots.some((name) => session.abandoned(name));
      run.drop(cut ? 'stranger-timeout' : 'claim-no-manifest');
      continue;
    }
    if (!bytesEqual(m.senderSpk, claim.senderSpk)) {
      run.drop('claim-signer-mismatch');
      continue;
    }
    if (!run.isLiveForUs(m)) continue;
    if (!isPinnedIn(run, claim.senderMailboxDomain, m.senderSpk)) {
      // Not fetched when the intro queue cannot take it.
      const refused = await run.introQuota.take(m.senderSpk);
      if (refused !== undefined) {
        run.drop(refused);
        continue;
      }
    }
    const candidate: Candidate = { manifest: m, zone: claim.senderMailboxDomain, via, claim };
    if (await run.reserve(candidate)) candidates.push(candidate);
  }

  const queued = new Map<Candidate, IntroEntry>();
  const kept = await run.decode(candidates, async (d) => {
    const { zone, manifest } = d.candidate;
    return isPinnedIn(run, zone, manifest.senderSpk) || queueIntro(run, d, queued);
  });
  // Both in candidate order.
  const pinned: Decoded[] = [];
  const intros: IntroEntry[] = [];
  for (const d of kept) {
    const entry = queued.get(d.candidate);
    if (entry === undefined) pinned.push(d);
    else intros.push(entry);
  }
  return { pinned, intros };
}
