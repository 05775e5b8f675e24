/**
 * `npm run build`: the library with tsc, the bins with esbuild.
 *
 * 1. `tsc -p tsconfig.build.json` emits `dist/` for the package exports
 *    (`.`, `./protocol`, `./dns`, `./dns/client`, `./client`) with typings.
 *    src/cli is not part of it: nothing outside the bins imports it.
 * 2. {@link buildBins} writes the two bins as bundles into `dist/cli/` (see
 *    build-bins.ts for why).
 *
 * The bins are bundled even when tsc reports type errors (esbuild does not
 * check types), so work in progress elsewhere in the tree still leaves runnable
 * bins behind, as tsc leaves its output; the exit code is tsc's then.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBins } from './build-bins.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tscBin = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const tsc = spawnSync(process.execPath, [tscBin, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
let code = tsc.status ?? 1;
try {
  const bins = await buildBins(join(root, 'dist', 'cli'));
  for (const b of bins) console.log(`bundled ${b.file} (${(b.bytes / 1024).toFixed(0)} KiB)`);
} catch (err) {
  console.error(`bundling the bins failed: ${err instanceof Error ? err.message : String(err)}`);
  code = 1;
}
process.exitCode = code;
