/**
 * Bootstrap record (node.md §6.1): the zone operator's signed pointer from a
 * user domain to the clusters that serve it, published at `_dmp.<domain>`
 * (the DMP analogue of an MX record).
 *
 * Body: `DMPBS01` ‖ seq(u64) ‖ exp(u64) ‖ signer_spk(32) ‖ domain_len(u8) ‖
 * user_domain ‖ entry_count(u8) ‖ per entry: priority(u16) ‖ base_len(u8) ‖
 * cluster_base_domain ‖ operator_spk(32); then a 64-byte Ed25519 signature by
 * the zone operator (a different trust domain from cluster operators).
 */
import { type ByteReader, concatBytes, u16, utf8 } from '../bytes.js';
import { accept, ensure, type ParseResult, reject } from '../result.js';
import { casefold } from './dns-name.js';
import {
  decodeOperatorRecordBody,
  encodeOperatorRecordBody,
  type OperatorRecordFrame,
  type OperatorRecordKind,
  verifyOperatorRecord,
} from './operator-record.js';
import { canonicalNameField, pickHighestSeq, readNameField } from './operator-wire.js';
import { BOOTSTRAP_RECORD_PREFIX } from './prefixes.js';
import { fixedBytes, type U64Input, uintField } from './record-fields.js';
import { signWithSeed } from './seed-signing.js';

/** Body magic. */
export const BOOTSTRAP_RECORD_MAGIC = 'DMPBS01';
/** Most entries one record may carry. */
export const MAX_BOOTSTRAP_ENTRIES = 16;

/** One cluster choice; lower priority is preferred. */
export interface BootstrapEntry {
  /** 0..65535. */
  readonly priority: number;
  /** Where `cluster.<base>` lives; a DNS name, trailing dot dropped. */
  readonly clusterBaseDomain: string;
  /** The operator key to pin for that cluster. */
  readonly operatorSpk: Uint8Array;
}

/** Record fields as given to the encoder. */
export interface BootstrapRecordInput {
  /** DNS name; one trailing dot is accepted and dropped. */
  readonly userDomain: string;
  /** 1..16 entries; emitted sorted by priority (stable). */
  readonly entries: readonly BootstrapEntry[];
  readonly seq: U64Input;
  readonly exp: U64Input;
  /** When given, must be the public key of the signing seed. */
  readonly signerSpk?: Uint8Array | undefined;
}

/** A verified bootstrap record; `entries` are sorted by priority, ties in wire order. */
export interface BootstrapRecord {
  readonly userDomain: string;
  readonly signerSpk: Uint8Array;
  readonly entries: readonly BootstrapEntry[];
  readonly seq: bigint;
  readonly exp: bigint;
}

/** What a bootstrap record is verified against. */
export interface BootstrapRecordVerifyOptions {
  /** Verification time, Unix seconds. */
  readonly now: number;
  /** The zone operator's pinned Ed25519 public key. */
  readonly signerSpk: Uint8Array;
  /** The domain the record was fetched for; compared casefolded, trailing dot ignored. */
  readonly expectedUserDomain?: string | undefined;
}

/** Duplicate detection key: the same base may repeat only under different priorities. */
function entryKey(priority: number, base: string): string {
  return `${priority}\u0000${casefold(base)}`;
}

function byPriority(a: BootstrapEntry, b: BootstrapEntry): number {
  return a.priority - b.priority;
}

/** The per-entry bytes, sorted by priority (stable); refuses what the protocol forbids. */
function encodeEntries(entries: readonly BootstrapEntry[]): Uint8Array[] {
  ensure(Array.isArray(entries), 'entries must be an array');
  ensure(entries.length >= 1, 'a bootstrap record needs at least one entry');
  ensure(entries.length <= MAX_BOOTSTRAP_ENTRIES, `at most ${MAX_BOOTSTRAP_ENTRIES} entries`);
  const seen = new Set<string>();
  const canonical = entries.map((entry, i) => {
    const priority = uintField(entry.priority, `entries[${i}].priority`, 0, 0xffff);
    const base = canonicalNameField(entry.clusterBaseDomain, `entries[${i}].clusterBaseDomain`);
    const operatorSpk = fixedBytes(entry.operatorSpk, 32, `entries[${i}].operatorSpk`);
    const clusterBaseDomain = String.fromCharCode(...base);
    const key = entryKey(priority, clusterBaseDomain);
    ensure(!seen.has(key), `duplicate entry (${priority}, ${clusterBaseDomain})`);
    seen.add(key);
    return { priority, clusterBaseDomain, operatorSpk, base };
  });
  canonical.sort(byPriority);
  return canonical.map((e) =>
    concatBytes(u16(e.priority), Uint8Array.of(e.base.length), e.base, e.operatorSpk),
  );
}

/** Reads 1..16 entries, refusing a duplicate (priority, casefolded base). */
function readEntries(reader: ByteReader, count: number): ParseResult<BootstrapEntry[]> {
  if (count === 0 || count > MAX_BOOTSTRAP_ENTRIES) {
    return reject('structure', `entry_count ${count} out of range`);
  }
  const entries: BootstrapEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const priority = reader.u16();
    if (priority === undefined) return reject('length', 'truncated entry');
    const base = readNameField(reader, 'cluster_base_domain');
    if (!base.ok) return base;
    const operatorSpk = reader.take(32);
    if (operatorSpk === undefined) return reject('length', 'truncated entry operator key');
    const key = entryKey(priority, base.value);
    if (seen.has(key)) return reject('structure', `duplicate entry (${priority}, ${base.value})`);
    seen.add(key);
    entries.push({
      priority,
      clusterBaseDomain: base.value,
      operatorSpk: Uint8Array.from(operatorSpk),
    });
  }
  return accept(entries);
}

/** The frame's fields under this record's names, entries in priority order. */
function toBootstrapRecord(frame: OperatorRecordFrame<BootstrapEntry>): BootstrapRecord {
  const { name, signerSpk, items, seq, exp } = frame;
  // Array.prototype.sort is stable, so equal priorities keep wire order.
  return { userDomain: name, signerSpk, entries: items.sort(byPriority), seq, exp };
}

/** The bootstrap record in the operator-signed frame; the zone operator signs it. */
const BOOTSTRAP: OperatorRecordKind<BootstrapEntry, BootstrapRecord> = {
  prefix: BOOTSTRAP_RECORD_PREFIX,
  magic: utf8(BOOTSTRAP_RECORD_MAGIC),
  noun: 'bootstrap record',
  signer: 'signer',
  nameField: { input: 'userDomain', wire: 'user_domain' },
  item: 'entry',
  readItems: readEntries,
  fromFrame: toBootstrapRecord,
};

/**
 * The signed body for `input` under `signerSpk`; entries are written in
 * stable priority order.
 *
 * @throws DmpEncodeError on any field the protocol forbids.
 */
export function encodeBootstrapRecordBody(
  input: BootstrapRecordInput,
  signerSpk: Uint8Array,
): Uint8Array {
  const { userDomain: name, seq, exp } = input;
  return encodeOperatorRecordBody(BOOTSTRAP, { name, seq, exp }, signerSpk, () =>
    encodeEntries(input.entries),
  );
}

/**
 * Signs a bootstrap record with the zone operator's 32-byte Ed25519 seed and
 * returns the TXT value.
 *
 * @throws DmpEncodeError on forbidden fields, a declared `signerSpk` that is
 *   not the seed's key, or a value over 1200 bytes.
 */
export function signBootstrapRecord(input: BootstrapRecordInput, signerSeed: Uint8Array): string {
  return signWithSeed(BOOTSTRAP.prefix, signerSeed, BOOTSTRAP.signer, input.signerSpk, (spk) =>
    encodeBootstrapRecordBody(input, spk),
  );
}

/**
 * Structural decoding of a bootstrap body (no signature, key or time checks):
 * 1..16 entries, no duplicate (priority, casefolded base), no trailing bytes.
 */
export function decodeBootstrapRecordBody(body: Uint8Array): ParseResult<BootstrapRecord> {
  return decodeOperatorRecordBody(body, BOOTSTRAP);
}

/**
 * Parses and verifies a bootstrap TXT value with the same order and bounds
 * as the cluster manifest: signature under the pinned signer before the body
 * is trusted, embedded key = pinned key, `exp ≥ now`, `exp − now ≤ 5 years`,
 * expected user domain. Never throws on any `value`.
 */
export function parseAndVerifyBootstrapRecord(
  value: string,
  options: BootstrapRecordVerifyOptions,
): ParseResult<BootstrapRecord> {
  const { now, signerSpk, expectedUserDomain: expectedName } = options;
  return verifyOperatorRecord(value, BOOTSTRAP, { now, signerSpk, expectedName });
}

/**
 * The record a consumer should use from a `_dmp.<domain>` RRset: the highest
 * `seq` among the values that verify (the earliest on a tie), or `undefined`.
 */
export function selectBootstrapRecord(
  values: Iterable<string>,
  options: BootstrapRecordVerifyOptions,
): BootstrapRecord | undefined {
  return pickHighestSeq(values, (value) => parseAndVerifyBootstrapRecord(value, options));
}
