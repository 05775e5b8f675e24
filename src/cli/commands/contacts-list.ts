/**
 * `dnsmesh contacts list [--json]` (cli spec §5.7): label, X25519 key and
 * pin state, sorted by label. Local only; needs no passphrase.
 */
import { compareCodePoints } from '../config/fields.js';
import { loadConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { printJson, println, table } from '../output.js';
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
    return [terminalSafeField(label), c.pub, c.spk !== '' ? '(pinned)' : '(UNPINNED)'];
  });
  println(...table(rows));
  return 0;
}
