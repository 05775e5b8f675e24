/**
 * How delivered messages are shown by `recv` and the intro commands: the
 * reference's `from <spk16>...` / `ts=` / text layout, plus the contact
 * label or verified sender address when one is known.
 */
import type { InboxMessage } from '../client/inbox-message.js';
import { toHex, tryDecodeUtf8 } from '../protocol/bytes.js';
import { terminalSafeField, terminalSafeText } from './terminal-text.js';

/** The body as text, or the reference's `(binary, N bytes)` note. */
export function bodyText(plaintext: Uint8Array): string {
  const text = tryDecodeUtf8(plaintext);
  return text === undefined ? `(binary, ${plaintext.length} bytes)` : text;
}

/** The human lines of one message; everything the sender chose is made terminal-safe. */
export function messageLines(m: InboxMessage): string[] {
  const who = m.contactLabel ?? (m.senderLabel !== '' ? m.senderLabel : undefined);
  return [
    `from ${toHex(m.senderSpk).slice(0, 16)}...${who === undefined ? '' : ` (${terminalSafeField(who)})`}`,
    `  ts=${m.timestamp}`,
    ...bodyLines(m.plaintext),
  ];
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
