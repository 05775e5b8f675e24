/**
 * The esbuild plugins of scripts/build-bins.ts: import rewrites that only
 * make sense in the bundled bins. Each records in `fired` that it matched;
 * build-bins.ts fails the build when one did not, so renaming a file or
 * upgrading a package cannot silently undo a rewrite.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';

/** Names of the rewrites, as recorded in `fired`. */
export const REWRITES = ['daemon', 'crypto', 'sqlite-addon'] as const;
export type Rewrite = (typeof REWRITES)[number];

/**
 * `./node-program.js` imported by the `dnsmesh` entry points becomes a
 * runtime `require` of the daemon's own bundle, so no client command
 * compiles the daemon's code (pino, prom-client, the HTTP server).
 */
export function daemonBundleExternal(srcDir: string, fired: Set<Rewrite>): Plugin {
  const importers = new Set(
    ['main.ts', 'node-main.ts', 'node-admin-main.ts', 'program.ts'].map((f) =>
      join(srcDir, 'cli', f),
    ),
  );
  return {
    name: 'dnsmesh-daemon-external',
    setup(b) {
      b.onResolve({ filter: /^\.\/node-program\.js$/ }, (args) => {
        if (!importers.has(args.importer)) return undefined;
        fired.add('daemon');
        return { path: './node-program.js', external: true };
      });
    },
  };
}

/**
 * The protocol's default crypto provider (src/protocol/crypto/default-provider.ts,
 * pure JS) becomes node:crypto (src/runtime/node-default-provider.ts).
 */
export function nodeDefaultCrypto(srcDir: string, fired: Set<Rewrite>): Plugin {
  const seam = join(srcDir, 'protocol', 'crypto', 'active.ts');
  return {
    name: 'dnsmesh-node-default-crypto',
    setup(b) {
      b.onResolve({ filter: /^\.\/default-provider\.js$/ }, (args) => {
        if (args.importer !== seam) return undefined;
        fired.add('crypto');
        return { path: join(srcDir, 'runtime', 'node-default-provider.ts') };
      });
    },
  };
}

/** The line of better-sqlite3's lib/database.js that finds the addon. */
const BINDINGS_CALL = "require('bindings')('better_sqlite3.node')";

/**
 * better-sqlite3's JavaScript is bundled (a dozen small files the CommonJS
 * loader would otherwise resolve and read one by one); only its native addon
 * stays external. The package finds the addon through `bindings`, which
 * walks a stack trace and probes a dozen directories; here the addon is
 * required from where every npm install puts it (`build/Release`, for
 * prebuilt and locally compiled binaries alike), with `bindings` itself as
 * the fallback for any other layout.
 */
export function sqliteAddonDirect(fired: Set<Rewrite>): Plugin {
  const direct = [
    '(() => {',
    "  try { return require('better-sqlite3/build/Release/better_sqlite3.node'); }",
    '  catch (err) {',
    "    if (err == null || err.code !== 'MODULE_NOT_FOUND') throw err;",
    "    const root = require('node:path').dirname(require.resolve('better-sqlite3/package.json'));",
    "    const bindings = require.resolve('bindings', { paths: [root] });",
    "    return require(bindings)({ bindings: 'better_sqlite3.node', module_root: root });",
    '  }',
    '})()',
  ].join('\n');
  return {
    name: 'dnsmesh-sqlite-addon-direct',
    setup(b) {
      b.onLoad({ filter: /[\\/]better-sqlite3[\\/]lib[\\/]database\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(BINDINGS_CALL)) return undefined;
        fired.add('sqlite-addon');
        return { contents: source.replace(BINDINGS_CALL, direct), loader: 'js' };
      });
      // The addon and the fallback's package root are resolved at run time.
      b.onResolve({ filter: /\.node$|^better-sqlite3\/package\.json$/ }, (args) => ({
        path: args.path,
        external: true,
      }));
    },
  };
}
