/**
 * Saved per-node bearer tokens (cli spec §2.4): one JSON file per node host
 * under the tokens dir, `{"version":1,"node","subject","token","expires_at",
 * "registered_spk","saved_at"}` with 2-space indentation, mode 0600, the
 * same layout the reference reads and writes.
 */
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizeEndpoint } from './endpoint.js';
import { ensurePrivateDir, writeFileAtomic } from './fs-atomic.js';

/** Clock-skew allowance when deciding whether a saved token has expired. */
export const TOKEN_EXPIRY_GRACE_SECONDS = 300;

const SAFE_HOST = /^[a-z0-9](?:[a-z0-9.-]{0,252}[a-z0-9])?$/;

/** A saved token file's content. */
export interface SavedToken {
  readonly version: number;
  readonly node: string;
  readonly subject: string;
  readonly token: string;
  readonly expires_at: number | null;
  readonly registered_spk: string | null;
  readonly saved_at: number;
}

/** The file-name form of a host (lower-case, no trailing dot), or undefined if unsafe. */
export function tokenHostKey(host: string): string | undefined {
  const h = host
    .trim()
    .replace(/^\.+|\.+$/g, '')
    .toLowerCase();
  return h !== '' && SAFE_HOST.test(h) ? h : undefined;
}

/** Path of the token file for `host`, or undefined when the host cannot name a file. */
export function tokenPath(tokensHome: string, host: string): string | undefined {
  const key = tokenHostKey(host);
  return key === undefined ? undefined : join(tokensHome, `${key}.json`);
}

/** Writes the token file for `host` (atomic, 0600, dir 0700) and returns its path. */
export async function saveToken(
  tokensHome: string,
  host: string,
  fields: Omit<SavedToken, 'version' | 'node' | 'saved_at'>,
  now: number = Math.floor(Date.now() / 1000),
): Promise<string> {
  const path = tokenPath(tokensHome, host);
  if (path === undefined)
    throw new RangeError(`cannot store a token for host ${JSON.stringify(host)}`);
  await ensurePrivateDir(tokensHome);
  const body: SavedToken = { version: 1, node: host, ...fields, saved_at: now };
  // Key order and indentation as Python's json.dump(indent=2), no trailing newline.
  const ordered = {
    version: body.version,
    node: body.node,
    subject: body.subject,
    token: body.token,
    expires_at: body.expires_at,
    registered_spk: body.registered_spk,
    saved_at: body.saved_at,
  };
  await writeFileAtomic(path, JSON.stringify(ordered, null, 2));
  return path;
}

function isSavedToken(value: unknown): value is SavedToken {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { token?: unknown }).token === 'string'
  );
}

/** The saved token record for `host`; undefined when missing or malformed. */
export async function loadToken(tokensHome: string, host: string): Promise<SavedToken | undefined> {
  const path = tokenPath(tokensHome, host);
  if (path === undefined) return undefined;
  try {
    const body: unknown = JSON.parse(await readFile(path, 'utf8'));
    return isSavedToken(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bearer to send to `endpoint`: its host's saved token unless that has
 * expired (more than the grace period ago).
 */
export async function bearerForEndpoint(
  tokensHome: string,
  endpoint: string,
  now: number = Date.now() / 1000,
): Promise<string | undefined> {
  let host: string;
  try {
    host = new URL(normalizeEndpoint(endpoint)).hostname;
  } catch {
    return undefined;
  }
  const saved = await loadToken(tokensHome, host);
  if (saved === undefined || saved.token === '') return undefined;
  const exp = saved.expires_at;
  if (typeof exp === 'number' && exp > 0 && now >= exp + TOKEN_EXPIRY_GRACE_SECONDS)
    return undefined;
  return saved.token;
}

/** Every readable token file in the dir, sorted by file name. */
export async function listTokens(tokensHome: string): Promise<SavedToken[]> {
  let names: string[];
  try {
    names = (await readdir(tokensHome)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const out: SavedToken[] = [];
  for (const name of names) {
    try {
      const body: unknown = JSON.parse(await readFile(join(tokensHome, name), 'utf8'));
      if (isSavedToken(body)) out.push(body);
    } catch {
      // A corrupt file must not hide the others.
    }
  }
  return out;
}

/** Deletes the token file for `host`; false when there was none. */
export async function forgetToken(tokensHome: string, host: string): Promise<boolean> {
  const path = tokenPath(tokensHome, host);
  if (path === undefined) return false;
  try {
    await unlink(path);
    return true;
  } catch {
    return false;
  }
}
