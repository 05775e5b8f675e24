/**
 * Where the identity passphrase comes from (cli spec §1.4), first match wins:
 *
 * 1. `DMP_PASSPHRASE`, if non-empty, used verbatim (not stripped);
 * 2. a passphrase file: this CLI's global `--passphrase-file FILE` (which
 *    must exist) for this run, else the config's `passphrase_file`
 *    (`~` expanded) if that file exists;
 * 3. a no-echo prompt on the terminal.
 *
 * Files are read with surrounding whitespace stripped (Python's
 * `str.strip()`, so a trailing newline from `echo` does not change the
 * identity). The passphrase is never printed or logged.
 *
 * A passphrase file that its group or others may read or write (any bit of
 * `mode & 0o077`) is refused (exit 1) with the `chmod 600` that fixes it,
 * as ssh refuses such a private key: the passphrase is the identity. The
 * mode is read from the opened file, so it cannot change between check
 * and read. Pipes (`--passphrase-file <(pass show dmp)`) and other
 * non-regular files are not checked; nor is anything on Windows, where
 * the mode bits mean nothing.
 */
import { open } from 'node:fs/promises';
import { pythonStrip } from '../protocol/records/python-text.js';
import type { CliConfig } from './config/fields.js';
import { expandHome } from './config/paths.js';
import { CliError, describeError, userError } from './errors.js';
import { warn } from './output.js';

/** Which source supplied the passphrase (for diagnostics, never the value). */
export type PassphraseSource = 'option-file' | 'env' | 'config-file' | 'prompt';

export interface PassphraseOptions {
  /** The global `--passphrase-file` option. */
  readonly passphraseFile?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** Prompt implementation; defaults to the terminal (tests inject one). */
  readonly prompt?: (question: string) => Promise<string>;
}

/** Permission bits for group and others: none may be set on a passphrase file. */
const FOREIGN_ACCESS = 0o077;

async function readPassphraseFile(path: string): Promise<string | undefined> {
  const cannotRead = (err: unknown) =>
    userError(`cannot read passphrase file ${path}: ${describeError(err)}`, { cause: err });
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cannotRead(err);
  }
  try {
    const st = await handle.stat();
    if (process.platform !== 'win32' && st.isFile() && (st.mode & FOREIGN_ACCESS) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw userError(
        `passphrase file ${path} is accessible by other users (mode ${mode}) — refusing to use it; ` +
          `run \`chmod 600 ${path}\``,
      );
    }
    return pythonStrip(await handle.readFile('utf8'));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw cannotRead(err);
  } finally {
    await handle.close();
  }
}

/** Resolves the passphrase and its source, prompting only as a last resort. */
export async function loadPassphrase(
  config: CliConfig,
  options: PassphraseOptions = {},
): Promise<{ passphrase: string; source: PassphraseSource }> {
  const env = options.env ?? process.env;
  const fromEnv = env.DMP_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (options.passphraseFile !== undefined) {
      warn('DMP_PASSPHRASE is set, so --passphrase-file is ignored (unset it to use the file)');
    }
    return { passphrase: fromEnv, source: 'env' };
  }
  if (options.passphraseFile !== undefined) {
    const path = expandHome(options.passphraseFile);
    const text = await readPassphraseFile(path);
    if (text === undefined) {
      throw userError(`passphrase file ${path} does not exist — check the --passphrase-file path`);
    }
    return { passphrase: text, source: 'option-file' };
  }
  if (config.passphrase_file !== null && config.passphrase_file !== '') {
    const text = await readPassphraseFile(expandHome(config.passphrase_file));
    if (text !== undefined) return { passphrase: text, source: 'config-file' };
  }
  const who = config.username !== '' ? config.username : 'identity';
  const prompt = options.prompt ?? promptHidden;
  return { passphrase: await prompt(`Passphrase for ${who}: `), source: 'prompt' };
}

// What arrived after the newline that ended the previous answer (a paste of
// both entries at `init`, or type-ahead); the next prompt starts from it.
let typedAhead = '';

/**
 * Reads one line from the terminal without echoing it. Fails (exit 1) when
 * stdin is not a terminal, since a script would otherwise hang forever.
 */
export async function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  if (input.isTTY !== true) {
    throw userError(
      'no passphrase available and stdin is not a terminal — set DMP_PASSPHRASE, ' +
        'pass --passphrase-file FILE, or set passphrase_file in config.yaml',
    );
  }
  const output = process.stderr;
  // Echo off before the question shows: a user (or a paste) typing the
  // moment the prompt appears must not see the passphrase echoed.
  input.setRawMode(true);
  output.write(question);
  input.resume();
  input.setEncoding('utf8');
  return new Promise<string>((resolve, reject) => {
    let answer = '';
    let done = false;
    const finish = (rest: string, error?: Error) => {
      done = true;
      typedAhead = rest;
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      const chars = [...chunk];
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        const rest = () => chars.slice(i + 1).join('');
        if (ch === '\r' || ch === '\n') {
          // A CRLF pair ends one line, not two.
          const next = chars[i + 1] === '\n' && ch === '\r' ? i + 2 : i + 1;
          return finish(chars.slice(next).join(''));
        }
        if (ch === '\u0003') return finish('', userError('interrupted at the passphrase prompt'));
        if (ch === '\u0004') {
          if (answer === '') {
            return finish('', userError('no passphrase entered (end of input)'));
          }
          return finish(rest());
        }
        if (ch === '\u007f' || ch === '\b') answer = [...answer].slice(0, -1).join('');
        else if (ch === '\u0015') answer = '';
        else if (ch >= ' ') answer += ch;
      }
    };
    input.on('data', onData);
    if (typedAhead !== '') {
      const pending = typedAhead;
      typedAhead = '';
      onData(pending);
      if (done) return;
    }
  });
}
