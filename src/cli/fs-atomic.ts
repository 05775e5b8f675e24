/**
 * Crash-safe file replacement: write a sibling temp file created with the
 * final mode (never world-readable, not even briefly), fsync it, rename it
 * over the target. A reader — or the other CLI — sees the old file or the
 * new one, never a torn write.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Owner-only modes for the config dir and its files (cli spec §2.4). */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and parents) if needed and makes it owner-only when it has
 * group/other permission bits.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const st = await stat(dir);
  if ((st.mode & 0o077) !== 0) await chmod(dir, PRIVATE_DIR_MODE);
}

/** Atomically replaces `path` with `data`, mode 0600. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await open(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    try {
      await handle.writeFile(data, 'utf8');
      // The umask may have narrowed the creation mode further; make it exact.
      await handle.chmod(PRIVATE_FILE_MODE);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
