/**
 * `dnsmesh token forget <node>` (cli spec §5.13): deletes the saved token for
 * a node host; none saved → exit 1.
 */
import type { CliContext } from '../context.js';
import { userError } from '../errors.js';
import { println } from '../output.js';
import { forgetToken } from '../tokens.js';

export async function runTokenForget(ctx: CliContext, node: string): Promise<number> {
  if (!(await forgetToken(ctx.paths.tokensHome, node))) {
    throw userError(`no saved token for ${node} — \`dnsmesh token list\` shows the saved ones`);
  }
  println(`forgot token for ${node}`);
  return 0;
}
