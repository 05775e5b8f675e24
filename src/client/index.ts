/**
 * `dnsmesh/client`: the DMP messaging client — send, receive, identities,
 * prekeys, the intro queue — over injected DNS reader/writer and local state.
 * Node-only (sqlite state, UDP claim UPDATEs); call `installNodeCrypto()`
 * in the entry point.
 */
export * from './address.js';
export * from './claim-target.js';
export * from './claim-transport.js';
export * from './client.js';
export * from './clock.js';
export * from './concurrency.js';
export * from './contacts.js';
export * from './counting-reader.js';
export * from './errors.js';
export * from './fingerprints.js';
export * from './identity-fetch.js';
export * from './identity-publish.js';
export type * from './inbox-message.js';
export * from './intro.js';
export * from './intro-limits.js';
export * from './lookup-session.js';
export * from './message-limits.js';
export * from './offline.js';
export * from './prekeys.js';
export * from './receive.js';
export * from './replay-guard.js';
export * from './send.js';
export * from './state/index.js';
export * from './stranger-deadlines.js';
export * from './system-resolver.js';
