/**
 * `dnsmesh intro accept <intro>` (cli spec §5.10): delivers one intro
 * without pinning its sender. The intro is named by its number or by the
 * label `intro list` shows (intro-ref.ts); none → exit 1. Local only.
 */
import { clientCall } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import type { CliContext } from '../context.js';
import { type IntroRef, resolveIntroRef } from '../intro-ref.js';
import { bodyLines } from '../message-format.js';
import { println } from '../output.js';

export async function runIntroAccept(ctx: CliContext, ref: IntroRef): Promise<number> {
  const session = await openClientSession(ctx, { network: false });
  try {
    const id = await resolveIntroRef(ref, () => clientCall(() => session.client.introList()));
    const message = await clientCall(() => session.client.introAccept(id));
    println(
      `accepted intro #${id}`,
      ...bodyLines(message.plaintext),
      '  (sender not pinned — `dnsmesh intro trust` pins it so its next messages skip the queue)',
    );
    return 0;
  } finally {
    session.close();
  }
}
