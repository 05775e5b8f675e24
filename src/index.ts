/**
 * `dnsmesh`: the Node.js entry point. Re-exports the isomorphic protocol core
 * and the Node runtime pieces (the node:crypto provider). Importing this entry
 * does not change global state; call {@link installNodeCrypto} to switch the
 * protocol layer to OpenSSL and native Argon2id.
 */
export * from './protocol/index.js';
export { installNodeCrypto, nodeCryptoProvider } from './runtime/node-crypto-provider.js';
