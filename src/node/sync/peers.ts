/**
 * Who a node syncs with (node spec §5.4 "Peer list"): `DMP_SYNC_PEERS`
 * when set, else the cluster file — a manifest wire, `{"wire": …}` (both
 * parsed structurally, no signature check: the operator who placed the file
 * is the trust anchor) or `{"nodes": [{"node_id", "http_endpoint"}]}`.
 * The node itself is dropped by `DMP_NODE_ID` / `DMP_SYNC_SELF_ENDPOINT`.
 *
 * Peer ids are the reference's: a manifest's node id, or for a bare URL
 * `<host, first 9 chars>-<first 6 hex of sha256("<host>:<port><path>")>`.
 * They key the per-peer watermark and label the metrics.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeBase64Strict } from '../../protocol/base64.js';
import { decodeClusterManifestBody } from '../../protocol/records/cluster-manifest.js';
import { CLUSTER_RECORD_PREFIX } from '../../protocol/records/prefixes.js';

/** One peer: its id and HTTP base URL (no trailing slash). */
export interface SyncPeer {
  readonly id: string;
  readonly url: string;
}

/** Where the peers came from, for the start-up log line. */
export interface PeerList {
  readonly peers: readonly SyncPeer[];
  readonly source: string;
  /** Why the cluster file gave nothing, when it was read and did not parse. */
  readonly problem?: string | undefined;
}

/** What the peer list is built from (the `sync` configuration). */
export interface PeerSources {
  readonly peers: readonly string[];
  readonly clusterFile: string;
  readonly nodeId?: string | undefined;
  readonly selfEndpoint?: string | undefined;
}

const MAX_PEER_ID_CHARS = 16;
const ID_HASH_HEX = 6;

const URL_PARTS = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?([^?#]*)/i;

/** The reference's id of a peer known only by URL (Python `urlparse` host, port, path). */
export function peerIdFromUrl(url: string): string {
  const m = URL_PARTS.exec(url.trim());
  let host = m ? m[1]!.replace(/^\[(.*)\]$/, '$1').toLowerCase() : url.trim().toLowerCase();
  const port = m?.[2] ? String(Number(m[2])) : '';
  const path = m?.[3] ?? '';
  if (host === '') host = 'peer';
  const digest = createHash('sha256')
    .update(`${host}:${port === '0' ? '' : port}${path}`, 'utf8')
    .digest('hex')
    .slice(0, ID_HASH_HEX);
  return `${host.slice(0, Math.max(1, MAX_PEER_ID_CHARS - 1 - ID_HASH_HEX))}-${digest}`;
}

const sameEndpoint = (a: string, b: string | undefined): boolean =>
  b !== undefined && stripSlash(a).toLowerCase() === stripSlash(b).toLowerCase();

function stripSlash(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** Peers from a `DMP_SYNC_PEERS` list: trimmed, de-duplicated, self dropped. */
export function peersFromUrls(
  urls: readonly string[],
  self: Pick<PeerSources, 'nodeId' | 'selfEndpoint'> = {},
): SyncPeer[] {
  const seen = new Set<string>();
  const peers: SyncPeer[] = [];
  for (const raw of urls) {
    const url = stripSlash(raw);
    if (url === '' || seen.has(url)) continue;
    seen.add(url);
    const id = peerIdFromUrl(url);
    if (sameEndpoint(url, self.selfEndpoint) || (self.nodeId && id === self.nodeId)) continue;
    peers.push({ id, url });
  }
  return peers;
}

/** Peers from the text of a cluster file; `problem` says why none when it does not parse. */
export function peersFromClusterText(
  text: string,
  self: Pick<PeerSources, 'nodeId' | 'selfEndpoint'> = {},
): { peers: SyncPeer[]; problem?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { peers: [] };
  let nodes: { nodeId: unknown; httpEndpoint: unknown }[];
  if (trimmed.startsWith(CLUSTER_RECORD_PREFIX)) {
    const parsed = nodesFromWire(trimmed);
    if (typeof parsed === 'string') return { peers: [], problem: parsed };
    nodes = parsed;
  } else {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      return { peers: [], problem: 'neither a manifest wire nor JSON' };
    }
    const obj = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
    if (typeof obj.wire === 'string') {
      const parsed = nodesFromWire(obj.wire);
      if (typeof parsed === 'string') return { peers: [], problem: parsed };
      nodes = parsed;
    } else if (Array.isArray(obj.nodes)) {
      nodes = obj.nodes
        .filter((n): n is Record<string, unknown> => typeof n === 'object' && n !== null)
        .map((n) => ({ nodeId: n.node_id, httpEndpoint: n.http_endpoint }));
    } else {
      return { peers: [], problem: 'no "wire" or "nodes" in the JSON' };
    }
  }
  const peers: SyncPeer[] = [];
  const ids = new Set<string>();
  for (const { nodeId, httpEndpoint } of nodes) {
    if (typeof nodeId !== 'string' || typeof httpEndpoint !== 'string') continue;
    if (self.nodeId && nodeId === self.nodeId) continue;
    if (sameEndpoint(httpEndpoint, self.selfEndpoint)) continue;
    if (ids.has(nodeId)) continue;
    ids.add(nodeId);
    peers.push({ id: nodeId, url: stripSlash(httpEndpoint) });
  }
  return { peers };
}

/** Node entries of a manifest wire (structure only), or why not. */
function nodesFromWire(wire: string): { nodeId: string; httpEndpoint: string }[] | string {
  if (!wire.startsWith(CLUSTER_RECORD_PREFIX)) return 'the wire is not a cluster manifest';
  const blob = decodeBase64Strict(wire.slice(CLUSTER_RECORD_PREFIX.length));
  if (blob === undefined) return 'the manifest is not valid base64';
  if (blob.length < 64 + 7) return 'the manifest is too short';
  const body = decodeClusterManifestBody(blob.subarray(0, blob.length - 64));
  if (!body.ok) return `the manifest does not parse: ${body.detail}`;
  return body.value.nodes.map((n) => ({ nodeId: n.nodeId, httpEndpoint: n.httpEndpoint }));
}

/** The peer list: `DMP_SYNC_PEERS` if it names any, else the cluster file (if it exists). */
export function loadPeers(sources: PeerSources): PeerList {
  if (sources.peers.length > 0) {
    return { peers: peersFromUrls(sources.peers, sources), source: 'DMP_SYNC_PEERS' };
  }
  let text: string;
  try {
    text = readFileSync(sources.clusterFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      peers: [],
      source: sources.clusterFile,
      ...(code === 'ENOENT' ? {} : { problem: `unreadable (${code ?? String(err)})` }),
    };
  }
  const { peers, problem } = peersFromClusterText(text, sources);
  return { peers, source: sources.clusterFile, problem };
}

/**
 * The old peer whose watermark `next` keeps when the peer list is replaced
 * (node spec §5.6 step 4): the one with the same id and endpoint, else one
 * at the same endpoint whose id was synthesized from its URL (a
 * `DMP_SYNC_PEERS` entry that a manifest now names). Undefined ⇒ `next`
 * starts again from `0::`.
 */
export function watermarkDonor(old: readonly SyncPeer[], next: SyncPeer): SyncPeer | undefined {
  return (
    old.find((p) => p.id === next.id && p.url === next.url) ??
    old.find((p) => p.url === next.url && p.id === peerIdFromUrl(p.url))
  );
}
