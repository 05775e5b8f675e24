/**
 * DNS client for DMP (RFC 1035, 2136, 5452, 6891, 7766, 8945): transports,
 * TXT readers (single server, resolver pool) and record writers (TSIG DNS
 * UPDATE, legacy HTTP API, unsigned claim UPDATE). Uses Node sockets, so it
 * is exported separately from the isomorphic codec in `src/dns/index.ts`.
 */
export * from './answer-votes.js';
export * from './claim-update.js';
export * from './direct-reader.js';
export * from './dns-update-writer.js';
export * from './errors.js';
export * from './http-record-writer.js';
export * from './record-writer.js';
export * from './reply-match.js';
export * from './request.js';
export * from './resolver-discovery.js';
export * from './resolver-health.js';
export * from './resolver-pool.js';
export * from './server-address.js';
export * from './tcp-transport.js';
export * from './transport.js';
export * from './txt-answer.js';
export * from './txt-reader.js';
export * from './udp-transport.js';
