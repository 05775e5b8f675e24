/**
 * `dnsmesh resolvers list [--json]` (cli spec §5.14): the configured
 * `dns_resolvers`, one per line, or a hint when there are none.
 */
import { loadConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { printJson, println } from '../output.js';

export interface ResolversListOptions {
  json?: boolean;
}

export async function runResolversList(
  ctx: CliContext,
  opts: ResolversListOptions,
): Promise<number> {
  const config = await loadConfig(ctx.paths);
  if (opts.json) {
    printJson(config.dns_resolvers);
  } else if (config.dns_resolvers.length === 0) {
    const fallback =
      config.dns_host === null ? 'the system resolver' : `${config.dns_host}:${config.dns_port}`;
    println(
      `(no dns_resolvers configured — reads go to ${fallback}; \`dnsmesh resolvers discover --save\` fills the list)`,
    );
  } else {
    println(...config.dns_resolvers);
  }
  return 0;
}
