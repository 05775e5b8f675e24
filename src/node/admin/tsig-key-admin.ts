/**
 * Operator management of TSIG keys (`dnsmesh-node key add|list|revoke`): mint
 * a key for a tool such as nsupdate without the registration ceremony, and
 * print it in the BIND key-file format nsupdate read.
 *
 * Minting never replaces an active key silently (that would hand out a new
 * secret and a new scope under a name someone already uses), and a scope
 * never reaches outside the served zone: this node answers for nothing else.
 */
import { randomBytes } from 'node:crypto';
import { scopeSuffixKey } from '../registration/tsig-scope.js';
import type { TsigKeyRecord, TsigKeyStore } from '../store/types.js';

/** A refused key operation, with a message for the operator. */
export class KeyAdminError extends Error {
  override readonly name = 'KeyAdminError';
}

export interface AddKeyOptions {
  /** First label(s) of the key name; the zone is appended. */
  readonly name: string;
  readonly zone: string;
  /** Scope suffixes inside the zone (node spec §2.6 syntax); default: the whole zone. */
  readonly scope?: readonly string[];
  /** Lifetime in seconds; 0 = never expires. */
  readonly ttlSeconds?: number;
  /** Replace an active key of the same name (new secret, new scope). */
  readonly force?: boolean;
  readonly now: number;
}

/** Labels a scope suffix may use: DNS name characters plus the `*` glob. */
const SCOPE_SUFFIX = /^[a-z0-9_*-]+(\.[a-z0-9_*-]+)*$/;

/**
 * The scope suffixes, normalised (lower case, no outer dots) and
 * deduplicated; throws {@link KeyAdminError} for one outside `zone`. A
 * suffix is inside when it is the zone or ends with `.<zone>`, so a `*` can
 * only stand in labels left of the zone's (`slot-*.mb-*.<zone>`): `*.test`
 * would also cover `other.test`.
 */
export function checkScope(scope: readonly string[], zone: string): string[] {
  const zoneKey = scopeSuffixKey(zone);
  const out: string[] = [];
  for (const s of scope) {
    const key = scopeSuffixKey(s);
    if (!SCOPE_SUFFIX.test(key)) {
      throw new KeyAdminError(
        `--scope ${JSON.stringify(s)} is not an owner suffix (labels of letters, digits, -, _ and *)`,
      );
    }
    if (key !== zoneKey && !key.endsWith(`.${zoneKey}`)) {
      throw new KeyAdminError(
        `--scope ${JSON.stringify(s)} is outside the served zone ${zoneKey}: ` +
          `a key can only write names under ${zoneKey} (* only in labels left of it)`,
      );
    }
    if (!out.includes(key)) out.push(key);
  }
  return out;
}

/** Mints and stores a fresh hmac-sha256 key; returns the stored record. */
export function addTsigKey(store: TsigKeyStore, options: AddKeyOptions): TsigKeyRecord {
  const label = options.name.toLowerCase().replace(/\.+$/, '');
  if (!/^[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*$/.test(label)) {
    throw new KeyAdminError(`key name ${JSON.stringify(options.name)} is not a valid DNS name`);
  }
  const scope = checkScope(options.scope ?? [], options.zone);
  const name = `${label}.${options.zone}.`;
  const existing = store.getActive(name, options.now);
  if (existing && !options.force) {
    throw new KeyAdminError(
      `key ${name} already exists (scope ${existing.allowedSuffixes.join(', ')}); ` +
        'pass --force to replace its secret and scope (whoever holds the old secret loses access)',
    );
  }
  const key: TsigKeyRecord = {
    name,
    algorithm: 'hmac-sha256',
    secret: new Uint8Array(randomBytes(32)),
    allowedSuffixes: scope.length > 0 ? scope : [options.zone],
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
