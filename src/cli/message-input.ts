/**
 * The body `dnsmesh send` publishes: the message argument, or with `-` what
 * arrives on standard input (`pass show note | dnsmesh send bob -`, or typed
 * on a terminal and ended with Ctrl-D).
 *
 * Standard input is read up to one byte past the largest body the protocol
 * can carry at all ({@link largestBody}), so an endless producer
 * (`yes | dnsmesh send bob -`) is refused as soon as it passes that, never
 * buffered. Text keeps its bytes exactly, except one final line break
 * (`\n` or `\r\n`), which `echo` and the terminal add and nobody means to
 * send; bytes that are not UTF-8 go out untouched. A message with nothing
 * in it — no bytes, or text of only white space — is refused before the
 * passphrase is asked for.
 */

import { maxBodyBytes } from '../client/message-limits.js';
import { tryDecodeUtf8 } from '../protocol/bytes.js';
import { DEFAULT_MESSAGE_TTL } from '../protocol/message/seal.js';
import { type CliError, userError } from './errors.js';
import { eprintln } from './output.js';

/** The message argument that means "read standard input". */
export const STDIN_MESSAGE = '-';

/** The largest body any send could carry: no node value cap, no envelope. */
export function largestBody(nowSeconds = Math.floor(Date.now() / 1000)): number {
  return maxBodyBytes({ ts: nowSeconds, ttl: DEFAULT_MESSAGE_TTL, maxValueBytes: 0 });
}

function emptyMessage(where: string): CliError {
  return userError(
    `nothing to send: the message ${where} is empty — write it as the argument ` +
      '(`dnsmesh send bob "hello"`) or pipe it in (`… | dnsmesh send bob -`)',
  );
}

/** Refuses a message argument with nothing in it. */
export function checkMessageArgument(message: string): string {
  if (message.trim() === '') throw emptyMessage('argument');
  return message;
}

/**
 * Reads the body from `input` (default stdin): at most `limit` bytes, else
 * exit 1 naming the limit; one final line break of text dropped; empty
 * refused. On a terminal it says how to end the message.
 */
export async function readMessageFromStdin(
  input: NodeJS.ReadableStream & { isTTY?: boolean; destroy?: () => void } = process.stdin,
  limit = largestBody(),
): Promise<Uint8Array> {
  const now = Math.floor(Date.now() / 1000);
  const usual = maxBodyBytes({ ts: now, ttl: DEFAULT_MESSAGE_TTL });
  if (input.isTTY === true) {
    eprintln('Type your message; end it with Ctrl-D at the start of a line.');
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    total += buf.length;
    if (total > limit) {
      input.destroy?.();
      throw userError(
        `the message on stdin is longer than ${limit.toLocaleString('en-US')} bytes, the most one ` +
          `DMP message can carry (${usual.toLocaleString('en-US')} bytes through a node with the ` +
          'default value cap) — send it in parts',
      );
    }
    chunks.push(buf);
  }
  let body = new Uint8Array(Buffer.concat(chunks));
  // Empty input decodes to '' and is refused here too.
  const text = tryDecodeUtf8(body);
  if (text !== undefined) {
    if (text.trim() === '') throw emptyMessage('on stdin');
    if (text.endsWith('\r\n')) body = body.subarray(0, body.length - 2);
    else if (text.endsWith('\n')) body = body.subarray(0, body.length - 1);
  }
  return body;
}
