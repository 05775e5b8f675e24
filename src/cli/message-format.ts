/**
 * How delivered messages are shown by `recv` and the intro commands. One
 * header line says who and when — the contact label (or the sender's
 * verified address), then the signing key abbreviated, then the send time
 * in local time — and the body follows, indented:
 *
 *     from alice (4f3a1b2c…09c2) at 2026-12-07 23:51:48
 *       hello
 *
 * Scripts read `recv --json` (the exact body, `ts` as Unix seconds, the
 * whole key); the reference's `from <spk16>...` / `ts=` layout is not kept.
 */
import type { InboxMessage } from '../client/inbox-message.js';
import { toHex, tryDecodeUtf8 } from '../protocol/bytes.js';
import { terminalSafeField, terminalSafeText } from './terminal-text.js';

/** The body as text, or the reference's `(binary, N bytes)` note. */
export function bodyText(plaintext: Uint8Array): string {
  const text = tryDecodeUtf8(plaintext);
  return text === undefined ? `(binary, ${plaintext.length} bytes)` : text;
}

/** An Ed25519 key as its first 8 and last 4 hex digits: `4f3a1b2c…09c2`. */
export function shortKey(key: Uint8Array): string {
  const hex = toHex(key);
  return `${hex.slice(0, 8)}…${hex.slice(-4)}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Unix seconds as local `YYYY-MM-DD HH:MM:SS` (the zone of the reader's TZ). */
export function localTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  );
}

/** Who sent it: the pinned contact's label, else the verified address, else nobody known. */
function senderName(m: InboxMessage): string {
  if (m.contactLabel !== undefined) return terminalSafeField(m.contactLabel);
  if (m.senderLabel !== '') return terminalSafeField(m.senderLabel);
  return 'an unknown sender';
}

/** The human lines of one message; everything the sender chose is made terminal-safe. */
export function messageLines(m: InboxMessage): string[] {
  return [
    `from ${senderName(m)} (${shortKey(m.senderSpk)}) at ${localTime(m.timestamp)}`,
    ...bodyLines(m.plaintext),
  ];
}

/** Messages oldest first by send time; equal times keep their order. */
export function oldestFirst(messages: readonly InboxMessage[]): InboxMessage[] {
  return [...messages].sort((a, b) => a.timestamp - b.timestamp);
}

/** A body as indented lines, made terminal-safe (`intro accept`/`trust` print it too). */
export function bodyLines(plaintext: Uint8Array): string[] {
  return terminalSafeText(bodyText(plaintext))
    .split('\n')
    .map((line) => `  ${line}`);
}

export function messageJson(m: InboxMessage) {
  const text = tryDecodeUtf8(m.plaintext);
  return {
    sender_spk: toHex(m.senderSpk),
    contact: m.contactLabel ?? null,
    sender_label: m.senderLabel || null,
    ts: m.timestamp,
    msg_id: toHex(m.msgId),
    text: text ?? null,
    body_base64: text === undefined ? Buffer.from(m.plaintext).toString('base64') : null,
    zone: m.zone,
    via: m.via,
  };
}
