/**
 * `dnsmesh identity fetch <name> [--domain D] [--add] [--accept-fingerprint F]
 * [--json]` (cli spec §5.6): resolves and verifies someone's identity record
 * (no passphrase needed), and with `--add` pins both keys as a contact —
 * filling in an intro-trust placeholder with the same signing key, never
 * overwriting an existing contact.
 */
import type { IdentityFetchResult } from '../../client/identity-fetch.js';
import { toHex } from '../../protocol/bytes.js';
import { clientCall } from '../client-errors.js';
import { openLookupClient } from '../client-session.js';
import type { CliConfig } from '../config/fields.js';
import { saveConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { networkError, userError } from '../errors.js';
import { eprintln, printJson, println } from '../output.js';
import { terminalSafeField } from '../terminal-text.js';

export interface IdentityFetchOptions {
  domain?: string;
  add?: boolean;
  acceptFingerprint?: string;
  json?: boolean;
  viaBootstrap?: boolean;
}

type Found = Extract<IdentityFetchResult, { status: 'found' }>;

function failure(result: Exclude<IdentityFetchResult, Found>): never {
  switch (result.status) {
    case 'not-found':
      throw networkError(
        `no identity record at ${result.query.names.join(' or ')} — check the name, or ask them to run \`dnsmesh identity publish\``,
      );
    case 'unverified':
      throw networkError(
        `found ${result.values} TXT record(s) at ${result.name} but none verified as a DMP identity`,
      );
    case 'revoked':
      throw networkError(
        `every identity record at ${result.name} is revoked by its owner — confirm their new key out of band`,
      );
    case 'ambiguous': {
      const lines = result.candidates.map(
        (c) =>
          `  fingerprint=${c.fingerprint}  x25519=${toHex(c.record.x25519Pk).slice(0, 16)}...  ` +
          `ed25519=${toHex(c.record.ed25519Spk).slice(0, 16)}...  ts=${c.record.ts}`,
      );
      throw networkError(
        [
          `ambiguous: ${result.candidates.length} valid identity records at ${result.name}`,
          ...lines,
          'verify the right one out of band, then rerun with --accept-fingerprint=<16-hex>',
        ].join('\n'),
      );
    }
  }
}

/** Applies `--add` to `config`; returns the message to show and whether the config changed. */
function addContact(config: CliConfig, found: Found): { message: string; changed: boolean } {
  const record = found.identity.record;
  if (found.query.kind === 'address' && !found.exactUsername) {
    throw networkError(
      `the record at ${found.name} is for username ${JSON.stringify(record.username)}, not ` +
        `${JSON.stringify(found.query.user)} as the address says — not adding it`,
    );
  }
  const pub = toHex(record.x25519Pk);
  const spk = toHex(record.ed25519Spk);
  const domain = found.contact.init.domain ?? '';
  for (const [label, entry] of config.contacts) {
    if (entry.pub === '' && entry.spk === spk) {
      config.contacts.set(label, {
        pub,
        spk,
        domain: domain !== '' ? domain : entry.domain,
        remote_username: record.username,
      });
      return {
        message: `upgraded contact \`${label}\` (filled in the X25519 key of ${record.username})`,
        changed: true,
      };
    }
  }
  const label = found.contact.label;
  if (config.contacts.has(label)) {
    return {
      message: `contact \`${label}\` already exists — not overwriting it (\`dnsmesh contacts remove ${label}\` first to replace it)`,
      changed: false,
    };
  }
  config.contacts.set(label, { pub, spk, domain });
  return { message: `added contact ${label} (signing key pinned)`, changed: true };
}

export async function runIdentityFetch(
  ctx: CliContext,
  name: string,
  opts: IdentityFetchOptions,
): Promise<number> {
  if (opts.viaBootstrap) {
    throw userError(
      '--via-bootstrap is not supported by this dnsmesh yet — fetch through your resolvers (drop the flag) or use the reference CLI',
    );
  }
  const { config, client } = await openLookupClient(ctx);
  const result = await clientCall(() =>
    client.fetchIdentity(name, { domain: opts.domain, acceptFingerprint: opts.acceptFingerprint }),
  );
  if (result.status !== 'found') failure(result);
  const record = result.identity.record;
  if (opts.json) {
    printJson({
      username: record.username,
      address: result.address,
      public_key: toHex(record.x25519Pk),
      signing_public_key: toHex(record.ed25519Spk),
      ts: Number(record.ts),
      dns_name: result.name,
      fingerprint: result.identity.fingerprint,
    });
  } else {
    println(
      `address:            ${result.address}`,
      `username:           ${terminalSafeField(record.username)}`,
      `public_key:         ${toHex(record.x25519Pk)}`,
      `signing_public_key: ${toHex(record.ed25519Spk)}`,
      `published at:       ${record.ts}`,
      `fingerprint:        ${result.identity.fingerprint}`,
    );
  }
  if (opts.add) {
    const { message, changed } = addContact(config, result);
    if (changed) await saveConfig(ctx.paths, config);
    // Keep --json output a single JSON document.
    if (opts.json) eprintln(message);
    else println(message);
  }
  return 0;
}
