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
import { type ByteReader, concatBytes, u16, utf8 } from '../bytes.js';
import { accept, ensure, type ParseResult, reject } from '../result.js';
import {
  decodeOperatorRecordBody,
  encodeOperatorRecordBody,
  type OperatorRecordFrame,
  type OperatorRecordKind,
  verifyOperatorRecord,
} from './operator-record.js';
import {
  decodeAscii,
  decodeText,
  encodeText,
  isAsciiString,
  pickHighestSeq,
} from './operator-wire.js';
import { CLUSTER_RECORD_PREFIX } from './prefixes.js';
import type { U64Input } from './record-fields.js';
import { signWithSeed } from './seed-signing.js';

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

/** The per-node bytes; refuses an empty or oversized list and duplicate ids. */
function encodeNodes(nodes: readonly ClusterNodeInput[]): Uint8Array[] {
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
  return encodedNodes;
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

/** Reads 0..32 nodes, refusing duplicate node ids. */
function readNodes(reader: ByteReader, count: number): ParseResult<ClusterNode[]> {
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
  return accept(nodes);
}

/** The frame's fields under this record's names. */
function toClusterManifest(frame: OperatorRecordFrame<ClusterNode>): ClusterManifest {
  const { name, signerSpk, items, seq, exp } = frame;
  return { clusterName: name, operatorSpk: signerSpk, nodes: items, seq, exp };
}

/** The cluster manifest in the operator-signed frame; the cluster operator signs it. */
const CLUSTER: OperatorRecordKind<ClusterNode, ClusterManifest> = {
  prefix: CLUSTER_RECORD_PREFIX,
  magic: utf8(CLUSTER_MANIFEST_MAGIC),
  noun: 'manifest',
  signer: 'operator',
  nameField: { input: 'clusterName', wire: 'cluster_name' },
  item: 'node',
  readItems: readNodes,
  fromFrame: toClusterManifest,
};

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
  const { clusterName: name, seq, exp } = input;
  return encodeOperatorRecordBody(CLUSTER, { name, seq, exp }, operatorSpk, () =>
    encodeNodes(input.nodes),
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
  return signWithSeed(CLUSTER.prefix, operatorSeed, CLUSTER.signer, input.operatorSpk, (spk) =>
    encodeClusterManifestBody(input, spk),
  );
}

/**
 * Structural decoding of a manifest body (no signature, key or time checks).
 * Accepts 0..32 nodes; refuses duplicate node ids and trailing bytes.
 */
export function decodeClusterManifestBody(body: Uint8Array): ParseResult<ClusterManifest> {
  return decodeOperatorRecordBody(body, CLUSTER);
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
  const { now, operatorSpk: signerSpk, expectedClusterName: expectedName } = options;
  return verifyOperatorRecord(value, CLUSTER, { now, signerSpk, expectedName });
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
