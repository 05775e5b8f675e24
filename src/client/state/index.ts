/** Local client state: store interfaces and their sqlite implementation. */
export * from './reference-import.js';
export { blobBytes, STATE_APPLICATION_ID, STATE_SCHEMA_VERSION } from './sqlite-database.js';
export * from './sqlite-intro-store.js';
export * from './sqlite-prekey-store.js';
export * from './sqlite-seen-store.js';
export * from './sqlite-state.js';
export type * from './types.js';
