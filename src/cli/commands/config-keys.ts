/**
 * What `dnsmesh config get|set|list` know about the keys of config.yaml
 * beyond their on-disk types (config/fields.ts): which keys hold secrets
 * (never printed without `--show-secrets`), which define the identity
 * (changed only with `--force`), and how a typed value is checked and
 * normalised before `saveConfig` writes it in the reference's format.
 */
import { isHmacSha256 } from '../../dns/tsig-key.js';
import { closestKeys } from '../../node/config/edit-distance.js';
import { tryFromHex } from '../../protocol/bytes.js';
import {
  type CliConfig,
  FIELD_KINDS,
  type FieldName,
  SORTED_FIELD_NAMES,
} from '../config/fields.js';
import { normalizeEndpoint } from '../endpoint.js';
import { userError } from '../errors.js';
import { formatResolverEntry, parseResolverEntry } from '../resolver-entries.js';
import { terminalSafeField } from '../terminal-text.js';

export type FieldValue = CliConfig[FieldName];

/** Keys whose values are credentials. */
export const SECRET_KEYS: ReadonlySet<FieldName> = new Set<FieldName>([
  'tsig_secret_hex',
  'http_token',
  'cluster_node_token',
]);

/** Keys that define the identity, with what changing them does. */
export const IDENTITY_KEYS: Readonly<Partial<Record<FieldName, string>>> = {
  kdf_salt:
    'the salt and your passphrase derive your keys, so a different salt is a different identity: ' +
    'contacts, your published identity record and your registrations on nodes (TSIG key, tokens) ' +
    'belong to the old one',
  verify_pubkey:
    'it is the passphrase typo check: every command that unlocks compares the key your passphrase ' +
    "derives with it, so a wrong value makes them all refuse your passphrase ('' records it again " +
    'at the next unlock)',
  username:
    'your address and the names of your identity, prekey and mailbox records come from it: contacts ' +
    'who know the old name no longer find you, messages to it are not read, and node registrations ' +
    'are for the old subject — publish again (`dnsmesh identity publish`, `identity refresh-prekeys`) ' +
    'and register again',
};

/** The field named `name`, or a user error (exit 1) with the closest key names. */
export function resolveKey(name: string): FieldName {
  if (Object.hasOwn(FIELD_KINDS, name)) return name as FieldName;
  const near = closestKeys(name, SORTED_FIELD_NAMES);
  const hint =
    near.length > 0 && near.length <= 3
      ? `did you mean ${near.join(' or ')}?`
      : `\`dnsmesh config list\` shows all ${SORTED_FIELD_NAMES.length} keys`;
  throw userError(`config.yaml has no key ${JSON.stringify(name)} — ${hint}`);
}

const HEX = /^[0-9a-fA-F]*$/;

function bad(key: FieldName, raw: string, want: string): never {
  throw userError(`${key}: ${JSON.stringify(raw)} is not ${want}`);
}

function hexKey(key: FieldName, raw: string): string {
  if (raw !== '' && (raw.length !== 64 || !HEX.test(raw))) bad(key, raw, "64 hex digits (or '')");
  return raw.toLowerCase();
}

function intIn(min: number, max: number) {
  return (key: FieldName, raw: string): number => {
    if (!/^[-+]?[0-9]+$/.test(raw)) bad(key, raw, 'an integer');
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      bad(key, raw, `an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function url(key: FieldName, raw: string): string {
  if (raw === '') return '';
  const value = normalizeEndpoint(raw);
  let ok = false;
  try {
    const u = new URL(value);
    ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    ok = false;
  }
  if (!ok) bad(key, raw, "an http(s) URL or a host name (or '')");
  return value;
}

const PORT = intIn(1, 65535);
const ANY_INT = intIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

/**
 * Checks beyond the type, for keys whose wrong values would only fail later
 * (at the next send, far from the typo). Keys not listed take any value of
 * their type.
 */
const CHECKS: { readonly [K in FieldName]?: (key: K, raw: string) => CliConfig[K] } = {
  username: (key, raw) => {
    if (raw === '') bad(key, raw, 'a username');
    if (raw.includes('@'))
      bad(key, raw, 'a bare username (set the domain with `config set domain`)');
    return raw;
  },
  domain: (key, raw) => (raw === '' ? bad(key, raw, 'a zone name') : raw),
  endpoint: url,
  claim_provider_override: url,
  dns_port: PORT,
  tsig_dns_port: PORT,
  local_node_dns_port: intIn(0, 65535),
  recv_primary_interval_seconds: intIn(1, Number.MAX_SAFE_INTEGER),
  recv_secondary_interval_seconds: intIn(1, Number.MAX_SAFE_INTEGER),
  dns_resolvers: (key, raw) =>
    splitList(raw).map((entry) => {
      try {
        return formatResolverEntry(parseResolverEntry(entry));
      } catch (err) {
        throw userError(`${key}: ${(err as Error).message}`);
      }
    }),
  kdf_salt: (key, raw) => {
    const bytes = tryFromHex(raw);
    if (raw !== '' && (bytes === undefined || bytes.length < 8)) {
      bad(key, raw, 'hex of at least 8 bytes');
    }
    return raw.toLowerCase();
  },
  verify_pubkey: hexKey,
  cluster_operator_spk: hexKey,
  bootstrap_signer_spk: hexKey,
  tsig_secret_hex: (key, raw) => {
    if (raw !== '' && tryFromHex(raw) === undefined) bad(key, '…', 'hex');
    return raw.toLowerCase();
  },
  tsig_algorithm: (key, raw) =>
    isHmacSha256(raw) ? raw : bad(key, raw, 'hmac-sha256 (the only algorithm nodes mint)'),
};

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/**
 * The value `raw` (as typed on the command line) gives `key`, by the key's
 * type: text is trimmed; a nullable text is unset (null) by `''`; integers
 * are decimal; booleans are true/false (also yes/no, on/off, 1/0); lists
 * are comma-separated (`''` is the empty list). Contacts have their own
 * commands.
 */
export function parseValue(key: FieldName, raw: string): FieldValue {
  const text = raw.trim();
  const check = CHECKS[key] as ((key: FieldName, raw: string) => FieldValue) | undefined;
  switch (FIELD_KINDS[key]) {
    case 'str':
      return check ? check(key, text) : text;
    case 'nullable-str':
      if (text === '') return null;
      return check ? check(key, text) : text;
    case 'int':
      return (check ?? ANY_INT)(key, text);
    case 'bool': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return bad(key, raw, 'true or false');
    }
    case 'str-list':
      return check ? check(key, text) : splitList(text);
    case 'contacts':
      throw userError(
        'contacts are changed with `dnsmesh contacts add|remove`, `identity fetch --add` and `intro trust`',
      );
  }
}

/** True when a secret key holds something. */
export function secretIsSet(key: FieldName, value: FieldValue): boolean {
  return SECRET_KEYS.has(key) && value !== null && value !== '';
}

/** The value as `config get --json` / `config list --json` give it (secrets hidden unless shown). */
export function jsonValue(key: FieldName, value: FieldValue, showSecrets: boolean): unknown {
  if (secretIsSet(key, value) && !showSecrets) return '<hidden>';
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}

/** The value on one line for people (`config list`, `config set`): YAML-like, controls made visible. */
export function displayValue(key: FieldName, value: FieldValue, showSecrets: boolean): string {
  if (secretIsSet(key, value) && !showSecrets) {
    return `<hidden, ${String(value).length} characters>`;
  }
  if (value === null) return 'null';
  if (value === '') return "''";
  if (value instanceof Map) {
    return `${value.size} contact(s) — \`dnsmesh contacts list\` shows them`;
  }
  if (Array.isArray(value)) return `[${value.map(terminalSafeField).join(', ')}]`;
  return terminalSafeField(String(value));
}

/** Equal values (lists by content). */
export function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => v === b[i]);
  }
  return a === b;
}
