/**
 * How `intro accept|trust|block` name an intro: by its number (`3`, or `#3`
 * as `intro list` prints it), or by what `intro list` shows of its sender —
 * the label `intro-<first 12 hex of the signing key>` (the default contact
 * label `intro trust` gives) or the verified address (`carol@mesh.test`).
 * A sender label naming several pending intros (one sender may have up to
 * ten waiting) is refused with their numbers, so nothing is picked behind
 * the user's back.
 */
import { InvalidArgumentError } from 'commander';
import type { IntroEntry } from '../client/state/types.js';
import { toHex } from '../protocol/bytes.js';
import { userError } from './errors.js';
import { terminalSafeField } from './terminal-text.js';

/** An intro reference as given: a number, or a sender label to look up. */
export type IntroRef = { readonly id: number } | { readonly label: string };

const NUMBER = /^#?([0-9]+)$/;
const KEY_LABEL = /^intro-[0-9a-f]{4,64}$/i;
const ADDRESS = /^[^@\s]+@[^@\s]+$/;

/** Commander argument parser: a number, `#number`, `intro-<hex>` or `user@host`. */
export function parseIntroRef(value: string): IntroRef {
  const number = NUMBER.exec(value.trim());
  if (number !== null) {
    const id = Number(number[1]);
    if (Number.isSafeInteger(id)) return { id };
  }
  if (KEY_LABEL.test(value) || ADDRESS.test(value)) return { label: value };
  throw new InvalidArgumentError(
    `expected an intro number or the label \`intro list\` shows (intro-<hex> or user@host), got ${JSON.stringify(value)}`,
  );
}

/**
 * The intro number `ref` names; a label is looked up in the queue `list`
 * returns (exit 1 when it names none, or several).
 */
export async function resolveIntroRef(
  ref: IntroRef,
  list: () => Promise<readonly IntroEntry[]>,
): Promise<number> {
  if ('id' in ref) return ref.id;
  const intros = await list();
  const wanted = ref.label.toLowerCase();
  const matches = intros.filter((i) =>
    wanted.startsWith('intro-')
      ? toHex(i.senderSpk).startsWith(wanted.slice('intro-'.length))
      : i.senderLabel.toLowerCase() === wanted,
  );
  const shown = terminalSafeField(ref.label);
  if (matches.length === 0) {
    throw userError(
      `no pending intro from ${shown} — \`dnsmesh intro list\` shows the pending ones, with their numbers`,
    );
  }
  if (matches.length > 1) {
    const ids = matches.map((i) => `#${i.id}`).join(', ');
    throw userError(
      `${shown} has ${matches.length} pending intros (${ids}) — name one by its number`,
    );
  }
  return matches[0]!.id;
}
