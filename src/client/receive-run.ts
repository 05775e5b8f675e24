/**
 * The shared machinery of one receive pass: its lookup session, drop
 * statistics, deferred best-effort writes, the deadlines for strangers'
 * zones, the intro queue's places, and the step every phase ends with — decode the reserved
 * candidates in parallel, then finalize or release their replay
 * reservations (core.md §8.5 steps 5–8, §8.6 10–13).
 */

import type { TxtValidator } from '../dns/client/txt-reader.js';
import { bytesEqual, toHex } from '../protocol/bytes.js';
import { manifestChunkNames, type OpenedMessage } from '../protocol/message/open.js';
import { type ClaimRecord, parseAndVerifyClaimRecord } from '../protocol/records/claim-record.js';
import {
  isSlotManifestExpired,
  parseAndVerifySlotManifest,
  type SlotManifest,
} from '../protocol/records/slot-manifest.js';
import type { ParseResult } from '../protocol/result.js';
import type { ClientContext } from './context.js';
import { consumePrekey, fetchAndOpen } from './fetch-message.js';
import type { DeliveryPath } from './inbox-message.js';
import type { IntroQuota } from './intro-limits.js';
import type { LookupSession, ReadDeadline } from './lookup-session.js';
import { authenticAny } from './record-validators.js';
import { resolveSenderLabel } from './sender-label.js';
import type { StrangerDeadlines } from './stranger-deadlines.js';

/** A manifest that passed every pre-decode check and holds a replay reservation. */
export interface Candidate {
  readonly manifest: SlotManifest;
  /** Zone the manifest was read from; its chunks are read there too. */
  readonly zone: string;
  readonly via: DeliveryPath;
  /** The claim that pointed at it (claim phases only). */
  readonly claim?: ClaimRecord;
}

/** A candidate that decrypted. */
export interface Decoded {
  readonly candidate: Candidate;
  readonly opened: OpenedMessage;
  readonly senderLabel: string;
}

export class ReceiveRun {
  /** Why values were dropped, counted by reason. */
  readonly dropped: Record<string, number> = {};
  /** Best-effort writes (prekey deletions) awaited at the end of the pass. */
  readonly deferred: Promise<unknown>[] = [];
  private readonly manifests = new Map<string, ParseResult<SlotManifest>>();
  private readonly claims = new Map<string, ParseResult<ClaimRecord>>();
  /** Slot RRsets must hold a signed manifest (verified once, shared with the phases). */
  readonly slotValidator: TxtValidator = authenticAny((v) => this.parseManifest(v));
  /** Claim RRsets must hold a signed claim. */
  readonly claimValidator: TxtValidator = authenticAny((v) => this.parseClaim(v));

  constructor(
    readonly ctx: ClientContext,
    readonly session: LookupSession,
    /** Deadlines for reads in zones the user did not choose. */
    readonly strangers: StrangerDeadlines,
    /** Places left in the intro queue this pass. */
    readonly introQuota: IntroQuota,
  ) {}

  /** The deadline for reads in `zone`: a stranger's is short, a trusted one has none of ours. */
  deadlineFor(zone: string): ReadDeadline | undefined {
    return this.strangers.for(zone);
  }

  drop(reason: string): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  /** Parses and verifies a manifest value once per pass (claims and the walk share values). */
  parseManifest(value: string): ParseResult<SlotManifest> {
    let parsed = this.manifests.get(value);
    if (parsed === undefined) {
      parsed = parseAndVerifySlotManifest(value, this.ctx.clock());
      this.manifests.set(value, parsed);
    }
    return parsed;
  }

  /** Parses and verifies a claim value once per pass (the validator and phase share it). */
  parseClaim(value: string): ParseResult<ClaimRecord> {
    let parsed = this.claims.get(value);
    if (parsed === undefined) {
      parsed = parseAndVerifyClaimRecord(value, this.ctx.clock());
      this.claims.set(value, parsed);
    }
    return parsed;
  }

  /** Addressed to us and not expired; counts a drop otherwise. */
  isLiveForUs(m: SlotManifest): boolean {
    if (!bytesEqual(m.recipientId, this.ctx.identity.userId)) {
      this.drop('other-recipient');
      return false;
    }
    if (isSlotManifestExpired(m, this.ctx.clock())) {
      this.drop('expired');
      return false;
    }
    return true;
  }

  /** Takes the replay reservation for `c`, or counts a `replay` drop. */
  async reserve(c: Candidate): Promise<boolean> {
    if (await this.ctx.replay.claimForDecode(c.manifest.senderSpk, c.manifest.msgId)) return true;
    this.drop('replay');
    return false;
  }

  /**
   * Decodes reserved candidates in parallel (the session bounds the
   * queries) and labels them. A decoded message is kept unless `keep`
   * says no (an intro the queue cannot take); kept ones consume their
   * prekey and are finalized, the others released for a later pass.
   * Returns the kept ones in candidate order.
   */
  async decode(
    candidates: readonly Candidate[],
    keep?: (decoded: Decoded) => Promise<boolean>,
  ): Promise<Decoded[]> {
    // allSettled: an unexpected failure (the state store) must not leave
    // other decodes running unobserved; the first one is rethrown after.
    const settled = await Promise.allSettled(
      candidates.map(async (c): Promise<Decoded | undefined> => {
        const { manifest } = c;
        const release = () => this.ctx.replay.release(manifest.senderSpk, manifest.msgId);
        const deadline = this.deadlineFor(c.zone);
        try {
          const opened = await fetchAndOpen(this.ctx, this.session, manifest, c.zone, deadline);
          if (!opened.ok) {
            release();
            const cut =
              deadline !== undefined &&
              manifestChunkNames(manifest, c.zone).some((n) => this.session.abandoned(n));
            this.drop(cut ? 'stranger-timeout' : `undecodable:${opened.code}`);
            return undefined;
          }
          // A pinned sender's label is read with the normal deadlines wherever it points.
          const pinned = this.ctx.contacts.acceptedIn(c.zone).has(toHex(manifest.senderSpk));
          const senderLabel = await resolveSenderLabel(
            this.ctx,
            this.session,
            opened.value.claimedFrom,
            manifest.senderSpk,
            pinned ? undefined : (domain) => this.deadlineFor(domain),
          );
          const decoded: Decoded = { candidate: c, opened: opened.value, senderLabel };
          if (keep !== undefined && !(await keep(decoded))) {
            release();
            return undefined;
          }
          await consumePrekey(this.ctx, manifest, this.deferred);
          await this.ctx.replay.finalize(manifest.senderSpk, manifest.msgId, Number(manifest.exp));
          return decoded;
        } catch (err) {
          release();
          throw err;
        }
      }),
    );
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return settled
      .map((r) => (r.status === 'fulfilled' ? r.value : undefined))
      .filter((r): r is Decoded => r !== undefined);
  }

  /** Waits for the deferred best-effort writes. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.deferred);
  }
}
