/**
 * No silent configuration: a `DMP_*` variable the node does not read is
 * reported at start, so a typo or a reference setting this node does not
 * implement is seen instead of quietly ignored (issue: federation, "no
 * silent configuration"). Three kinds:
 *
 * - reference settings of features this node does not have yet, or does
 *   differently — named, with what happens instead;
 * - variables of the `dnsmesh` CLI and the test suite — not the node's, no
 *   notice (a shell that exports DMP_PASSPHRASE may well start a node);
 * - anything else — unknown, with the closest known names.
 */
import { closestKeys } from './edit-distance.js';

/** Reference variables we do not read, and why. */
const REFERENCE_UNREAD: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /^DMP_HEARTBEAT_DB_PATH$/,
    'is not read: this node keeps the heartbeat seen-store in DMP_DB_PATH',
  ],
  [
    /^DMP_HEARTBEAT_(SUBMIT|SEEN)_RATE_/,
    'is parsed by the reference for HTTP routes it removed; nothing here uses it',
  ],
  [
    /^DMP_(DNS|HTTP)_MAX_CONCURRENCY$/,
    'is not needed here: this node answers on one event loop and bounds connections itself ' +
      '(see docs/security.md)',
  ],
  [
    /^DMP_(TOKEN|TSIG)_DB_PATH$/,
    'is not read: this node keeps every table in one database, DMP_DB_PATH',
  ],
  [
    /^DMP_CLAIM_MAX_AGE_SECONDS$/,
    'is named in the reference’s docs but read by neither node; the claim lifetime cap is DMP_CLAIM_MAX_TTL',
  ],
  [
    /^DMP_REGISTRATION_RATE$/,
    'is named in the reference’s docs but read by neither node; the registration limits are ' +
      'DMP_REGISTRATION_ENDPOINT_RATE_PER_SEC / DMP_REGISTRATION_ENDPOINT_RATE_BURST',
  ],
];

/** Variables of the CLI, the client library and the tests: not the node's business. */
const NOT_THE_NODES = new Set([
  'DMP_PASSPHRASE',
  'DMP_PASSPHRASE_OVERRIDE_VERIFY',
  'DMP_CONFIG_HOME',
  'DMP_TOKENS_HOME',
  'DMP_PROVIDER_DNS_PORT',
  'DMP_ALLOW_SYSTEM_DNS_FALLBACK',
  'DMP_VECTORS_DIR',
]);

/**
 * One notice per `DMP_*` variable set in `env` that is not in `read` (the
 * names the node's configuration asked for), in name order.
 */
export function unreadVariableNotices(
  env: Readonly<Record<string, string | undefined>>,
  read: ReadonlySet<string>,
): string[] {
  const notices: string[] = [];
  const known = [...read];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('DMP_') || env[name] === undefined) continue;
    if (read.has(name) || NOT_THE_NODES.has(name)) continue;
    const reason = REFERENCE_UNREAD.find(([pattern]) => pattern.test(name))?.[1];
    if (reason !== undefined) {
      notices.push(`${name} ${reason}`);
      continue;
    }
    const close = closestKeys(name, known);
    notices.push(
      `${name} is set but dnsmesh-node does not read it` +
        (close.length > 0 ? ` — did you mean ${close.join(' or ')}?` : '') +
        ' (every variable: docs/configuration.md)',
    );
  }
  return notices;
}
