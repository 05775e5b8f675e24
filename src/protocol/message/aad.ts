/**
 * The AEAD associated data (core.md §2.6): the header JSON with `total` and
 * `chunk` forced to 0, followed by the manifest's prekey id as a u32. Binding
 * the prekey id means a manifest that lies about which prekey was used makes
 * decryption fail.
 */
import { concatBytes, u32 } from '../bytes.js';
import { encodeHeader, type MessageHeader } from './header.js';

export function messageAad(header: MessageHeader, prekeyId: number): Uint8Array {
  return concatBytes(encodeHeader({ ...header, total: 0, chunk: 0 }), u32(prekeyId));
}
