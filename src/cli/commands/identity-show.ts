/**
 * `dnsmesh identity show [--json]` (cli spec §5.2): the identity derived from
 * the passphrase — local only, never touches the network (works offline and
 * in cluster mode). Passes the typo tripwire. Adds the fingerprint the
 * reference uses for `identity fetch --accept-fingerprint`, and on a
 * terminal its QR code, for out-of-band verification.
 */
import { toHex } from '../../protocol/bytes.js';
import { effectiveDomain } from '../config/fields.js';
import { loadConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { groupFingerprint, identityFingerprint } from '../fingerprint.js';
import { eprintln, keyValueLines, printJson, println, stdoutIsTerminal } from '../output.js';
import { unlockIdentity } from '../unlock.js';

export interface IdentityShowOptions {
  json?: boolean;
  /** true: always draw the QR code; false: never; undefined: on a terminal. */
  qr?: boolean;
}

export async function runIdentityShow(ctx: CliContext, opts: IdentityShowOptions): Promise<number> {
  const config = await loadConfig(ctx.paths);
  const keys = await unlockIdentity(ctx, config, { tripwire: true });
  const fingerprint = identityFingerprint(keys.x25519Public, keys.ed25519Public);
  const info = {
    username: config.username,
    domain: effectiveDomain(config),
    public_key: toHex(keys.x25519Public),
    signing_public_key: toHex(keys.ed25519Public),
    user_id: toHex(keys.userId),
    fingerprint,
  };
  if (opts.json) {
    printJson(info);
    return 0;
  }
  println(...keyValueLines(Object.entries(info)));
  if (opts.qr ?? stdoutIsTerminal()) {
    const { renderQr } = await import('../qr.js');
    const qr = await renderQr(fingerprint);
    if (qr === undefined) {
      eprintln('  (QR code unavailable: the optional `uqr` package is not installed)');
    } else {
      println('', ...qr, `  fingerprint ${groupFingerprint(fingerprint)}`);
    }
  }
  return 0;
}
