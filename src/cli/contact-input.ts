/**
 * Validation of contact input shared by the commands that write contacts.
 */
import { userError } from './errors.js';

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
