/**
 * Python text semantics the reference's parsers inherit and that decide
 * whether a value is accepted: `str.strip()` whitespace and `int()` parsing.
 * Used by the legacy chunk parser (core.md §1.7) and the node's owner-name
 * normalisation (node.md §2.8).
 */

/** Python's `str.isspace` set, which `str.strip()` removes. */
function isPythonSpace(code: number): boolean {
  return (code >= 0x1c && code <= 0x1f) || isPythonIntSpace(code);
}

/**
 * Whitespace `int()` tolerates around digits: `str.isspace` minus U+001C..U+001F,
 * which CPython leaves untouched as ASCII and its C-level parser refuses.
 */
function isPythonIntSpace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Python `str.strip()`. JS `trim()` differs: it strips U+FEFF and keeps U+001C..U+001F and U+0085. */
export function pythonStrip(text: string): string {
  return stripWith(text, isPythonSpace);
}

function stripWith(text: string, isSpace: (code: number) => boolean): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** CPython refuses to convert decimal strings longer than this (3.11+ default). */
const PYTHON_INT_MAX_STR_DIGITS = 4300;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/**
 * Python `int(text)` in base 10: surrounding whitespace, an optional sign,
 * any Unicode decimal digits, single underscores between digits.
 */
export function parsePythonInt(text: string): bigint | undefined {
  const chars = Array.from(stripWith(text, isPythonIntSpace));
  let i = 0;
  let negative = false;
  if (chars[0] === '+' || chars[0] === '-') {
    negative = chars[0] === '-';
    i = 1;
  }
  let value = 0n;
  let digits = 0;
  let lastWasDigit = false;
  for (; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '_') {
      if (!lastWasDigit) return undefined;
      lastWasDigit = false;
      continue;
    }
    const digit = decimalDigitValue(ch);
    if (digit === undefined) return undefined;
    value = value * 10n + BigInt(digit);
    digits++;
    lastWasDigit = true;
  }
  if (!lastWasDigit || digits > PYTHON_INT_MAX_STR_DIGITS) return undefined;
  return negative ? -value : value;
}

/**
 * Value of a Unicode decimal digit. Unicode allocates each script's digits as
 * a contiguous 0..9 run, and adjacent runs start at 0, so the value is the
 * offset from the start of the run modulo 10.
 */
function decimalDigitValue(ch: string): number | undefined {
  const code = ch.codePointAt(0)!;
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (!DECIMAL_DIGIT.test(ch)) return undefined;
  let start = code;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (code - start) % 10;
}
