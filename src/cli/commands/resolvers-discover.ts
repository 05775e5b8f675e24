/**
 * `dnsmesh resolvers discover [--save] [--timeout S]` (cli spec §5.14): probes
 * the well-known public resolvers with a TXT query and lists the ones that
 * work; `--save` stores them as `dns_resolvers`. None working → exit 2.
 */
import { discoverResolvers, PUBLIC_RESOLVERS } from '../../dns/client/resolver-discovery.js';
import { loadConfig, saveConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { networkError } from '../errors.js';
import { printJson, println, progress, table } from '../output.js';

export interface ResolversDiscoverOptions {
  save?: boolean;
  timeout: number;
  json?: boolean;
}

export async function runResolversDiscover(
  ctx: CliContext,
  opts: ResolversDiscoverOptions,
): Promise<number> {
  // Fail on a missing config before spending the probe time.
  const config = opts.save ? await loadConfig(ctx.paths) : undefined;
  const bar = progress();
  bar.update(`probing ${PUBLIC_RESOLVERS.length} public resolvers…`);
  const probes = await discoverResolvers(PUBLIC_RESOLVERS, {
    timeoutMs: Math.round(opts.timeout * 1000),
  });
  bar.done();
  const working = probes.filter((p) => p.usable).map((p) => p.server.replace(/:53$/, ''));
  if (opts.json) {
    printJson({ working, probes });
  } else if (working.length > 0) {
    println(`discovered ${working.length} working resolver(s):`, ...working.map((h) => `  ${h}`));
  }
  if (working.length === 0) {
    const why = table(probes.map((p) => [`  ${p.server}`, p.verdict, p.detail]));
    throw networkError(
      `resolver discovery failed: none of the ${probes.length} public resolvers answered a TXT query ` +
        `within ${opts.timeout}s — check that outbound UDP/53 is allowed\n${why.join('\n')}`,
    );
  }
  if (config !== undefined) {
    config.dns_resolvers = working;
    await saveConfig(ctx.paths, config);
    println(`saved ${working.length} resolvers to ${ctx.paths.configPath}`);
  }
  return 0;
}
