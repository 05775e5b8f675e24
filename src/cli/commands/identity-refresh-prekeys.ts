/**
 * `dnsmesh identity refresh-prekeys [--count N] [--ttl S]` (cli spec §5.4):
 * generates one-time prekeys, stores their private halves locally and
 * publishes each signed public half. Partial publication is reported, not
 * fatal (exit 0), as in the reference: the unpublished ones are never used.
 * None published is a failure (exit 2, like `identity publish`), where the
 * reference says `published 0/N` and exits 0: a script must not take an
 * unreachable node for success.
 */
import { asCliError, rootMessage } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import type { CliContext } from '../context.js';
import { networkError } from '../errors.js';
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
    const first = result.failures[0];
    if (result.published === 0 && first !== undefined) {
      throw networkError(
        `published 0/${result.requested} prekeys to ${result.name}: ${rootMessage(first.error)} — ` +
          'check the endpoint (`dnsmesh doctor`) and run this again',
      );
    }
    println(
      `published ${result.published}/${result.requested} prekeys to ${result.name}`,
      `  local live prekey count: ${result.live}`,
    );
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
