/**
 * Turns the passphrase into the identity keys, once per process, and runs
 * the typo tripwire (cli spec §1.4): any passphrase derives *some* valid
 * identity, so the first derived Ed25519 key is remembered in
 * `verify_pubkey` and every later derivation must match it.
 */
import { toHex, tryFromHex } from '../protocol/bytes.js';
import type { IdentityKeys } from '../protocol/crypto/identity.js';
import type { CliConfig } from './config/fields.js';
import { saveConfig } from './config/store.js';
import type { CliContext } from './context.js';
import { CliError, describeError, ExitCode, userError } from './errors.js';
import { trace, warn } from './output.js';
import { loadPassphrase } from './passphrase.js';

export interface UnlockOptions {
  /**
   * Compare against (or record) `verify_pubkey`. Off for the commands the
   * reference exempts (`register`, `tsig register`).
   */
  readonly tripwire: boolean;
}

/** The config's `kdf_salt` as bytes; empty means the library default salt. */
export function kdfSalt(ctx: CliContext, config: CliConfig): Uint8Array | undefined {
  if (config.kdf_salt === '') return undefined;
  const salt = tryFromHex(config.kdf_salt);
  if (salt === undefined || salt.length < 8) {
    throw userError(
      `kdf_salt in ${ctx.paths.configPath} is not hex of at least 8 bytes — restore it from a ` +
        'backup of config.yaml; without the original salt the identity cannot be re-derived',
    );
  }
  return salt;
}

/**
 * Loads the crypto code — OpenSSL plus native Argon2id — only in the commands
 * that derive keys: it is the largest part of a command's start-up.
 */
async function loadCrypto(): Promise<typeof import('../protocol/crypto/identity.js')> {
  const { installNodeCrypto } = await import('../runtime/node-crypto-provider.js');
  installNodeCrypto();
  return import('../protocol/crypto/identity.js');
}

/** The identity `passphrase` derives with the config's salt (no tripwire, nothing saved). */
export async function deriveIdentityFrom(
  ctx: CliContext,
  config: CliConfig,
  passphrase: string,
): Promise<IdentityKeys> {
  const salt = kdfSalt(ctx, config);
  const { deriveIdentity } = await loadCrypto();
  return deriveIdentity(passphrase, salt);
}

/**
 * Derives the identity from the passphrase (see passphrase.ts for the
 * sources). With `tripwire`, a mismatch with `verify_pubkey` fails with exit
 * 1 before anything is written, unless `DMP_PASSPHRASE_OVERRIDE_VERIFY=1`;
 * a first derivation records the key (a failed save only warns).
 */
export async function unlockIdentity(
  ctx: CliContext,
  config: CliConfig,
  options: UnlockOptions,
): Promise<IdentityKeys> {
  const [keys] = await unlockIdentityWhile(ctx, config, options, async () => undefined);
  return keys;
}

/**
 * {@link unlockIdentity}, running `work` while Argon2id computes on the
 * thread pool (the main thread is idle then: loading the rest of a
 * command's code there costs no wall time). Resolves to both results.
 */
export async function unlockIdentityWhile<T>(
  ctx: CliContext,
  config: CliConfig,
  options: UnlockOptions,
  work: () => Promise<T>,
): Promise<[IdentityKeys, T]> {
  const salt = kdfSalt(ctx, config);
  const { passphrase } = await loadPassphrase(config, {
    passphraseFile: ctx.passphraseFile,
    env: ctx.env,
  });
  trace('passphrase read');
  const { deriveIdentity } = await loadCrypto();
  trace('crypto loaded');
  const derivation = deriveIdentity(passphrase, salt);
  const [keys, extra] = await Promise.all([derivation, work()]);
  trace('identity derived');
  if (options.tripwire) checkTripwire(ctx, config, keys);
  if (options.tripwire && config.verify_pubkey === '') await recordVerifyKey(ctx, config, keys);
  return [keys, extra];
}

/** First derivation on this config: remember the key (a failed save only warns). */
async function recordVerifyKey(
  ctx: CliContext,
  config: CliConfig,
  keys: IdentityKeys,
): Promise<void> {
  config.verify_pubkey = toHex(keys.ed25519Public);
  try {
    await saveConfig(ctx.paths, config);
  } catch (err) {
    warn(
      `could not record verify_pubkey in config (${describeError(err)}); the typo check stays off`,
    );
  }
}

/** Fails (exit 1) when the derived key differs from `verify_pubkey`, unless overridden. */
function checkTripwire(ctx: CliContext, config: CliConfig, keys: IdentityKeys): void {
  const derived = toHex(keys.ed25519Public);
  const expected = config.verify_pubkey.toLowerCase();
  if (expected !== '' && expected !== derived) {
    if (ctx.env.DMP_PASSPHRASE_OVERRIDE_VERIFY === '1') {
      warn(
        `this passphrase derives a different identity (${derived}) than the one the config ` +
          `was set up with (${expected}); continuing because DMP_PASSPHRASE_OVERRIDE_VERIFY=1`,
      );
    } else {
      throw new CliError(
        ExitCode.user,
        'passphrase mismatch: this passphrase derives a different signing key than the one ' +
          'recorded in config.yaml (verify_pubkey).\n' +
          `  expected: ${expected}\n` +
          `  derived:  ${derived}\n` +
          'Most likely a typo — retry with the passphrase you used before. To switch to the ' +
          'new identity on purpose, run `dnsmesh init --force` (abandons the old one) or set ' +
          'DMP_PASSPHRASE_OVERRIDE_VERIFY=1 for a single run.',
      );
    }
  }
}
