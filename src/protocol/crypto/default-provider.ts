/**
 * The provider protocol code uses until an entry point installs another: pure
 * JS, so browser bundles and library users need no set-up.
 *
 * This module is a seam on purpose. The bundled Node bins (`dnsmesh`,
 * `dnsmesh-node`; scripts/build-bins.ts) replace it with
 * src/runtime/node-default-provider.ts, so they never load, compile or
 * evaluate @noble/* and hash-wasm — about 8 ms and 400 KB of start-up for a
 * provider they would replace with node:crypto anyway.
 */
export { nobleCryptoProvider as defaultCryptoProvider } from './noble-provider.js';
