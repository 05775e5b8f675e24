/**
 * Phase 2 of receive, the slot walk (core.md §8.5): read the ten mailbox
 * slots of every polled zone — all zones and slots in parallel — and keep
 * the manifests addressed to us, alive, and signed by a key pinned for that
 * zone (or, with TOFU opted in and nobody pinned, any valid signer).
 */
import { toHex } from '../protocol/bytes.js';
import { mailboxSlotName, SLOT_COUNT } from '../protocol/names.js';
import type { Candidate, ReceiveRun } from './receive-run.js';

/** Reserved candidates in reference order: zone, slot, value. */
export async function slotWalkCandidates(run: ReceiveRun): Promise<Candidate[]> {
  const { ctx, session } = run;
  const zones = ctx.contacts.zonesToPoll();
  const known = ctx.contacts.pinnedKeys();
  await session.all(slotWalkNames(run), run.slotValidator);

  const candidates: Candidate[] = [];
  for (const zone of zones) {
    const accepted = ctx.contacts.acceptedIn(zone);
    for (const name of slotNames(ctx.identity.userId, zone)) {
      for (const value of session.everything(name)) {
        const parsed = run.parseManifest(value);
        if (!parsed.ok) {
          run.drop(`manifest:${parsed.code}`);
          continue;
        }
        const m = parsed.value;
        if (!run.isLiveForUs(m)) continue;
        if (known.size > 0) {
          if (!accepted.has(toHex(m.senderSpk))) {
            run.drop('unpinned-signer');
            continue;
          }
        } else if (!ctx.allowTofu) {
          run.drop('no-pins');
          continue;
        }
        const candidate: Candidate = { manifest: m, zone, via: 'slot-walk' };
        if (await run.reserve(candidate)) candidates.push(candidate);
      }
    }
  }
  return candidates;
}

/** Every name the slot walk reads: our ten slots in each polled zone. */
export function slotWalkNames(run: ReceiveRun): string[] {
  const { ctx } = run;
  return ctx.contacts.zonesToPoll().flatMap((zone) => slotNames(ctx.identity.userId, zone));
}

/** The ten slot names of our mailbox in `zone`, or none when a name cannot be built. */
export function slotNames(userId: Uint8Array, zone: string): string[] {
  try {
    return Array.from({ length: SLOT_COUNT }, (_, slot) => mailboxSlotName(userId, slot, zone));
  } catch {
    // An unusable zone (empty) has no mailbox; the reference would raise (O21).
    return [];
  }
}
