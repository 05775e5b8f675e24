/**
 * `dnsmesh send <recipient> <message|->` (cli spec §5.8): encrypts to a
 * contact and publishes the chunks and slot manifest through the configured
 * writer, then the first-contact claims (claim providers) and, for a contact
 * with an explicit zone, the receiver-zone claim. `-` reads the message from
 * stdin (message-input.ts); an empty message is refused (exit 1). A failure
 * of the message itself exits 2; claims are best effort (a stderr warning
 * when none landed). The summary line names the contact's address, the
 * size and chunk count, and where the first-contact pointer went.
 */
import type { SendResult } from '../../client/send.js';
import { asCliError } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import { effectiveDomain } from '../config/fields.js';
import { loadConfig } from '../config/store.js';
import { fetchEncryptionKeyCommand } from '../contact-input.js';
import type { CliContext } from '../context.js';
import { CliError, ExitCode, userError } from '../errors.js';
import { checkMessageArgument, readMessageFromStdin, STDIN_MESSAGE } from '../message-input.js';
import { eprintln, println, progress, trace } from '../output.js';
import { terminalSafeField } from '../terminal-text.js';

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
  // An `intro trust` placeholder: exit 2 as the reference's "send failed", but
  // before the passphrase, and with the command that completes the contact.
  const entry = config.contacts.get(label)!;
  if (entry.pub === '') {
    throw new CliError(
      ExitCode.network,
      `send failed: \`${terminalSafeField(label)}\` has no encryption key yet (its signing key was ` +
        'pinned by `intro trust`, which cannot learn the other) — run ' +
        `\`${fetchEncryptionKeyCommand(entry, effectiveDomain(config))}\` first`,
    );
  }
  // A message typed on a terminal is read after the passphrase prompt, which
  // needs the terminal too; a piped one (and an empty argument) is checked first.
  const typed = message === STDIN_MESSAGE && process.stdin.isTTY === true;
  let body: string | Uint8Array | undefined =
    message !== STDIN_MESSAGE
      ? checkMessageArgument(message)
      : typed
        ? undefined
        : await readMessageFromStdin();
  const session = await openClientSession(ctx, { network: true, localNodeDns: true, config });
  const bar = progress();
  try {
    body ??= await readMessageFromStdin();
    const bytes = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
    const { buildClaimProviders, withOwnNodeTarget } = await import('../claim-providers.js');
    const providers = withOwnNodeTarget(
      await buildClaimProviders(session.config, session.reader),
      session.config,
    );
    trace(`claim providers: ${providers.map((p) => p.zone).join(', ') || 'none'}`);
    const result = await session.client
      .send(label, body, {
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
    println(sentSummary(result, bytes, providers.length > 0 ? providers.length : undefined));
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

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `21 bytes`, `3.6 KB` (1 KB = 1000 bytes, as the size limits are given). */
function sizeText(bytes: number): string {
  return bytes < 1000 ? plural(bytes, 'byte') : `${(bytes / 1000).toFixed(1)} KB`;
}

/**
 * `sent to bob (bob@mesh.test) — 21 bytes in 3 chunks; first-contact
 * pointer published at 1/1 provider`; the address is left out when the
 * label is the address, the pointer part when there are no providers.
 */
export function sentSummary(
  result: Pick<SendResult, 'contact' | 'n' | 'claims'>,
  bytes: number,
  providers: number | undefined,
): string {
  const { label, username, domain } = result.contact;
  const address = username !== '' && domain !== '' ? `${username}@${domain}` : '';
  const who =
    address === '' || address === label
      ? terminalSafeField(label)
      : `${terminalSafeField(label)} (${terminalSafeField(address)})`;
  let line = `sent to ${who} — ${sizeText(bytes)} in ${plural(result.n, 'chunk')}`;
  if (providers !== undefined) {
    const ok = result.claims.filter((c) => c.kind === 'provider' && c.ok).length;
    line += `; first-contact pointer published at ${ok}/${plural(providers, 'provider')}`;
  }
  return line;
}
