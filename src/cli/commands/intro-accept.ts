/**
 * `dnsmesh intro accept <id>` (cli spec §5.10): delivers one intro without
 * pinning its sender. Unknown id → exit 1. Local only.
 */
import { clientCall } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import type { CliContext } from '../context.js';
import { bodyLines } from '../message-format.js';
import { println } from '../output.js';

export async function runIntroAccept(ctx: CliContext, id: number): Promise<number> {
  const session = await openClientSession(ctx, { network: false });
  try {
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
