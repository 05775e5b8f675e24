/**
 * `dnsmesh-node key add --out FILE`: the BIND key file holds the key's
 * secret, so it is created owner-only (0600), never world-readable as a
 * shell redirect under the usual umask makes it (0644).
 *
 * The file is checked before the key is minted ({@link checkKeyFileTarget}),
 * so a refusal changes nothing; without `--force` it is then created
 * exclusively (`wx`), so an existing file is never overwritten, not even
 * one that appeared meanwhile; with `--force` it is replaced atomically.
 */
import { fstatSync, lstatSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PRIVATE_FILE_MODE, writeFileAtomic } from './fs-atomic.js';

/** Why a key file cannot be written, in the operator's terms; `undefined` when it can. */
export function checkKeyFileTarget(path: string, force: boolean): string | undefined {
  let exists = true;
  try {
    if (lstatSync(path).isDirectory()) return `--out ${path} is a directory`;
  } catch {
    exists = false;
  }
  if (exists && !force) return `--out ${path} already exists; pass --force to overwrite it`;
  try {
    if (!statSync(dirname(path)).isDirectory()) return `--out ${path}: not in a directory`;
  } catch {
    return `--out ${path}: directory ${dirname(path)} does not exist`;
  }
  return undefined;
}

/** Writes `text` to `path` with mode 0600 (exclusive create unless `force`). */
export async function writeKeyFile(path: string, text: string, force: boolean): Promise<void> {
  if (force) {
    await writeFileAtomic(path, text);
    return;
  }
  const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A warning when stdout is a regular file that others may read (`key add >
 * alice.key`): the secret is in it. `undefined` for a terminal or a pipe.
 */
export function stdoutSecretWarning(): string | undefined {
  let mode: number;
  try {
    const st = fstatSync(1);
    if (!st.isFile()) return undefined;
    mode = st.mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  return (
    `stdout is a file with mode ${mode.toString(8).padStart(4, '0')}: others may read the ` +
    'secret in it; chmod 600 it, or use --out FILE (created 0600)'
  );
}
