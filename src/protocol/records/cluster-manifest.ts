/**
 * Cluster manifest (node.md §5.1): the operator-signed list of nodes that
 * serve one cluster, published at `cluster.<cluster_name>` and verified
 * against a pinned operator key.
 *
 * Body: `DMPCL01` ‖ seq(u64) ‖ exp(u64) ‖ operator_spk(32) ‖ name_len(u8) ‖
 * cluster_name ‖ node_count(u8) ‖ per node: id_len(u8) ‖ node_id ‖
 * http_len(u16) ‖ http_endpoint ‖ dns_len(u16) ‖ dns_endpoint; then a 64-byte
 * Ed25519 signature by the operator. The magic is the claim record's too, so
 * only the TXT prefix tells them apart.
 */
import { ByteReader, bytesEqual, concatBytes, u16, u64, utf8 } from '../bytes.js';
import { ed25519PublicKey, signEd25519, verifyEd25519 } from '../crypto/ed25519.js';
import { accept, ensure, type ParseResult, reject } from '../result.js';
import { dnsNamesEqual } from './dns-name.js';
import {
  canonicalNameField,
  decodeAscii,
  decodeOperatorWire,
  decodeText,
  encodeOperatorWire,
  encodeText,
  isAsciiString,
  MAX_TRUST_RECORD_EXP_FUTURE_SECONDS,
  pickHighestSeq,
  readNameField,
} from './operator-wire.js';
import { CLUSTER_RECORD_PREFIX } from './prefixes.js';
import {
  fixedBytes,
  nowSeconds,
  SIGNATURE_BYTES,
  type U64Input,
  u64Field,
} from './record-fields.js';

/** Body magic (shared with the claim record). */
export const CLUSTER_MANIFEST_MAGIC = 'DMPCL01';
/** Most nodes one manifest may list. */
export const MAX_CLUSTER_NODES = 32;
/** Longest node id, in ASCII bytes. */
export const MAX_NODE_ID_BYTES = 16;
/** Longest HTTP endpoint, in UTF-8 bytes. */
export const MAX_HTTP_ENDPOINT_BYTES = 128;
/** Longest DNS endpoint, in UTF-8 bytes. */
export const MAX_DNS_ENDPOINT_BYTES = 64;

const MAGIC = utf8(CLUSTER_MANIFEST_MAGIC);
/** magic + seq + exp + operator_spk + name_len. */
const FIXED_HEADER_BYTES = 7 + 8 + 8 + 32 + 1;
/** The reference only asks for the magic's worth of body before verifying. */
const MIN_BLOB_BYTES = MAGIC.length + SIGNATURE_BYTES;

/** One node entry. */
export interface ClusterNode {
  /** Stable ASCII handle (1..16 bytes), unique within the manifest. */
  readonly nodeId: string;
  /** HTTP API base, e.g. `https://node1.example.com:8053` (1..128 UTF-8 bytes). */
  readonly httpEndpoint: string;
  /** `host:port` of the node's own DNS listener; absent means "use ordinary DNS". */
  readonly dnsEndpoint?: string | undefined;
}

/** Node entry as given to the encoder (`null` also means "no DNS endpoint"). */
export interface ClusterNodeInput {
  readonly nodeId: string;
  readonly httpEndpoint: string;
  readonly dnsEndpoint?: string | null | undefined;
}

/** Manifest fields as given to the encoder. */
export interface ClusterManifestInput {
  /** DNS name; one trailing dot is accepted and dropped. */
  readonly clusterName: string;
  /** 1..32 nodes. */
  readonly nodes: readonly ClusterNodeInput[];
  readonly seq: U64Input;
  readonly exp: U64Input;
  /** When given, must be the public key of the signing seed. */
  readonly operatorSpk?: Uint8Array | undefined;
}

/** A verified cluster manifest. */
export interface ClusterManifest {
  /** Cluster name without a trailing dot, case as signed. */
  readonly clusterName: string;
  readonly operatorSpk: Uint8Array;
  readonly nodes: readonly ClusterNode[];
  readonly seq: bigint;
  readonly exp: bigint;
}

/** What a manifest is verified against. */
export interface ClusterManifestVerifyOptions {
  /** Verification time, Unix seconds. */
  readonly now: number;
  /** The pinned operator Ed25519 public key. */
  readonly operatorSpk: Uint8Array;
  /** The cluster base the manifest was fetched for; compared casefolded, trailing dot ignored. */
  readonly expectedClusterName?: string | undefined;
}

function encodeNode(node: ClusterNodeInput, index: number): Uint8Array {
  const at = `nodes[${index}]`;
  ensure(
    typeof node.nodeId === 'string' && node.nodeId.length > 0 && isAsciiString(node.nodeId),
    `${at}.nodeId must be non-empty ASCII`,
  );
  ensure(
    node.nodeId.length <= MAX_NODE_ID_BYTES,
    `${at}.nodeId exceeds ${MAX_NODE_ID_BYTES} bytes`,
  );
  const http = encodeText(node.httpEndpoint, `${at}.httpEndpoint`);
  ensure(
    http.length > 0 && http.length <= MAX_HTTP_ENDPOINT_BYTES,
    `${at}.httpEndpoint must be 1..${MAX_HTTP_ENDPOINT_BYTES} bytes`,
  );
  let dns: Uint8Array = new Uint8Array(0);
  if (node.dnsEndpoint !== undefined && node.dnsEndpoint !== null) {
    dns = encodeText(node.dnsEndpoint, `${at}.dnsEndpoint`);
    // Zero length on the wire means "absent", so an empty string cannot be sent.
    ensure(
      dns.length > 0 && dns.length <= MAX_DNS_ENDPOINT_BYTES,
      `${at}.dnsEndpoint must be 1..${MAX_DNS_ENDPOINT_BYTES} bytes when present`,
    );
  }
  const id = utf8(node.nodeId);
  return concatBytes(Uint8Array.of(id.length), id, u16(http.length), http, u16(dns.length), dns);
}

/**
 * The signed body for `input` under `operatorSpk`.
 *
 * @throws DmpEncodeError on any field the protocol forbids (including an
 *   empty node list, which a parser would still accept).
 */
export function encodeClusterManifestBody(
  input: ClusterManifestInput,
  operatorSpk: Uint8Array,
): Uint8Array {
  fixedBytes(operatorSpk, 32, 'operatorSpk');
  const name = canonicalNameField(input.clusterName, 'clusterName');
  const nodes = input.nodes;
  ensure(Array.isArray(nodes), 'nodes must be an array');
  // An empty cluster has a write quorum of zero: every publish would "succeed".
  ensure(nodes.length >= 1, 'a cluster manifest needs at least one node');
  ensure(nodes.length <= MAX_CLUSTER_NODES, `at most ${MAX_CLUSTER_NODES} nodes`);
  const encodedNodes = nodes.map(encodeNode);
  const ids = new Set<string>();
  for (const node of nodes) {
    ensure(!ids.has(node.nodeId), `duplicate nodeId '${node.nodeId}'`);
    ids.add(node.nodeId);
  }
  return concatBytes(
    MAGIC,
    u64(u64Field(input.seq, 'seq')),
    u64(u64Field(input.exp, 'exp')),
    operatorSpk,
    Uint8Array.of(name.length),
    name,
    Uint8Array.of(nodes.length),
    ...encodedNodes,
  );
}

/**
 * Signs a manifest with the operator's 32-byte Ed25519 seed and returns the
 * TXT value.
 *
 * @throws DmpEncodeError on forbidden fields, a declared `operatorSpk` that
 *   is not the seed's key, or a value over 1200 bytes.
 */
export function signClusterManifest(input: ClusterManifestInput, operatorSeed: Uint8Array): string {
  fixedBytes(operatorSeed, 32, 'operator seed');
  const operatorSpk = ed25519PublicKey(operatorSeed);
  if (input.operatorSpk !== undefined) {
    ensure(bytesEqual(input.operatorSpk, operatorSpk), 'signing key does not match operatorSpk');
  }
  const body = encodeClusterManifestBody(input, operatorSpk);
  return encodeOperatorWire(CLUSTER_RECORD_PREFIX, body, signEd25519(operatorSeed, body));
}

function decodeNode(reader: ByteReader): ParseResult<ClusterNode> {
  const idLength = reader.u8();
  if (idLength === undefined) return reject('length', 'truncated before node_id length');
  if (idLength === 0 || idLength > MAX_NODE_ID_BYTES) {
    return reject('structure', `node_id length ${idLength} out of range`);
  }
  const idBytes = reader.take(idLength);
  if (idBytes === undefined) return reject('length', 'truncated node_id');
  const nodeId = decodeAscii(idBytes);
  if (nodeId === undefined) return reject('structure', 'node_id is not ASCII');

  const httpLength = reader.u16();
  if (httpLength === undefined) return reject('length', 'truncated before http_endpoint length');
  if (httpLength === 0 || httpLength > MAX_HTTP_ENDPOINT_BYTES) {
    return reject('structure', `http_endpoint length ${httpLength} out of range`);
  }
  const httpBytes = reader.take(httpLength);
  if (httpBytes === undefined) return reject('length', 'truncated http_endpoint');
  const httpEndpoint = decodeText(httpBytes);
  if (httpEndpoint === undefined) return reject('structure', 'http_endpoint is not UTF-8');

  const dnsLength = reader.u16();
  if (dnsLength === undefined) return reject('length', 'truncated before dns_endpoint length');
  if (dnsLength > MAX_DNS_ENDPOINT_BYTES) {
    return reject('structure', `dns_endpoint length ${dnsLength} out of range`);
  }
  if (dnsLength === 0) return accept({ nodeId, httpEndpoint });
  const dnsBytes = reader.take(dnsLength);
  if (dnsBytes === undefined) return reject('length', 'truncated dns_endpoint');
  const dnsEndpoint = decodeText(dnsBytes);
  if (dnsEndpoint === undefined) return reject('structure', 'dns_endpoint is not UTF-8');
  return accept({ nodeId, httpEndpoint, dnsEndpoint });
}

/**
 * Structural decoding of a manifest body (no signature, key or time checks).
 * Accepts 0..32 nodes; refuses duplicate node ids and trailing bytes.
 */
export function decodeClusterManifestBody(body: Uint8Array): ParseResult<ClusterManifest> {
  if (body.length < FIXED_HEADER_BYTES) return reject('length', 'body shorter than its header');
  const reader = new ByteReader(body);
  if (!bytesEqual(reader.take(MAGIC.length)!, MAGIC)) return reject('structure', 'bad magic');
  const seq = reader.u64()!;
  const exp = reader.u64()!;
  const operatorSpk = Uint8Array.from(reader.take(32)!);
  const name = readNameField(reader, 'cluster_name');
  if (!name.ok) return name;
  const count = reader.u8();
  if (count === undefined) return reject('length', 'truncated before node_count');
  if (count > MAX_CLUSTER_NODES) return reject('structure', `node_count ${count} exceeds 32`);
  const nodes: ClusterNode[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < count; i++) {
    const node = decodeNode(reader);
    if (!node.ok) return node;
    if (ids.has(node.value.nodeId)) {
      return reject('structure', `duplicate node_id '${node.value.nodeId}'`);
    }
    ids.add(node.value.nodeId);
    nodes.push(node.value);
  }
  if (reader.remaining !== 0) return reject('structure', 'trailing bytes after the last node');
  return accept({ clusterName: name.value, operatorSpk, nodes, seq, exp });
}

/**
 * Parses and verifies a cluster manifest TXT value. Order: prefix, 1200-byte
 * cap, strict base64, length, signature under the pinned key (before any
 * body field is trusted), body structure, embedded key = pinned key,
 * `exp ≥ now` (equality is still valid), `exp − now ≤ 5 years`, expected name.
 * Never throws on any `value`.
 */
export function parseAndVerifyClusterManifest(
  value: string,
  options: ClusterManifestVerifyOptions,
): ParseResult<ClusterManifest> {
  const blob = decodeOperatorWire(value, CLUSTER_RECORD_PREFIX, MIN_BLOB_BYTES);
  if (!blob.ok) return blob;
  const pinned = options.operatorSpk;
  if (!(pinned instanceof Uint8Array) || pinned.length !== 32) {
    return reject('signer', 'pinned operator key must be 32 bytes');
  }
  const cut = blob.value.length - SIGNATURE_BYTES;
  const body = blob.value.subarray(0, cut);
  if (!verifyEd25519(pinned, body, blob.value.subarray(cut))) {
    return reject('signature', 'signature does not verify under the pinned operator key');
  }
  const manifest = decodeClusterManifestBody(body);
  if (!manifest.ok) return manifest;
  const { exp, operatorSpk, clusterName } = manifest.value;
  if (!bytesEqual(operatorSpk, pinned)) {
    return reject('signer', 'embedded operator key differs from the pinned key');
  }
  const now = nowSeconds(options.now);
  if (exp < now) return reject('expired', `manifest expired at ${exp}`);
  if (exp - now > MAX_TRUST_RECORD_EXP_FUTURE_SECONDS) {
    return reject('future', 'manifest expiry is more than 5 years away');
  }
  if (
    options.expectedClusterName !== undefined &&
    !dnsNamesEqual(clusterName, options.expectedClusterName)
  ) {
    return reject('name', `manifest is for '${clusterName}'`);
  }
  return manifest;
}

/**
 * The manifest a consumer should use from a `cluster.<name>` RRset: the
 * highest `seq` among the values that verify (the earliest on a tie), or
 * `undefined` when none does. Installing it only when its `seq` beats the
 * one already held is the caller's job.
 */
export function selectClusterManifest(
  values: Iterable<string>,
  options: ClusterManifestVerifyOptions,
): ClusterManifest | undefined {
  return pickHighestSeq(values, (value) => parseAndVerifyClusterManifest(value, options));
}
