/**
 * `dnsmesh identity refresh-prekeys [--count N] [--ttl S]` (cli spec §5.4):
 * generates one-time prekeys, stores their private halves locally and
 * publishes each signed public half. Partial publication is reported, not
 * fatal (exit 0), as in the reference: the unpublished ones are never used.
 */
import { asCliError, rootMessage } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import type { CliContext } from '../context.js';
import { println, progress } from '../output.js';

export interface RefreshPrekeysCliOptions {
  count: number;
  ttl: number;
}

export async function runRefreshPrekeys(
  ctx: CliContext,
  opts: RefreshPrekeysCliOptions,
): Promise<number> {
  const session = await openClientSession(ctx, { network: true });
  const bar = progress();
  try {
    bar.update(`publishing ${opts.count} prekeys…`);
    const result = await session.client
      .refreshPrekeys({ count: opts.count, ttl: opts.ttl })
      .catch((err: unknown) => {
        throw asCliError(err);
      });
    bar.done();
    println(
      `published ${result.published}/${result.requested} prekeys to ${result.name}`,
      `  local live prekey count: ${result.live}`,
    );
    const first = result.failures[0];
    if (first !== undefined) {
      println(
        `  note: ${result.failures.length} publish(es) were rejected (first: ${rootMessage(first.error)}); ` +
          'check the node’s rate limits and caps, then run this again',
      );
    }
    return 0;
  } finally {
    bar.done();
    session.close();
  }
}
