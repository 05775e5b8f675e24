/**
 * Text written by other people — message bodies, sender labels, zones a
 * claim names — made safe to print on a terminal.
 *
 * A terminal obeys control sequences in what it is given: ESC (and the
 * 8-bit CSI, U+009B) starts ECMA-48 sequences that clear the screen, move
 * the cursor over earlier lines, or (xterm OSC) retitle the window and write
 * the clipboard; a carriage return lets a line overwrite the one before it
 * (a forged "from alice"); Unicode bidi controls reorder what is shown
 * (CVE-2021-42574). Those characters are shown instead of obeyed, in the
 * notation readers know: C0 controls and DEL as `cat -v` does (`^[`, `^G`,
 * `^?`), C1 and bidi controls as `<U+202E>`. Newline and tab keep their
 * meaning in bodies (multi-line messages). `--json` output is not passed
 * through here: it stays exact, and JSON escapes controls itself.
 *
 * Applied whether or not stdout is a terminal: human output piped to a file
 * is read on a terminal later (`cat`, `less -R`), and exact bytes are what
 * `--json` is for.
 */

// C0 except tab and newline, DEL, C1, the bidi embeddings/overrides/isolates
// and marks. Fields also lose tab and newline.
const UNSAFE_IN_TEXT =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const UNSAFE_IN_FIELD =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

function visible(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return '^?';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** A multi-line text (a message body) with every control but newline and tab made visible. */
export function terminalSafeText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, visible);
}

/** A one-line field (a label, a zone) with every control, tab and newline included, made visible. */
export function terminalSafeField(text: string): string {
  return text.replace(UNSAFE_IN_FIELD, visible);
}
