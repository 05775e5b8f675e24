/**
 * `dnsmesh intro trust <intro> [--label L] [--username U]` (cli spec §5.10):
 * delivers the intro and pins its sender as a contact in config.yaml
 * (`{pub: existing or "", spk, domain: zone it came from, remote_username}`).
 * The intro is named by its number or by the label `intro list` shows
 * (intro-ref.ts). A label already used for another key or zone is refused
 * (exit 1). Local only.
 *
 * An intro carries the sender's signing key, not their encryption key, so
 * unless the label already had one the new contact can be read from but
 * not written to. That is said plainly, with the exact `identity fetch`
 * that completes the contact (the username given, else the verified address
 * the intro carried, else a `<username>` to ask the sender for); `contacts
 * list` and `send` say the same until it is done.
 */
import { toHex } from '../../protocol/bytes.js';
import { clientCall } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import { effectiveDomain } from '../config/fields.js';
import { saveConfig } from '../config/store.js';
import { fetchEncryptionKeyCommand } from '../contact-input.js';
import type { CliContext } from '../context.js';
import { type IntroRef, resolveIntroRef } from '../intro-ref.js';
import { bodyLines } from '../message-format.js';
import { println } from '../output.js';
import { terminalSafeField } from '../terminal-text.js';

export interface IntroTrustOptions {
  label?: string;
  username?: string;
}

export async function runIntroTrust(
  ctx: CliContext,
  ref: IntroRef,
  opts: IntroTrustOptions,
): Promise<number> {
  const session = await openClientSession(ctx, { network: false });
  try {
    const username = opts.username ?? '';
    const id = await resolveIntroRef(ref, () => clientCall(() => session.client.introList()));
    const { message, contact } = await clientCall(() =>
      session.client.introTrust(id, {
        label: opts.label || undefined,
        username: username || undefined,
      }),
    );
    const { config } = session;
    const existing = config.contacts.get(contact.label);
    const entry = {
      pub: existing?.pub ?? '',
      spk: toHex(contact.ed25519Spk!),
      domain: contact.domain,
      remote_username: username,
    };
    config.contacts.set(contact.label, entry);
    await saveConfig(ctx.paths, config);
    const label = terminalSafeField(contact.label);
    const lines = [
      `trusted intro #${id} as \`${label}\` — signing key pinned, so their next messages skip the queue`,
      ...bodyLines(message.plaintext),
    ];
    if (entry.pub === '') {
      const fetch = fetchEncryptionKeyCommand(entry, effectiveDomain(config), message.senderLabel);
      lines.push(
        '  You cannot reply yet: an intro does not carry the encryption key.',
        username === '' && message.senderLabel === ''
          ? `  Ask them for their username, then run \`${fetch}\` (it completes \`${label}\`).`
          : `  Run \`${fetch}\` (it completes \`${label}\`).`,
      );
    }
    const others = (await clientCall(() => session.client.introList())).filter(
      (i) => toHex(i.senderSpk) === entry.spk,
    );
    if (others.length > 0) {
      lines.push(
        `  ${others.length} more intro(s) from this sender wait (${others.map((i) => `#${i.id}`).join(', ')}): ` +
          '`dnsmesh intro accept <number>` delivers each.',
      );
    }
    println(...lines);
    return 0;
  } finally {
    session.close();
  }
}
