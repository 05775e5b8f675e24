/**
 * Locates the golden vectors produced by the reference implementation.
 *
 * `DMP_VECTORS_DIR` overrides the default `../shared/vectors` (relative to
 * the repository root; a clone elsewhere falls back to `/work/shared/vectors`). Outside CI a missing directory skips the interop
 * suites with a message; under `CI` it is a hard failure, so a CI run can
 * never pass without checking compatibility.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the vectors are looked for when `DMP_VECTORS_DIR` is unset: beside the checkout, then the workspace. */
const defaultCandidates = [resolve(repoRoot, '..', 'shared', 'vectors'), '/work/shared/vectors'];

export const vectorsDir: string = process.env.DMP_VECTORS_DIR
  ? resolve(process.env.DMP_VECTORS_DIR)
  : (defaultCandidates.find((dir) => existsSync(dir)) ?? defaultCandidates[0]!);

export const haveVectors: boolean = existsSync(vectorsDir);

if (!haveVectors) {
  if (process.env.CI) {
    throw new Error(`golden vectors not found at ${vectorsDir} (set DMP_VECTORS_DIR)`);
  }
  console.warn(`[interop] golden vectors not found at ${vectorsDir}; interop suites skipped`);
}

/** Reads and parses one vector file (path relative to the vectors directory). */
export function loadVectors(file: string): any {
  return JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
}

/** `describe` that skips (outside CI only) when the vectors are absent. */
export const describeVectors: typeof describe = (
  haveVectors ? describe : describe.skip
) as typeof describe;
