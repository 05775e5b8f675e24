/**
 * `dnsmesh intro block <intro> [--note N]` (cli spec §5.10): drops the intro
 * and denylists its sender, whose future claims are then ignored. The intro
 * is named by its number or by the label `intro list` shows (intro-ref.ts).
 * Local only.
 */
import { toHex } from '../../protocol/bytes.js';
import { clientCall } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import type { CliContext } from '../context.js';
import { type IntroRef, resolveIntroRef } from '../intro-ref.js';
import { println } from '../output.js';

export interface IntroBlockOptions {
  note: string;
}

export async function runIntroBlock(
  ctx: CliContext,
  ref: IntroRef,
  opts: IntroBlockOptions,
): Promise<number> {
  const session = await openClientSession(ctx, { network: false });
  try {
    const id = await resolveIntroRef(ref, () => clientCall(() => session.client.introList()));
    const entry = await clientCall(() => session.client.introBlock(id, { note: opts.note }));
    println(
      `blocked intro #${id}`,
      `  sender_spk: ${toHex(entry.senderSpk)}`,
      '  claims signed by this key are now dropped.',
    );
    return 0;
  } finally {
    session.close();
  }
}
