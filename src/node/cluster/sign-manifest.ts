/**
 * Signing a cluster manifest for the operator (`dnsmesh-node cluster
 * sign`; node spec §5.1, §5.3, §5.8): node specs from the command line, the
 * next seq after a previous manifest file, the signature by the operator's
 * Ed25519 seed, a check that the result verifies as a consumer will check
 * it, and the file text the node reads (`DMP_CLUSTER_FILE`).
 */
import { toHex } from '../../protocol/bytes.js';
import { ed25519PublicKey } from '../../protocol/crypto/ed25519.js';
import {
  type ClusterManifest,
  type ClusterNodeInput,
  parseAndVerifyClusterManifest,
  signClusterManifest,
} from '../../protocol/records/cluster-manifest.js';
import { decodeClusterManifestStructure, wireFromClusterText } from './manifest-source.js';

/** Longest lifetime a consumer accepts (§5.1: `exp − now ≤ 5 years`). */
export const MAX_MANIFEST_DAYS = 1825;
/** Largest seq (u64). */
const MAX_SEQ = 2n ** 64n - 1n;

/**
 * A `--node` value: `id=ID,http=URL[,dns=HOST:PORT]` (keys in any order).
 *
 * @throws Error naming what is wrong.
 */
export function parseNodeSpec(spec: string): ClusterNodeInput {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (!['id', 'http', 'dns'].includes(key) || eq < 0) {
      throw new Error(`--node '${spec}': expected id=ID,http=URL[,dns=HOST:PORT]`);
    }
    if (fields.has(key)) throw new Error(`--node '${spec}': ${key} given twice`);
    fields.set(key, part.slice(eq + 1).trim());
  }
  const nodeId = fields.get('id');
  const httpEndpoint = fields.get('http')?.replace(/\/+$/, '');
  if (!nodeId) throw new Error(`--node '${spec}': id= is required`);
  if (!httpEndpoint) throw new Error(`--node '${spec}': http= is required`);
  if (!/^https?:\/\/[^/\s]+/i.test(httpEndpoint)) {
    throw new Error(`--node '${spec}': http= must be an http:// or https:// base URL`);
  }
  const dns = fields.get('dns');
  if (dns !== undefined && !/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(dns)) {
    throw new Error(`--node '${spec}': dns= must be HOST:PORT`);
  }
  return { nodeId, httpEndpoint, dnsEndpoint: dns || undefined };
}

/** The seq of the manifest in a previous file's text, or why there is none. */
export function previousSeq(text: string): bigint | string {
  const file = wireFromClusterText(text);
  if (file.kind !== 'wire') return 'it holds no cluster manifest';
  const m = decodeClusterManifestStructure(file.wire);
  return typeof m === 'string' ? `its manifest does not decode (${m})` : m.seq;
}

export interface SignRequest {
  /** The operator's 32-byte Ed25519 seed. */
  readonly seed: Uint8Array;
  readonly clusterName: string;
  readonly nodes: readonly ClusterNodeInput[];
  readonly seq: bigint;
  /** Lifetime in days (1..1825). */
  readonly days: number;
  /** Unix seconds. */
  readonly now: number;
}

export interface SignedManifest {
  readonly wire: string;
  readonly manifest: ClusterManifest;
  /** The operator public key in hex: `DMP_SYNC_OPERATOR_SPK`. */
  readonly operatorSpkHex: string;
  /** What the node reads from `DMP_CLUSTER_FILE`: the wire and a line break. */
  readonly fileText: string;
}

/**
 * Signs and re-verifies a manifest.
 *
 * @throws Error (or `DmpEncodeError`) on a field the protocol refuses.
 */
export function signManifest(r: SignRequest): SignedManifest {
  if (!Number.isInteger(r.days) || r.days < 1 || r.days > MAX_MANIFEST_DAYS) {
    throw new Error(`--days must be 1..${MAX_MANIFEST_DAYS} (consumers refuse more than 5 years)`);
  }
  if (r.seq < 1n || r.seq > MAX_SEQ) throw new Error('--seq must be 1..2^64-1');
  const exp = BigInt(Math.floor(r.now) + r.days * 86_400);
  const wire = signClusterManifest(
    { clusterName: r.clusterName, nodes: r.nodes, seq: r.seq, exp },
    r.seed,
  );
  const operatorSpk = ed25519PublicKey(r.seed);
  // The check every consumer makes, so a manifest nobody would install is never written.
  const verified = parseAndVerifyClusterManifest(wire, {
    now: r.now,
    operatorSpk,
    expectedClusterName: r.clusterName,
  });
  if (!verified.ok) throw new Error(`the signed manifest does not verify: ${verified.detail}`);
  return {
    wire,
    manifest: verified.value,
    operatorSpkHex: toHex(operatorSpk),
    fileText: `${wire}\n`,
  };
}
