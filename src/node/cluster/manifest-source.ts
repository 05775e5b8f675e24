/**
 * The cluster manifest as a node holds it (node spec §5.1–§5.3): the pinned
 * operator key (`DMP_SYNC_OPERATOR_SPK`), the wire in the cluster file
 * (`DMP_CLUSTER_FILE`: the raw wire or `{"wire": …}`), and how a wire is
 * checked — fully under the pinned key when there is one, structurally
 * (it must still decode as a manifest) when there is none.
 */
import { readFileSync } from 'node:fs';
import { decodeBase64Strict } from '../../protocol/base64.js';
import { tryFromHex } from '../../protocol/bytes.js';
import {
  type ClusterManifest,
  decodeClusterManifestBody,
  parseAndVerifyClusterManifest,
} from '../../protocol/records/cluster-manifest.js';
import { MAX_OPERATOR_WIRE_BYTES } from '../../protocol/records/operator-wire.js';
import { CLUSTER_RECORD_PREFIX } from '../../protocol/records/prefixes.js';

/** Ed25519 signature bytes at the end of the decoded payload. */
const SIGNATURE_BYTES = 64;

/** The pinned operator key, or why the setting is unusable (then treated as unset). */
export type OperatorSpkSetting =
  | { readonly kind: 'unset' }
  | { readonly kind: 'key'; readonly spk: Uint8Array }
  | { readonly kind: 'invalid'; readonly problem: string };

/** Reads `DMP_SYNC_OPERATOR_SPK`: 64 hex characters (surrounding white space ignored). */
export function parseOperatorSpkSetting(hex: string | undefined): OperatorSpkSetting {
  if (hex === undefined || hex.trim() === '') return { kind: 'unset' };
  const text = hex.trim();
  const spk = /^[0-9a-fA-F]{64}$/.test(text) ? tryFromHex(text.toLowerCase()) : undefined;
  if (spk === undefined) {
    return {
      kind: 'invalid',
      problem: 'DMP_SYNC_OPERATOR_SPK is not 64 hex characters; treated as unset',
    };
  }
  return { kind: 'key', spk };
}

/** What the cluster file holds, as far as the manifest is concerned. */
export type ClusterFileWire =
  | { readonly kind: 'absent' }
  | { readonly kind: 'unreadable'; readonly detail: string }
  /** A JSON object without `wire` (a `{"nodes": …}` peer list): no manifest, and no mistake. */
  | { readonly kind: 'peer-list' }
  /** Neither a wire nor JSON, or a `wire` that is not a manifest string. */
  | { readonly kind: 'malformed'; readonly detail: string }
  | { readonly kind: 'wire'; readonly wire: string };

/** The manifest wire in a cluster file's text: the raw wire, or `{"wire": "<wire>"}`. */
export function wireFromClusterText(text: string): ClusterFileWire {
  const raw = text.trim();
  if (raw.startsWith(CLUSTER_RECORD_PREFIX)) return { kind: 'wire', wire: raw };
  if (!raw.startsWith('{')) {
    return {
      kind: 'malformed',
      detail: `neither a manifest wire (${CLUSTER_RECORD_PREFIX}…) nor JSON`,
    };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return { kind: 'malformed', detail: 'not valid JSON' };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { kind: 'malformed', detail: 'JSON that is not an object' };
  }
  const wire = (doc as Record<string, unknown>).wire;
  if (wire === undefined) return { kind: 'peer-list' };
  if (typeof wire !== 'string' || !wire.trim().startsWith(CLUSTER_RECORD_PREFIX)) {
    return { kind: 'malformed', detail: `"wire" is not a ${CLUSTER_RECORD_PREFIX}… string` };
  }
  return { kind: 'wire', wire: wire.trim() };
}

/** Reads the cluster file at `path`; never throws. */
export function readClusterFileWire(path: string): ClusterFileWire {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'unreadable', detail: code ?? String(err) };
  }
  return wireFromClusterText(text);
}

/** A wire that passed {@link checkClusterWire}; `verified` says whether under a pinned key. */
export type CheckedWire =
  | { readonly ok: true; readonly manifest: ClusterManifest; readonly verified: boolean }
  | { readonly ok: false; readonly detail: string };

/**
 * Checks a manifest wire: with `operatorSpk` the full verification of §5.1
 * (signature, embedded key, expiry window, expected name); without it the
 * structure only (prefix, 1200-byte cap, strict base64, a body that
 * decodes) — there is nobody to verify against, and the operator who put
 * the file in place is the trust anchor.
 */
export function checkClusterWire(
  wire: string,
  options: {
    readonly now: number;
    readonly operatorSpk?: Uint8Array | undefined;
    readonly expectedClusterName?: string | undefined;
  },
): CheckedWire {
  if (options.operatorSpk !== undefined) {
    const r = parseAndVerifyClusterManifest(wire, {
      now: options.now,
      operatorSpk: options.operatorSpk,
      expectedClusterName: options.expectedClusterName,
    });
    return r.ok ? { ok: true, manifest: r.value, verified: true } : { ok: false, detail: r.detail };
  }
  const manifest = decodeClusterManifestStructure(wire);
  return typeof manifest === 'string'
    ? { ok: false, detail: manifest }
    : { ok: true, manifest, verified: false };
}

/** A manifest's fields without any signature check, or why it does not decode. */
export function decodeClusterManifestStructure(wire: string): ClusterManifest | string {
  if (!wire.startsWith(CLUSTER_RECORD_PREFIX)) return 'not a cluster manifest wire';
  if (Buffer.byteLength(wire, 'utf8') > MAX_OPERATOR_WIRE_BYTES) {
    return `wire exceeds ${MAX_OPERATOR_WIRE_BYTES} bytes`;
  }
  const blob = decodeBase64Strict(wire.slice(CLUSTER_RECORD_PREFIX.length));
  if (blob === undefined) return 'payload is not strict base64';
  if (blob.length <= SIGNATURE_BYTES) return 'payload too short';
  const body = decodeClusterManifestBody(blob.subarray(0, blob.length - SIGNATURE_BYTES));
  return body.ok ? body.value : `body does not decode: ${body.detail}`;
}
