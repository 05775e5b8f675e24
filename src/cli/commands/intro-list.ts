/**
 * `dnsmesh intro list [--json]` (cli spec §5.10): pending first-contact
 * messages from unpinned senders, newest first. Local only.
 */
import { toHex, tryDecodeUtf8 } from '../../protocol/bytes.js';
import { clientCall } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import type { CliContext } from '../context.js';
import { isoUtc, printJson, println } from '../output.js';
import { terminalSafeField } from '../terminal-text.js';

export interface IntroListOptions {
  json?: boolean;
}

const PREVIEW_CHARS = 120;

export async function runIntroList(ctx: CliContext, opts: IntroListOptions): Promise<number> {
  const session = await openClientSession(ctx, { network: false });
  try {
    const intros = await clientCall(() => session.client.introList());
    const now = Math.floor(Date.now() / 1000);
    if (opts.json) {
      printJson(
        intros.map((i) => ({
          id: i.id,
          sender_spk: toHex(i.senderSpk),
          sender_label: i.senderLabel || null,
          from_zone: i.senderMailboxDomain,
          received_at: i.receivedAt,
          msg_exp: i.msgExp,
          fresh: i.msgExp > now,
          text: tryDecodeUtf8(i.plaintext) ?? null,
        })),
      );
      return 0;
    }
    if (intros.length === 0) {
      println('(no pending intros)');
      return 0;
    }
    for (const i of intros) {
      const spk = toHex(i.senderSpk);
      const label = terminalSafeField(i.senderLabel || `intro-${spk.slice(0, 12)}`);
      const text = tryDecodeUtf8(i.plaintext);
      const chars = text === undefined ? [] : [...text];
      const preview =
        text === undefined
          ? `(binary, ${i.plaintext.length} bytes)`
          : chars.length > PREVIEW_CHARS
            ? `${terminalSafeField(chars.slice(0, PREVIEW_CHARS).join(''))}…`
            : terminalSafeField(text);
      println(
        `#${i.id}  ${label}  [${i.msgExp > now ? 'fresh' : 'EXPIRED'}]`,
        `  sender_spk: ${spk}`,
        `  from zone:  ${terminalSafeField(i.senderMailboxDomain)}`,
        `  received:   ${isoUtc(i.receivedAt)}`,
        `  message:    ${preview}`,
        '',
      );
    }
    println(
      'accept: `dnsmesh intro accept <id>`   trust: `dnsmesh intro trust <id> --username <name>`   block: `dnsmesh intro block <id>`',
    );
    return 0;
  } finally {
    session.close();
  }
}
