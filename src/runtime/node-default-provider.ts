/**
 * Stand-in for src/protocol/crypto/default-provider.ts in the bundled Node
 * bins (scripts/build-bins.ts): there the default provider is OpenSSL plus
 * native Argon2id, the one every bin installs anyway, so the pure-JS provider
 * is never part of a bin. Not imported by any source file.
 */
export { nodeCryptoProvider as defaultCryptoProvider } from './node-crypto-provider.js';
