/**
 * `dnsmesh/protocol`: the DNS Mesh Protocol v1 core — pure, isomorphic
 * functions over `Uint8Array` (no Node built-ins), wire-compatible with the
 * reference implementation.
 */
export * from './base64.js';
export * from './bytes.js';
export * from './crypto/active.js';
export * from './crypto/ed25519.js';
export * from './crypto/hash.js';
export * from './crypto/identity.js';
export * from './crypto/noble-provider.js';
export type * from './crypto/provider.js';
export * from './crypto/x25519.js';
export * from './result.js';
export * from './crypto/message-encryption.js';
export * from './crypto/registration-pop.js';
