/**
 * `dnsmesh contacts add <name> <pubkey> [--signing-key SPK]` (cli spec §5.7):
 * stores `{pub, spk, domain: ""}` under the label, replacing any contact of
 * that name. Without a signing key the contact is unpinned, which keeps
 * `recv` in trust-on-first-use mode — hence the warning.
 */
import { loadConfig, saveConfig } from '../config/store.js';
import { parseKeyHex, parseLabel } from '../contact-input.js';
import type { CliContext } from '../context.js';
import { eprintln, println } from '../output.js';

export interface ContactsAddOptions {
  signingKey?: string;
}

export async function runContactsAdd(
  ctx: CliContext,
  name: string,
  pubkey: string,
  opts: ContactsAddOptions,
): Promise<number> {
  const config = await loadConfig(ctx.paths);
  const label = parseLabel(name);
  const pub = parseKeyHex(pubkey, 'the public key (X25519)');
  const spk =
    opts.signingKey === undefined || opts.signingKey === ''
      ? ''
      : parseKeyHex(opts.signingKey, '--signing-key (Ed25519)');
  const replaced = config.contacts.has(label);
  config.contacts.set(label, { pub, spk, domain: '' });
  await saveConfig(ctx.paths, config);
  const verb = replaced ? 'replaced' : 'added';
  if (spk !== '') {
    println(`${verb} contact ${label} (signing key pinned)`);
    return 0;
  }
  println(`${verb} contact ${label}`);
  eprintln(
    `  warning: ${label} has no pinned Ed25519 signing key. While no contact is pinned, ` +
      '`dnsmesh recv` trusts any correctly signed message addressed to you (TOFU). Pin it with ' +
      '--signing-key <64 hex>, or use `dnsmesh identity fetch <user> --add`, which pins both keys.',
  );
  return 0;
}
