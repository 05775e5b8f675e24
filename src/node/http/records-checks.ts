/**
 * The validation steps of record writes (node spec §4.4), as pure
 * functions in the order the POST handler applies them. Each returns the
 * refusal to send, or the checked input.
 */
import { sharedNamespaceOf, sharedValueAllowed } from '../shared-namespace-values.js';
import type { RecordCaps } from './config.js';
import { isSafeTxtValue, isValidRecordName } from './record-name.js';

/** A refusal: status and `error` text. */
export interface Refusal {
  readonly status: number;
  readonly error: string;
}

/** A publish request that passed the body checks. */
export interface PublishInput {
  readonly value: string;
  readonly ttl: number;
}

/** TTL when the body names none. */
export const DEFAULT_RECORD_TTL = 300;

const FIELDS_REQUIRED: Refusal = { status: 400, error: 'value (str) and ttl (int > 0) required' };

function own(body: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(body, key) ? body[key] : undefined;
}

/**
 * `value` must be a string and `ttl` (default 300) a positive integer — JSON
 * `true` counts as 1, as Python's bool is an int — then the TTL and value
 * size caps apply. A cap ≤ 0 is disabled.
 */
export function checkPublishBody(
  body: Readonly<Record<string, unknown>>,
  caps: RecordCaps,
): PublishInput | Refusal {
  const value = own(body, 'value');
  const rawTtl = Object.hasOwn(body, 'ttl') ? body.ttl : DEFAULT_RECORD_TTL;
  const ttl = rawTtl === true ? 1 : rawTtl;
  if (typeof value !== 'string' || typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl <= 0) {
    return FIELDS_REQUIRED;
  }
  if (caps.maxTtl > 0 && ttl > caps.maxTtl) {
    return { status: 400, error: `ttl exceeds cap of ${caps.maxTtl}s` };
  }
  // Only reachable with the TTL cap disabled: the store needs an exact integer.
  if (!Number.isSafeInteger(ttl)) return FIELDS_REQUIRED;
  if (caps.maxValueBytes > 0 && Buffer.byteLength(value, 'utf8') > caps.maxValueBytes) {
    return { status: 400, error: `value exceeds cap of ${caps.maxValueBytes} bytes` };
  }
  return { value, ttl };
}

/**
 * The RRset cap: a full RRset refuses new values (413) but still accepts a
 * re-publish of one it holds, which only refreshes its TTL.
 */
export function checkCardinality(
  name: string,
  existing: readonly string[],
  value: string,
  maxValuesPerName: number,
): Refusal | undefined {
  if (maxValuesPerName <= 0 || existing.length < maxValuesPerName || existing.includes(value)) {
    return undefined;
  }
  return { status: 413, error: `RRset at ${name} already holds ${maxValuesPerName} values` };
}

/** 400 unless `name` has DNS syntax. */
export function checkRecordName(name: string): Refusal | undefined {
  return isValidRecordName(name) ? undefined : { status: 400, error: 'invalid record name' };
}

/**
 * 403 for a name outside the served zone. The reference stores any name it
 * is given, although it answers DNS only inside its zone: such rows are
 * never served, and an open or token-holding writer could use the node as
 * free storage. `zone` empty: no zone configured, nothing to check.
 */
export function checkInServedZone(name: string, zone: string): Refusal | undefined {
  if (zone === '') return undefined;
  const n = name.toLowerCase().replace(/\.+$/, '');
  const z = zone.toLowerCase().replace(/\.+$/, '');
  return n === z || n.endsWith(`.${z}`)
    ? undefined
    : { status: 403, error: 'name outside the served zone' };
}

/** 400 unless `value` is a string safe inside a quoted TXT string. */
export function checkRecordValue(value: unknown): Refusal | undefined {
  return typeof value === 'string' && isSafeTxtValue(value)
    ? undefined
    : { status: 400, error: 'invalid record value' };
}

/** Type guard separating refusals from checked input. */
export function isRefusal(x: unknown): x is Refusal {
  return typeof x === 'object' && x !== null && 'status' in x && 'error' in x;
}

/**
 * 400 when a slot, chunk or claim name is given a value a receiver could not
 * use (see `../shared-namespace-values.ts`).
 */
export function checkSharedValue(name: string, value: string, now: number): Refusal | undefined {
  const canonical = name.toLowerCase().replace(/\.+$/, '');
  return sharedValueAllowed(canonical, value, now)
    ? undefined
    : { status: 400, error: `invalid ${sharedNamespaceOf(canonical)} record for this name` };
}
