/**
 * The package version, for `dnsmesh --version`, `dnsmesh-node --version` and
 * the node's `/health`.
 *
 * A literal rather than a run-time read of package.json: the same module
 * runs from the sources (tsx), from tsc's `dist/` and inside the esbuild
 * bundles in `dist/cli/`, each at a different depth below the package root,
 * and a bundle copied elsewhere has no package.json beside it at all. Nor a
 * bundler `define`, which the sources and the tsc output would not get. The
 * price is keeping it equal to package.json: test/e2e/version-and-health.test.ts
 * and `npm run build` (scripts/build-bins.ts) both fail when it is not.
 */
export const VERSION = '0.1.0';
