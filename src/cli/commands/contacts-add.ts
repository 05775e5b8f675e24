/**
 * `dnsmesh contacts add <name> <pubkey> [--signing-key SPK]` (cli spec §5.7):
 * stores `{pub, spk, domain: ""}` under the label, replacing any contact of
 * that name. Without a signing key the contact is unpinned: it can be
 * written to, but what it signs is not delivered as from it — hence the
 * warning, which also says when `recv` trusts any signer instead (TOFU:
 * `allow_tofu` on and no contact pinned).
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
  const pinned = [...config.contacts.values()].some((c) => c.spk !== '');
  const tofu =
    config.allow_tofu && !pinned
      ? ' Meanwhile, with allow_tofu on and no contact pinned, `dnsmesh recv` delivers any ' +
        'correctly signed message addressed to you (TOFU), whoever signed it.'
      : '';
  eprintln(
    `  warning: ${label} has no pinned Ed25519 signing key: you can send to it, but messages ` +
      `it signs are not delivered as from ${label} (they wait in \`dnsmesh intro list\` at best).${tofu} ` +
      'Pin it with --signing-key <64 hex>, or use `dnsmesh identity fetch <user> --add`, which pins both keys.',
  );
  return 0;
}
