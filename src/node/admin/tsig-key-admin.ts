/**
 * Operator management of TSIG keys (`dnsmesh-node key add|list|revoke`): mint
 * a key for a tool such as nsupdate without the registration ceremony, and
 * print it in the BIND key-file format nsupdate read.
 */
import { randomBytes } from 'node:crypto';
import type { TsigKeyRecord, TsigKeyStore } from '../store/types.js';

export interface AddKeyOptions {
  /** First label(s) of the key name; the zone is appended. */
  readonly name: string;
  readonly zone: string;
  /** Scope suffixes; default: the whole zone. */
  readonly scope?: readonly string[];
  /** Lifetime in seconds; 0 = never expires. */
  readonly ttlSeconds?: number;
  readonly now: number;
}

/** Mints and stores a fresh hmac-sha256 key; returns the stored record. */
export function addTsigKey(store: TsigKeyStore, options: AddKeyOptions): TsigKeyRecord {
  const label = options.name.toLowerCase().replace(/\.+$/, '');
  if (!/^[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*$/.test(label)) {
    throw new Error(`key name ${JSON.stringify(options.name)} is not a valid DNS name`);
  }
  const key: TsigKeyRecord = {
    name: `${label}.${options.zone}.`,
    algorithm: 'hmac-sha256',
    secret: new Uint8Array(randomBytes(32)),
    allowedSuffixes: options.scope && options.scope.length > 0 ? options.scope : [options.zone],
    createdAt: options.now,
    expiresAt: options.ttlSeconds ? options.now + options.ttlSeconds : 0,
    revoked: false,
    subject: '',
    registeredSpk: '',
    registeredX25519Pub: '',
  };
  store.upsert(key);
  return key;
}

/** The key in BIND `key { … };` syntax (what `nsupdate -k` reads; for kdig use `-y hmac-sha256:NAME:SECRET`). */
export function bindKeyFile(key: TsigKeyRecord): string {
  const secret = Buffer.from(key.secret).toString('base64');
  return `key "${key.name}" {\n\talgorithm ${key.algorithm};\n\tsecret "${secret}";\n};\n`;
}
