/**
 * DNS wire codec (RFC 1035, 2136, 3596, 6891, the RFC 7873 COOKIE option) and
 * TSIG (RFC 8945) for the DMP node and clients. Isomorphic: no Node
 * built-ins, so the codec can also serve DNS-over-HTTPS clients in browsers.
 */
export * from './tsig.js';
export * from './tsig-key.js';
export * from './wire/constants.js';
export * from './wire/cookie.js';
export * from './wire/edns.js';
export { DnsEncodeError } from './wire/errors.js';
export * from './wire/header.js';
export * from './wire/ip.js';
export * from './wire/message.js';
export * from './wire/name.js';
export * from './wire/rdata.js';
export * from './wire/reader.js';
export * from './wire/scan.js';
export * from './wire/tcp.js';
export * from './wire/txt.js';
export * from './wire/update.js';
export * from './wire/writer.js';
