/**
 * `dnsmesh intro list [--json]` (cli spec §5.10): pending first-contact
 * messages from unpinned senders, newest first. Each is headed by its
 * number and its sender's label `intro-<12 hex>` — either names it to
 * `intro accept|trust|block` — and says who it is from: the verified
 * address the message carried, else only the mailbox zone it came from.
 * `--json` is the reference's. Local only.
 */
import { defaultIntroLabel } from '../../client/fingerprints.js';
import { toHex, tryDecodeUtf8 } from '../../protocol/bytes.js';
import { clientCall } from '../client-errors.js';
import { openClientSession } from '../client-session.js';
import type { CliContext } from '../context.js';
import { localTime } from '../message-format.js';
import { printJson, println } from '../output.js';
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
      const text = tryDecodeUtf8(i.plaintext);
      const chars = text === undefined ? [] : [...text];
      const preview =
        text === undefined
          ? `(binary, ${i.plaintext.length} bytes)`
          : chars.length > PREVIEW_CHARS
            ? `${terminalSafeField(chars.slice(0, PREVIEW_CHARS).join(''))}…`
            : terminalSafeField(text);
      const zone = terminalSafeField(i.senderMailboxDomain);
      const from =
        i.senderLabel !== ''
          ? `${terminalSafeField(i.senderLabel)} (verified address; mailbox zone ${zone})`
          : `someone at ${zone} (their mailbox zone; the message names no address)`;
      println(
        `#${i.id}  ${defaultIntroLabel(i.senderSpk)}  [${i.msgExp > now ? 'fresh' : 'EXPIRED'}]`,
        `  from:       ${from}`,
        `  sender_spk: ${toHex(i.senderSpk)}`,
        `  received:   ${localTime(i.receivedAt)}`,
        `  message:    ${preview}`,
        '',
      );
    }
    println(
      'name an intro by its number or label: accept `dnsmesh intro accept <intro>`   ' +
        'trust `dnsmesh intro trust <intro> --username <name>`   block `dnsmesh intro block <intro>`',
    );
    return 0;
  } finally {
    session.close();
  }
}
