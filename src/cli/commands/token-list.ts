/**
 * `dnsmesh token list [--json]` (cli spec §5.13): the bearer tokens saved by
 * `register`. The token itself is never printed — JSON shows its first 16
 * characters and its length, enough to tell tokens apart.
 */
import type { CliContext } from '../context.js';
import { isoUtc, printJson, println, table } from '../output.js';
import { listTokens } from '../tokens.js';

export interface TokenListOptions {
  json?: boolean;
}

export async function runTokenList(ctx: CliContext, opts: TokenListOptions): Promise<number> {
  const tokens = await listTokens(ctx.paths.tokensHome);
  if (opts.json) {
    printJson(
      tokens.map(({ token, ...rest }) => ({
        ...rest,
        token_prefix: token.slice(0, 16) + (token.length > 16 ? '…' : ''),
        token_len: token.length,
      })),
    );
    return 0;
  }
  if (tokens.length === 0) {
    println(`(no saved tokens in ${ctx.paths.tokensHome})`);
    return 0;
  }
  const rows = tokens.map((t) => [
    String(t.node ?? '?'),
    String(t.subject ?? '?'),
    typeof t.expires_at === 'number' ? isoUtc(t.expires_at) : '-',
  ]);
  println(...table([['NODE', 'SUBJECT', 'EXPIRES'], ...rows]));
  return 0;
}
