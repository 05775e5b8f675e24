/**
 * Operator-signed list records: the cluster manifest (node.md §5.1) and the
 * bootstrap record (§6.1). One Ed25519 key signs a named, versioned list and
 * every consumer pins that key. Both bodies share one frame:
 *
 *   magic(7) ‖ seq(u64) ‖ exp(u64) ‖ signer_spk(32) ‖ name_len(u8) ‖ name ‖
 *   count(u8) ‖ `count` record-specific items; then a 64-byte signature
 *
 * and both are verified in the same order. This module owns that frame; a
 * record module describes itself with an {@link OperatorRecordKind}: its
 * prefix, magic, items, field names, and the words its rejections use,
 * which stay exactly as each record has always phrased them.
 */
import { ByteReader, bytesEqual, concatBytes, u64 } from '../bytes.js';
import { verifyEd25519 } from '../crypto/ed25519.js';
import { accept, type ParseResult, reject } from '../result.js';
import { dnsNamesEqual } from './dns-name.js';
import {
  canonicalNameField,
  decodeOperatorWire,
  readNameField,
  trustExpiryRejection,
} from './operator-wire.js';
import {
  fixedBytes,
  nowSeconds,
  SIGNATURE_BYTES,
  splitSignedBlob,
  type U64Input,
  u64Field,
} from './record-fields.js';

/** seq + exp + signer_spk + name_len: the fixed header bytes after the magic. */
const HEADER_AFTER_MAGIC_BYTES = 8 + 8 + 32 + 1;

/** What one operator-signed list record type brings to the shared frame. */
export interface OperatorRecordKind<Item, Parsed> {
  /** TXT prefix, e.g. `v=dmp1;t=cluster;`. */
  readonly prefix: string;
  /** Body magic (7 ASCII bytes). */
  readonly magic: Uint8Array;
  /** The record in rejection details: `manifest`, `bootstrap record`. */
  readonly noun: string;
  /** Who signs (`operator`, `signer`): gives `operatorSpk`, `operator seed`, `pinned operator key`. */
  readonly signer: string;
  /** The name field as the encoder input calls it (`clusterName`) and as the wire does (`cluster_name`). */
  readonly nameField: { readonly input: string; readonly wire: string };
  /** One list item (`node`, `entry`): gives `node_count` and "after the last node". */
  readonly item: string;
  /**
   * Reads the `count` items after the header, refusing a count out of the
   * record's range, a malformed item or a duplicate. Trailing bytes are the
   * frame's to refuse.
   */
  readonly readItems: (reader: ByteReader, count: number) => ParseResult<Item[]>;
  /** The decoded frame under the record's own field names. */
  readonly fromFrame: (frame: OperatorRecordFrame<Item>) => Parsed;
}

/** Header fields as an encoder is given them. */
export interface OperatorRecordHeaderInput {
  /** DNS name; one trailing dot is accepted and dropped. */
  readonly name: string;
  readonly seq: U64Input;
  readonly exp: U64Input;
}

/** A decoded body: the header fields and the items in wire order. */
export interface OperatorRecordFrame<Item> {
  /** Without its trailing dot, case as signed. */
  readonly name: string;
  readonly signerSpk: Uint8Array;
  readonly items: Item[];
  readonly seq: bigint;
  readonly exp: bigint;
}

/** What a consumer verifies a record against. */
export interface OperatorRecordPin {
  /** Verification time, Unix seconds. */
  readonly now: number;
  /** The pinned Ed25519 public key of the signer. */
  readonly signerSpk: Uint8Array;
  /** The name the record was fetched for; compared casefolded, trailing dot ignored. */
  readonly expectedName?: string | undefined;
}

/**
 * The signed body: header, then the items `encodeItems` returns (one byte
 * string per item, in wire order). Checks run key, name, items, then
 * `seq`/`exp`, the order both records have always had, so a record with
 * several bad fields still gets the same error.
 *
 * @throws DmpEncodeError on a signer key that is not 32 bytes, a bad name,
 *   whatever `encodeItems` refuses, or `seq`/`exp` outside u64.
 */
export function encodeOperatorRecordBody<Item, Parsed>(
  kind: OperatorRecordKind<Item, Parsed>,
  header: OperatorRecordHeaderInput,
  signerSpk: Uint8Array,
  encodeItems: () => readonly Uint8Array[],
): Uint8Array {
  fixedBytes(signerSpk, 32, `${kind.signer}Spk`);
  const name = canonicalNameField(header.name, kind.nameField.input);
  const items = encodeItems();
  return concatBytes(
    kind.magic,
    u64(u64Field(header.seq, 'seq')),
    u64(u64Field(header.exp, 'exp')),
    signerSpk,
    Uint8Array.of(name.length),
    name,
    Uint8Array.of(items.length),
    ...items,
  );
}

/**
 * Structural decoding of a body (no signature, key or time checks): magic,
 * header, name, the items and no trailing bytes.
 */
export function decodeOperatorRecordBody<Item, Parsed>(
  body: Uint8Array,
  kind: OperatorRecordKind<Item, Parsed>,
): ParseResult<Parsed> {
  const frame = decodeFrame(body, kind);
  return frame.ok ? accept(kind.fromFrame(frame.value)) : frame;
}

/** {@link decodeOperatorRecordBody} before the record's own names are put on. */
function decodeFrame<Item>(
  body: Uint8Array,
  kind: OperatorRecordKind<Item, unknown>,
): ParseResult<OperatorRecordFrame<Item>> {
  if (body.length < kind.magic.length + HEADER_AFTER_MAGIC_BYTES) {
    return reject('length', 'body shorter than its header');
  }
  const reader = new ByteReader(body);
  if (!bytesEqual(reader.take(kind.magic.length)!, kind.magic)) {
    return reject('structure', 'bad magic');
  }
  const seq = reader.u64()!;
  const exp = reader.u64()!;
  const signerSpk = Uint8Array.from(reader.take(32)!);
  const name = readNameField(reader, kind.nameField.wire);
  if (!name.ok) return name;
  const count = reader.u8();
  if (count === undefined) return reject('length', `truncated before ${kind.item}_count`);
  const items = kind.readItems(reader, count);
  if (!items.ok) return items;
  if (reader.remaining !== 0) {
    return reject('structure', `trailing bytes after the last ${kind.item}`);
  }
  return accept({ name: name.value, signerSpk, items: items.value, seq, exp });
}

/**
 * Parses and verifies a TXT value in node.md §5.1's order: prefix, 1200-byte
 * cap, strict base64, length, signature under the pinned key (before any
 * body field is trusted), body structure, embedded key = pinned key,
 * `exp ≥ now`, `exp − now ≤ 5 years`, expected name. Never throws on any
 * `value`.
 *
 * @throws TypeError when `pin.now` is not finite (a caller bug), and only
 *   once the value has got as far as the expiry check.
 */
export function verifyOperatorRecord<Item, Parsed>(
  value: string,
  kind: OperatorRecordKind<Item, Parsed>,
  pin: OperatorRecordPin,
): ParseResult<Parsed> {
  // The reference asks only for the magic's worth of body before verifying.
  const blob = decodeOperatorWire(value, kind.prefix, kind.magic.length + SIGNATURE_BYTES);
  if (!blob.ok) return blob;
  const pinned = pin.signerSpk;
  if (!(pinned instanceof Uint8Array) || pinned.length !== 32) {
    return reject('signer', `pinned ${kind.signer} key must be 32 bytes`);
  }
  const { body, signature } = splitSignedBlob(blob.value);
  if (!verifyEd25519(pinned, body, signature)) {
    return reject('signature', `signature does not verify under the pinned ${kind.signer} key`);
  }
  const frame = decodeFrame(body, kind);
  if (!frame.ok) return frame;
  const { exp, signerSpk, name } = frame.value;
  if (!bytesEqual(signerSpk, pinned)) {
    return reject('signer', `embedded ${kind.signer} key differs from the pinned key`);
  }
  const expiry = trustExpiryRejection(exp, nowSeconds(pin.now), kind.noun);
  if (expiry !== undefined) return expiry;
  if (pin.expectedName !== undefined && !dnsNamesEqual(name, pin.expectedName)) {
    return reject('name', `${kind.noun} is for '${name}'`);
  }
  return accept(kind.fromFrame(frame.value));
}
