/**
 * Files that hold secrets or user state (the node database, the client's
 * state database): the parent directory is 0700, the file and sqlite's WAL
 * companions 0600, whatever the umask, and a planted symlink can never
 * redirect the writes.
 */
import { chmodSync, closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates the parent directories (0700) and the file (0600) before sqlite opens it. */
export function preparePrivateFile(path: string): void {
  const dir = dirname(resolve(path));
  const firstCreated = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (firstCreated !== undefined) {
    // mkdir's mode is filtered by the umask; pin every directory we made.
    for (let d = dir; d.length >= firstCreated.length; d = dirname(d)) {
      chmodSync(d, PRIVATE_DIR_MODE);
      if (d === firstCreated) break;
    }
  }
  // O_NOFOLLOW: a planted symlink must not redirect where private data is written.
  const fd = openSync(
    path,
    constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW,
    PRIVATE_FILE_MODE,
  );
  closeSync(fd);
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Pins sqlite's `-wal` and `-shm` companions (when they exist) to 0600. */
export function restrictSqliteCompanions(path: string): void {
  for (const suffix of ['-wal', '-shm']) {
    try {
      chmodSync(path + suffix, PRIVATE_FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
