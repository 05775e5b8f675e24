/**
 * `dnsmesh/protocol`: the DNS Mesh Protocol v1 core — pure, isomorphic
 * functions over `Uint8Array` (no Node built-ins), wire-compatible with the
 * reference implementation.
 */
export * from './base64.js';
export * from './bytes.js';
export * from './coding/chunk-block.js';
export * from './coding/erasure.js';
export * from './coding/gf256.js';
export * from './coding/reed-solomon.js';
export * from './crypto/active.js';
export * from './crypto/ed25519.js';
export * from './crypto/hash.js';
export * from './crypto/identity.js';
export * from './crypto/message-encryption.js';
export * from './crypto/noble-provider.js';
export type * from './crypto/provider.js';
export * from './crypto/registration-pop.js';
export * from './crypto/x25519.js';
export * from './message/aad.js';
export * from './message/envelope.js';
export * from './message/header.js';
export * from './message/identity-lookup.js';
export * from './message/open.js';
export * from './message/outer-message.js';
export * from './message/prekey-choice.js';
export * from './message/random.js';
export * from './message/seal.js';
export * from './names.js';
export * from './records/bootstrap-record.js';
export * from './records/chunk-record.js';
export * from './records/claim-record.js';
export * from './records/cluster-manifest.js';
export * from './records/dns-name.js';
export * from './records/heartbeat-endpoint.js';
export * from './records/heartbeat-record.js';
export * from './records/identity-record.js';
export * from './records/ip-literal.js';
export * from './records/legacy-json-identity.js';
export * from './records/operator-names.js';
export * from './records/prefixes.js';
export * from './records/prekey-record.js';
export * from './records/record-fields.js';
export * from './records/revocation-record.js';
export * from './records/rotation-record.js';
export * from './records/rotation-subject.js';
export * from './records/slot-manifest.js';
export * from './result.js';
