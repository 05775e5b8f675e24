/**
 * `dnsmesh config set <key> <value> [--force]`: changes one key of
 * config.yaml, typed and checked by the key (config-keys.ts), and rewrites
 * the file as every command does (`saveConfig`: the reference's format,
 * atomic, 0600). A value of `-` is read from stdin, so a token or secret
 * need not appear in the shell history or the process list.
 *
 * The keys that define the identity (`kdf_salt`, `verify_pubkey`,
 * `username`) change only with `--force`, and then with a warning saying
 * what breaks. A new `kdf_salt` also clears `verify_pubkey`: the old key
 * cannot match what the new salt derives, so the next unlock records it.
 */
import { loadConfig, saveConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { userError } from '../errors.js';
import { println, warn } from '../output.js';
import { displayValue, IDENTITY_KEYS, parseValue, resolveKey, sameValue } from './config-keys.js';

export interface ConfigSetOptions {
  force?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function runConfigSet(
  ctx: CliContext,
  name: string,
  raw: string,
  opts: ConfigSetOptions,
): Promise<number> {
  const key = resolveKey(name);
  const config = await loadConfig(ctx.paths);
  const value = parseValue(key, raw === '-' ? await readStdin() : raw);
  const old = config[key];
  if (sameValue(old, value)) {
    println(`${key}: ${displayValue(key, old, false)} (unchanged)`);
    return 0;
  }
  const consequence = IDENTITY_KEYS[key];
  if (consequence !== undefined) {
    if (!opts.force) {
      throw userError(
        `not changing ${key} without --force: ${consequence}. Keep a copy of config.yaml before you do`,
      );
    }
    warn(`changing ${key} (was ${displayValue(key, old, false)}): ${consequence}`);
  }
  Object.assign(config, { [key]: value });
  const cleared = key === 'kdf_salt' && config.verify_pubkey !== '';
  if (cleared) config.verify_pubkey = '';
  await saveConfig(ctx.paths, config);
  println(`${key}: ${displayValue(key, value, false)} (was ${displayValue(key, old, false)})`);
  if (cleared) {
    println(
      '  verify_pubkey cleared: the next command that unlocks records the key your passphrase derives with this salt',
    );
  }
  return 0;
}
