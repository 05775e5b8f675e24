/**
 * YAML 1.1 implicit typing of plain scalars, as PyYAML's SafeLoader and
 * SafeDumper apply it (the reference reads and writes config.yaml with
 * them). The writer quotes a string exactly when PyYAML would, i.e. when
 * the bare text would read back as something else; the reader types an
 * unquoted value the way the reference sees it (`0123` is an octal int,
 * `yes` a bool), so a hand-edited file means the same to both tools.
 */

// PyYAML resolver patterns (yaml/resolver.py), verbose regexes flattened.
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;
const MERGE = /^<<$/;
const VALUE = /^=$/;

const TRUE_WORDS = new Set(['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);

/** What a plain (unquoted) scalar means under YAML 1.1. */
export type Plain11 =
  | { readonly type: 'null' }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'float'; readonly text: string }
  | { readonly type: 'timestamp'; readonly text: string }
  | { readonly type: 'str'; readonly value: string };

/** True when PyYAML would read the bare text `s` as something other than a string. */
export function plainIsNotString(s: string): boolean {
  return (
    NULL.test(s) ||
    BOOL.test(s) ||
    INT.test(s) ||
    FLOAT.test(s) ||
    TIMESTAMP.test(s) ||
    MERGE.test(s) ||
    VALUE.test(s)
  );
}

/** Types a plain scalar the way PyYAML's SafeLoader does. */
export function resolvePlain(s: string): Plain11 {
  if (NULL.test(s)) return { type: 'null' };
  if (BOOL.test(s)) return { type: 'bool', value: TRUE_WORDS.has(s) };
  if (INT.test(s)) return { type: 'int', value: parseInt11(s) };
  if (FLOAT.test(s)) return { type: 'float', text: s };
  if (TIMESTAMP.test(s)) return { type: 'timestamp', text: s };
  return { type: 'str', value: s };
}

/** YAML 1.1 integer text (`0x1F`, `0o17`-style `017`, `0b101`, `1_000`, `1:30`) to a bigint. */
function parseInt11(text: string): bigint {
  let s = text.replaceAll('_', '');
  let sign = 1n;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s.startsWith('-')) sign = -1n;
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s.startsWith('0b')) return sign * BigInt(`0b${s.slice(2)}`);
  if (s.startsWith('0x')) return sign * BigInt(`0x${s.slice(2)}`);
  if (s.startsWith('0')) return sign * BigInt(`0o${s.slice(1)}`);
  if (s.includes(':')) {
    // Sexagesimal: 1:30 = 90.
    let value = 0n;
    for (const part of s.split(':')) value = value * 60n + BigInt(part);
    return sign * value;
  }
  return sign * BigInt(s);
}
