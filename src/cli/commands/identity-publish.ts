/**
 * `dnsmesh identity publish [--ttl N] [--advertise-v2]` (cli spec §5.3): signs
 * the identity record and publishes it at `dmp.<identity_domain>` or
 * `id-<hash16(username)>.<domain>`. Our own older records at that name are
 * removed afterwards, so the name does not turn "ambiguous" for fetchers.
 */
import { asCliError } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import type { CliContext } from '../context.js';
import { println } from '../output.js';

export interface IdentityPublishOptions {
  ttl: number;
  advertiseV2?: boolean;
}

export async function runIdentityPublish(
  ctx: CliContext,
  opts: IdentityPublishOptions,
): Promise<number> {
  const session = await openClientSession(ctx, { network: true });
  try {
    const { config, client } = session;
    const result = await client
      .publishIdentity({ ttl: opts.ttl, advertiseV2: opts.advertiseV2 === true })
      .catch((err: unknown) => {
        throw asCliError(err);
      });
    const hint =
      config.identity_domain !== ''
        ? `dnsmesh identity fetch ${config.username}@${config.identity_domain}`
        : `dnsmesh identity fetch ${config.username}`;
    println(`published identity to ${result.name}`);
    if (result.replaced > 0)
      println(`  removed ${result.replaced} older record(s) of yours at that name`);
    println(`  others can resolve you with: ${hint}`);
    return 0;
  } finally {
    session.close();
  }
}
