/**
 * `dnsmesh contacts list [--json]` (cli spec §5.7): label, X25519 key and
 * pin state, sorted by label. A contact without an X25519 key (pinned by
 * `intro trust`, nothing can be sent to it yet) shows `(no encryption key)`
 * there, and a note on stderr names the `identity fetch` that completes it.
 * `--json` is the reference's. Local only; needs no passphrase.
 */
import { compareCodePoints, effectiveDomain } from '../config/fields.js';
import { loadConfig } from '../config/store.js';
import { fetchEncryptionKeyCommand } from '../contact-input.js';
import type { CliContext } from '../context.js';
import { eprintln, printJson, println, table } from '../output.js';
import { terminalSafeField } from '../terminal-text.js';

export interface ContactsListOptions {
  json?: boolean;
}

export async function runContactsList(ctx: CliContext, opts: ContactsListOptions): Promise<number> {
  const config = await loadConfig(ctx.paths);
  const labels = [...config.contacts.keys()].sort(compareCodePoints);
  if (opts.json) {
    printJson(
      labels.map((label) => {
        const c = config.contacts.get(label)!;
        return {
          label,
          pub: c.pub,
          spk: c.spk,
          domain: c.domain,
          remote_username: c.remote_username ?? '',
          pinned: c.spk !== '',
        };
      }),
    );
    return 0;
  }
  if (labels.length === 0) {
    println(
      '(no contacts yet — add one with `dnsmesh identity fetch <user> --add` or `dnsmesh contacts add <name> <pubkey>`)',
    );
    return 0;
  }
  const rows = labels.map((label) => {
    const c = config.contacts.get(label)!;
    return [
      terminalSafeField(label),
      c.pub !== '' ? c.pub : '(no encryption key)',
      c.spk !== '' ? '(pinned)' : '(UNPINNED)',
    ];
  });
  println(...table(rows));
  for (const label of labels) {
    const c = config.contacts.get(label)!;
    if (c.pub !== '') continue;
    eprintln(
      `  note: ${terminalSafeField(label)} has no encryption key yet, so nothing can be sent to it — ` +
        `\`${fetchEncryptionKeyCommand(c, effectiveDomain(config))}\` completes it`,
    );
  }
  return 0;
}
