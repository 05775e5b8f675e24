/**
 * JSON text of HTTP responses, laid out as the reference node writes it
 * (node spec §4.1): Python `json.dumps` defaults, i.e. `", "` and `": "`
 * separators and every non-ASCII character escaped as `\uXXXX`. Clients
 * parse it like any JSON; matching the layout keeps byte-level diffs against
 * the reference quiet.
 */

/** Values a response body is built from. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

function quote(text: string): string {
  // JSON.stringify already escapes quotes, backslashes, controls and lone
  // surrogates; only the ensure_ascii step is left.
  return JSON.stringify(text).replace(
    /[\u0080-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Serialises `value` in the reference's layout. Object keys keep insertion order; `undefined` members are omitted. */
export function toJsonText(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // Python refuses NaN/Infinity in strict JSON too; null keeps the text parseable.
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'string':
      return quote(value);
  }
  if (Array.isArray(value)) {
    return `[${(value as readonly JsonValue[]).map(toJsonText).join(', ')}]`;
  }
  const members: string[] = [];
  for (const [key, member] of Object.entries(value as Record<string, JsonValue | undefined>)) {
    if (member !== undefined) members.push(`${quote(key)}: ${toJsonText(member)}`);
  }
  return `{${members.join(', ')}}`;
}
