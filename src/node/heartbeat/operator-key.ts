/**
 * The operator's heartbeat key (node spec §6.5): a file holding a raw
 * Ed25519 seed, as 32 bytes or 64 hex characters (surrounding whitespace
 * allowed). It signs what other nodes will trust as this operator, so a
 * file that the group or others may read is refused, as ssh refuses a
 * private key with such a mode.
 */
import { readFileSync, statSync } from 'node:fs';
import { tryFromHex } from '../../protocol/bytes.js';

export type OperatorKeyResult =
  | { readonly ok: true; readonly seed: Uint8Array }
  | { readonly ok: false; readonly error: string };

/** Reads and checks the seed at `path`; never throws. */
export function loadOperatorSeed(path: string): OperatorKeyResult {
  let mode: number;
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (!st.isFile()) return { ok: false, error: `operator key ${path} is not a file` };
    mode = st.mode & 0o777;
    bytes = readFileSync(path);
  } catch (err) {
    return {
      ok: false,
      error: `operator key ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    };
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    return {
      ok: false,
      error:
        `operator key ${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); ` +
        `it is refused until \`chmod 600 ${path}\``,
    };
  }
  if (bytes.length === 32) return { ok: true, seed: new Uint8Array(bytes) };
  const text = bytes.toString('latin1').trim();
  const seed = /^[0-9a-fA-F]{64}$/.test(text) ? tryFromHex(text.toLowerCase()) : undefined;
  if (seed === undefined || seed.length !== 32) {
    return {
      ok: false,
      error: `operator key ${path} must hold a 32-byte Ed25519 seed: 32 raw bytes or 64 hex characters`,
    };
  }
  return { ok: true, seed };
}
