/**
 * `dnsmesh send <recipient> <message>` (cli spec §5.8): encrypts to a contact
 * and publishes the chunks and slot manifest through the configured writer,
 * then the first-contact claims (claim providers) and, for a contact with
 * an explicit zone, the receiver-zone claim. A failure of the message itself
 * exits 2; claims are best effort (a stderr warning when none landed).
 */
import { asCliError } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import { loadConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { CliError, ExitCode, userError } from '../errors.js';
import { eprintln, println, progress, trace } from '../output.js';

/** Exact label, else (for `user@host`) the part before `@` — as the reference looks contacts up. */
export function resolveRecipientLabel(
  labels: ReadonlySet<string> | Map<string, unknown>,
  recipient: string,
): string | undefined {
  if (labels.has(recipient)) return recipient;
  const at = recipient.indexOf('@');
  if (at >= 0 && labels.has(recipient.slice(0, at))) return recipient.slice(0, at);
  return undefined;
}

export async function runSend(
  ctx: CliContext,
  recipient: string,
  message: string,
): Promise<number> {
  // Unknown recipients fail before the passphrase is asked for.
  const config = await loadConfig(ctx.paths);
  const label = resolveRecipientLabel(config.contacts, recipient);
  if (label === undefined) {
    throw userError(
      `unknown contact \`${recipient}\` — add it first with \`dnsmesh identity fetch ${recipient} --add\` or \`dnsmesh contacts add\``,
    );
  }
  const session = await openClientSession(ctx, { network: true, localNodeDns: true, config });
  const bar = progress();
  try {
    const { buildClaimProviders, withOwnNodeTarget } = await import('../claim-providers.js');
    const providers = withOwnNodeTarget(
      await buildClaimProviders(session.config, session.reader),
      session.config,
    );
    trace(`claim providers: ${providers.map((p) => p.zone).join(', ') || 'none'}`);
    const result = await session.client
      .send(label, message, {
        claimProviders: providers,
        onProgress: (p) => {
          trace(`send: ${p.stage}${p.stage === 'chunks' ? ` ${p.done}/${p.total}` : ''}`);
          if (p.stage === 'chunks') bar.update(`publishing chunks ${p.done}/${p.total}…`);
          else if (p.stage === 'manifest') bar.update('publishing manifest…');
        },
      })
      .catch((err: unknown) => {
        const e = asCliError(err);
        throw new CliError(
          e.exitCode === ExitCode.user ? ExitCode.user : ExitCode.network,
          e.message.startsWith('send failed') ? e.message : `send failed: ${e.message}`,
          {
            cause: err,
          },
        );
      });
    bar.done();
    const providerClaims = result.claims.filter((c) => c.kind === 'provider');
    const ok = providerClaims.filter((c) => c.ok).length;
    const suffix =
      providers.length > 0 ? ` (+ ${ok}/${providerClaims.length} claim publishes)` : '';
    println(`sent → ${recipient}${suffix}`);
    if (providers.length > 0 && ok === 0) {
      const why =
        providerClaims.find((c) => c.error !== undefined)?.error?.message ??
        'no claim could be built';
      eprintln(
        `  warning: no claim provider accepted the first-contact pointer (${why}). Contacts who ` +
          'have pinned you still get the message; others will not find it. Set ' +
          'claim_provider_override in config.yaml to a reachable provider, or check its DNS port.',
      );
    }
    return 0;
  } finally {
    bar.done();
    session.close();
  }
}
