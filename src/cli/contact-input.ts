/**
 * Validation of contact input shared by the commands that write contacts.
 */
import type { ContactEntry } from './config/fields.js';
import { userError } from './errors.js';
import { terminalSafeField } from './terminal-text.js';

const HEX64 = /^[0-9a-fA-F]{64}$/;

/** A 32-byte key given as 64 hex characters, lower-cased; exit 1 otherwise. */
export function parseKeyHex(value: string, what: string): string {
  const trimmed = value.trim();
  if (!HEX64.test(trimmed)) {
    throw userError(
      `${what} must be 32 bytes written as 64 hex characters, got ${JSON.stringify(value)}`,
    );
  }
  return trimmed.toLowerCase();
}

/** A contact label: non-empty, single line, no control characters. */
export function parseLabel(label: string): string {
  if (label.trim() === '' || /[\u0000-\u001f\u007f]/.test(label)) {
    throw userError(`contact label ${JSON.stringify(label)} must be non-empty text on one line`);
  }
  return label;
}

/**
 * The command that fills in a contact's missing encryption key — an `intro
 * trust` placeholder, pinned by its signing key alone: `identity fetch
 * <user>@<zone> --add` finds the placeholder by that key and completes it
 * under its label. The user is the recorded username, else the verified
 * address the intro carried, else `<username>` (to ask the sender for).
 */
export function fetchEncryptionKeyCommand(
  entry: Pick<ContactEntry, 'domain' | 'remote_username'>,
  ownDomain: string,
  verifiedAddress = '',
): string {
  const address =
    entry.remote_username !== undefined && entry.remote_username !== ''
      ? `${entry.remote_username}@${entry.domain || ownDomain}`
      : verifiedAddress !== ''
        ? verifiedAddress
        : `<username>@${entry.domain || ownDomain}`;
  return `dnsmesh identity fetch ${terminalSafeField(address)} --add`;
}
