/**
 * TXT values (RFC 1035 §3.3.14): one logical value travels as consecutive
 * character-strings of at most 255 octets whose concatenation is the value
 * (the reference server and node spec §1.5 split and join this way; the
 * split points carry no meaning).
 */
import { concatBytes, tryDecodeUtf8, utf8 } from '../../protocol/bytes.js';
import type { TxtRdata } from './rdata.js';

/** Longest DNS character-string. */
export const MAX_CHARACTER_STRING = 255;

/**
 * TXT RDATA for one logical value: UTF-8 encoded (if a string) and cut into
 * consecutive 255-octet character-strings, the last one shorter. An empty
 * value is a single empty string, as the reference server emits it.
 */
export function txtRdata(value: string | Uint8Array): TxtRdata {
  const bytes = typeof value === 'string' ? utf8(value) : value;
  const strings: Uint8Array[] = [];
  for (let off = 0; off < bytes.length; off += MAX_CHARACTER_STRING) {
    strings.push(bytes.subarray(off, off + MAX_CHARACTER_STRING));
  }
  if (strings.length === 0) strings.push(bytes);
  return { kind: 'TXT', strings };
}

/** The concatenated octets of all character-strings (a view when there is only one). */
export function txtBytes(data: TxtRdata): Uint8Array {
  if (data.strings.length === 1) return data.strings[0]!;
  return concatBytes(...data.strings);
}

/**
 * The logical value: the strings concatenated first, then decoded as strict
 * UTF-8 (a multi-byte character may straddle a 255-octet boundary).
 * `undefined` when the octets are not valid UTF-8.
 */
export function txtValue(data: TxtRdata): string | undefined {
  return tryDecodeUtf8(txtBytes(data));
}
