/**
 * Notices the CLI gives once, not on every run: a fact about the user's
 * setup that does not change from one `recv` to the next (and on every
 * `recv --watch` pass would bury the messages). Remembered per config home
 * in `notices.json` (key → Unix time shown); shown again after
 * {@link REPEAT_AFTER_SECONDS} in case the user forgot. `dnsmesh doctor`
 * reports the same facts every time it is asked.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliPaths } from './config/paths.js';
import { ensurePrivateDir, writeFileAtomic } from './fs-atomic.js';

const FILE = 'notices.json';
/** A shown notice is repeated after 30 days. */
export const REPEAT_AFTER_SECONDS = 30 * 86_400;

async function readShown(path: string): Promise<Record<string, number>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'number') out[k] = v;
    return out;
  } catch {
    return {};
  }
}

/**
 * True when the notice `key` should be shown now (and records that it was);
 * false when it was shown within {@link REPEAT_AFTER_SECONDS}. A failure to
 * remember it only means it is shown again next time.
 */
export async function shouldShowOnce(
  paths: Pick<CliPaths, 'configHome'>,
  key: string,
  now = Math.floor(Date.now() / 1000),
): Promise<boolean> {
  const path = join(paths.configHome, FILE);
  const shown = await readShown(path);
  const last = shown[key];
  if (last !== undefined && now - last < REPEAT_AFTER_SECONDS) return false;
  shown[key] = now;
  try {
    await ensurePrivateDir(paths.configHome);
    await writeFileAtomic(path, `${JSON.stringify(shown, null, 2)}\n`);
  } catch {
    // Shown again next time; nothing else depends on it.
  }
  return true;
}
