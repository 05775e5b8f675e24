/**
 * `dnsmesh intro trust <id> [--label L] [--username U]` (cli spec §5.10):
 * delivers the intro and pins its sender as a contact in config.yaml
 * (`{pub: existing or "", spk, domain: zone it came from, remote_username}`).
 * A label already used for another key or zone is refused (exit 1). Local only.
 */
import { toHex } from '../../protocol/bytes.js';
import { clientCall } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import { saveConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { bodyLines } from '../message-format.js';
import { println } from '../output.js';
import { terminalSafeField } from '../terminal-text.js';

export interface IntroTrustOptions {
  label?: string;
  username?: string;
}

export async function runIntroTrust(
  ctx: CliContext,
  id: number,
  opts: IntroTrustOptions,
): Promise<number> {
  const session = await openClientSession(ctx, { network: false });
  try {
    const username = opts.username ?? '';
    const { message, contact } = await clientCall(() =>
      session.client.introTrust(id, {
        label: opts.label || undefined,
        username: username || undefined,
      }),
    );
    const { config } = session;
    const existing = config.contacts.get(contact.label);
    config.contacts.set(contact.label, {
      pub: existing?.pub ?? '',
      spk: toHex(contact.ed25519Spk!),
      domain: contact.domain,
      remote_username: username,
    });
    await saveConfig(ctx.paths, config);
    const who = username !== '' ? username : '<their-username>';
    println(
      `trusted intro #${id} as \`${terminalSafeField(contact.label)}\``,
      ...bodyLines(message.plaintext),
      `  signing key pinned; to reply, fetch their encryption key: \`dnsmesh identity fetch ${terminalSafeField(who)}@${terminalSafeField(contact.domain)} --add\``,
    );
    return 0;
  } finally {
    session.close();
  }
}
