/**
 * Choosing the passphrase at `init`. The passphrase and the config's salt
 * *are* the identity, and the typo tripwire (`verify_pubkey`) records
 * whatever the first unlock derives — so a typo at the first prompt used
 * to become the identity for good. `init` now settles it up front: from
 * the non-interactive sources as always (`DMP_PASSPHRASE`,
 * `--passphrase-file`), else asked twice on the terminal; the derived key
 * is recorded right away, and a weak passphrase is warned about.
 */

import type { CliConfig } from './config/fields.js';
import { CliError, ExitCode, userError } from './errors.js';
import { warn } from './output.js';
import { loadPassphrase, promptHidden } from './passphrase.js';

/** Shorter than this is weak whatever it is made of. */
const MIN_LENGTH = 12;
const COMMON = new Set([
  'password',
  'passphrase',
  'letmein',
  'qwerty',
  'iloveyou',
  'changeme',
  'secret',
  'dnsmesh',
]);

/** Why `passphrase` is weak, or `undefined`. A hint, not a strength meter. */
export function passphraseWeakness(passphrase: string, username: string): string | undefined {
  const p = passphrase.trim();
  const lower = p.toLowerCase();
  if (p.length === 0) return 'it is empty';
  if (COMMON.has(lower.replace(/[0-9!.]+$/, ''))) return 'it is a commonly used password';
  if (username !== '' && lower.includes(username.toLowerCase()) && p.length < 2 * MIN_LENGTH) {
    return 'it contains your username';
  }
  if ([...p].length < MIN_LENGTH) return `it has fewer than ${MIN_LENGTH} characters`;
  if (new Set(p).size < 5) return 'it repeats a few characters';
  return undefined;
}

/** Where the chosen passphrase came from. */
export type ChosenFrom = 'env' | 'option-file' | 'prompt';

/**
 * The passphrase for a new identity, or `undefined` when there is no
 * source and no terminal to ask on (then the first unlock decides, as the
 * reference does). Asked twice on a terminal; a mismatch is exit 1.
 */
export async function choosePassphrase(
  config: CliConfig,
  options: {
    readonly passphraseFile?: string | undefined;
    readonly env: NodeJS.ProcessEnv;
    readonly prompt?: (question: string) => Promise<string>;
    readonly interactive?: boolean;
  },
): Promise<{ passphrase: string; from: ChosenFrom } | undefined> {
  const env = options.env;
  if ((env.DMP_PASSPHRASE ?? '') !== '' || options.passphraseFile !== undefined) {
    const { passphrase, source } = await loadPassphrase(config, {
      passphraseFile: options.passphraseFile,
      env,
    });
    return { passphrase, from: source === 'env' ? 'env' : 'option-file' };
  }
  const interactive = options.interactive ?? process.stdin.isTTY === true;
  if (!interactive) return undefined;
  const prompt = options.prompt ?? promptHidden;
  const who = config.username;
  const first = await prompt(`Choose a passphrase for ${who}: `);
  if (first === '') throw userError('no passphrase entered — nothing was written');
  const weakness = passphraseWeakness(first, who);
  if (weakness !== undefined) {
    warn(
      `this passphrase is weak (${weakness}). Whoever gets your config.yaml can try ` +
        'guesses offline; 4 or more random words are far stronger.',
    );
  }
  const second = await prompt('Repeat it: ');
  if (second !== first) {
    throw new CliError(
      ExitCode.user,
      'the two passphrases differ — nothing was written; run `dnsmesh init` again',
    );
  }
  return { passphrase: first, from: 'prompt' };
}
