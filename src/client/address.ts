/**
 * User-typed identity addresses (core.md §10.2 `parse_address`): split at
 * the first `@`, trim both halves, strip trailing dots from the host. No
 * case folding and no syntax check — the identity lookup is as permissive
 * as the reference's, and names are hashed as typed.
 */
import { DmpClientError } from './errors.js';

export interface ParsedAddress {
  readonly user: string;
  readonly host: string;
}

/** Parses `user@host`; `undefined` when there is no `@` or a half is empty. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const at = text.indexOf('@');
  if (at < 0) return undefined;
  const user = text.slice(0, at).trim();
  const host = text
    .slice(at + 1)
    .trim()
    .replace(/\.+$/, '');
  return user === '' || host === '' ? undefined : { user, host };
}

/** {@link parseAddress} that throws a typed error naming the input. */
export function requireAddress(text: string): ParsedAddress {
  const parsed = parseAddress(text);
  if (parsed === undefined) {
    throw new DmpClientError(
      'invalid-address',
      `${JSON.stringify(text)} is not a user@host address`,
      'Write it as user@host, for example alice@mesh.example',
    );
  }
  return parsed;
}
