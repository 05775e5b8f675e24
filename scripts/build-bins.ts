/**
 * Bundles the bins into `dist/cli/` (run by scripts/build.ts):
 *
 *   main.js          `dnsmesh` (src/cli/main.ts)
 *   node-program.js  the daemon and its key commands (src/cli/node-program.ts),
 *                    loaded by `dnsmesh node …` and by node-main.js
 *   node-main.js     `dnsmesh-node` (src/cli/node-main.ts)
 *   node-admin-main.js  `dnsmesh-node-admin`, the token and audit commands
 *                    (src/cli/node-admin-main.ts, also through node-program.js)
 *
 * Why bundles: a `dnsmesh send` is a short process whose wall time is mostly
 * start-up. Loaded from tsc's output it resolves, reads and links ~200 ES
 * modules (≈ 80 ms of module loading before the config is read). As one
 * CommonJS file per bin the same code costs one read and one compile: Node's
 * CommonJS loader is much cheaper per module than its ES module loader, and
 * externals are plain `require` calls (no CommonJS export lexing). Node 20
 * has no compile cache for user code (`module.enableCompileCache` is 22.1+),
 * so compile time scales with the bytes of the bundle: whitespace and syntax
 * are minified (identifiers are kept, so stack traces still name functions),
 * and code a command does not need stays out of `main.js`:
 *
 * - the daemon (pino, prom-client, HTTP server) is its own bundle;
 * - `yaml` stays external: the CLI needs it only when its own fast reader
 *   gives up on a hand-edited config.yaml, the daemon only for `--config`;
 * - the pure-JS crypto provider (@noble/*, hash-wasm) is swapped out for
 *   node:crypto at the src/protocol/crypto/default-provider.ts seam.
 *
 * Native addons (better-sqlite3, @node-rs/argon2) cannot be bundled and stay
 * external. `dist/cli/package.json` marks the directory CommonJS, so the
 * paths everyone runs (`node dist/cli/main.js`, the package.json `bin`
 * entries, the Dockerfile, deploy/dnsmesh-node.service) stay the same.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { VERSION } from '../src/version.js';
import {
  daemonBundleExternal,
  nodeDefaultCrypto,
  REWRITES,
  type Rewrite,
  sqliteAddonDirect,
} from './bin-plugins.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src');

/** Packages required at run time rather than bundled (see the header). */
export const EXTERNAL_PACKAGES = ['@node-rs/argon2', 'yaml', 'uqr'] as const;

/** Inputs that must never end up in a bin. */
const FORBIDDEN_INPUT =
  /node_modules\/(@noble\/|hash-wasm\/)|src\/protocol\/crypto\/noble-provider/;

export interface BinFile {
  readonly file: string;
  readonly bytes: number;
}

/** Writes the bundles into `outDir` (emptied first) and returns their sizes. */
export async function buildBins(outDir: string): Promise<BinFile[]> {
  // `--version` and /health print src/version.ts; a release must not ship another number.
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  if (version !== VERSION) {
    throw new Error(`src/version.ts says ${VERSION}, package.json ${version}: make them equal`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const fired = new Set<Rewrite>();
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      main: join(srcDir, 'cli/main.ts'),
      'node-main': join(srcDir, 'cli/node-main.ts'),
      'node-admin-main': join(srcDir, 'cli/node-admin-main.ts'),
      'node-program': join(srcDir, 'cli/node-program.ts'),
    },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // `import()` becomes `require()`: a lazily loaded command is then just a
    // deferred module initialisation inside the bundle, never a trip through
    // the ES module loader.
    supported: { 'dynamic-import': false },
    external: [...EXTERNAL_PACKAGES],
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
    plugins: [
      daemonBundleExternal(srcDir, fired),
      nodeDefaultCrypto(srcDir, fired),
      sqliteAddonDirect(fired),
    ],
  });
  const missed = REWRITES.filter((r) => !fired.has(r));
  if (missed.length > 0) throw new Error(`bin rewrites matched nothing: ${missed.join(', ')}`);
  checkInputs(result.metafile);
  writeFileSync(join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
  const bins: BinFile[] = [];
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.js')) continue;
    chmodSync(join(root, file), 0o755);
    bins.push({ file: relative(root, join(root, file)), bytes: output.bytes });
  }
  return bins;
}

function checkInputs(metafile: Metafile): void {
  for (const [file, output] of Object.entries(metafile.outputs)) {
    const bad = Object.keys(output.inputs).filter((input) => FORBIDDEN_INPUT.test(input));
    if (bad.length > 0) throw new Error(`${file} bundles ${bad.join(', ')}`);
  }
}
