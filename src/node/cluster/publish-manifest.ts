/**
 * Manifest publication at start (node spec §5.3): the wire in the cluster
 * file is put into the node's own store at `cluster.<cluster name>`, so
 * clients resolving the cluster by DNS and peers asking
 * `/v1/sync/cluster-manifest` find it. Under a pinned operator key the wire
 * must verify; without one it must decode. The TTL is the manifest's own
 * `max(1, exp − now)`, not capped by `DMP_MAX_TTL` (that cap bounds what
 * strangers publish; the manifest is the operator's signed word).
 *
 * Nothing here can stop the node: every outcome is a value and one log line.
 */
import type { Logger } from '../log.js';
import type { RecordStore } from '../store/types.js';
import { checkClusterWire, readClusterFileWire } from './manifest-source.js';

/** Longest TTL given to a structurally parsed (unverified) manifest: the 5-year window of §5.1. */
const MAX_MANIFEST_TTL = 157_680_000;

/** What became of the cluster file. */
export type ManifestPublication =
  | {
      readonly status: 'published';
      readonly name: string;
      readonly ttl: number;
      readonly seq: bigint;
    }
  /** No file, or a file without a manifest (a `{"nodes": …}` peer list): nothing to do. */
  | { readonly status: 'absent' | 'peer-list' }
  /** Unreadable, undecodable, forged, expired or not storable: logged as a warning. */
  | { readonly status: 'refused'; readonly detail: string };

export interface PublishManifestOptions {
  /** The cluster file (`DMP_CLUSTER_FILE`). */
  readonly path: string;
  /** The pinned operator key, when `DMP_SYNC_OPERATOR_SPK` is usable. */
  readonly operatorSpk?: Uint8Array | undefined;
  readonly store: Pick<RecordStore, 'publish'>;
  /** Unix seconds. */
  readonly now: number;
  readonly log: Logger;
}

/** Publishes the cluster file's manifest into the store; never throws. */
export function publishClusterManifestFromFile(o: PublishManifestOptions): ManifestPublication {
  const outcome = publish(o);
  const where = `cluster manifest ${o.path}`;
  switch (outcome.status) {
    case 'published':
      o.log.info(
        { name: outcome.name, seq: outcome.seq.toString(), ttl: outcome.ttl },
        `${where}: published at ${outcome.name} (seq ${outcome.seq}, ` +
          `${o.operatorSpk ? 'verified under DMP_SYNC_OPERATOR_SPK' : 'not verified: no DMP_SYNC_OPERATOR_SPK'})`,
      );
      break;
    case 'refused':
      o.log.warn(`${where}: not published: ${outcome.detail}`);
      break;
    case 'peer-list':
    case 'absent':
      break;
  }
  return outcome;
}

function publish(o: PublishManifestOptions): ManifestPublication {
  const file = readClusterFileWire(o.path);
  if (file.kind === 'absent') return { status: 'absent' };
  if (file.kind === 'unreadable')
    return { status: 'refused', detail: `unreadable (${file.detail})` };
  if (file.kind === 'peer-list') return { status: 'peer-list' };
  if (file.kind === 'malformed') return { status: 'refused', detail: file.detail };
  const checked = checkClusterWire(file.wire, { now: o.now, operatorSpk: o.operatorSpk });
  if (!checked.ok) {
    return {
      status: 'refused',
      detail: o.operatorSpk
        ? `does not verify under DMP_SYNC_OPERATOR_SPK: ${checked.detail}`
        : `malformed: ${checked.detail}`,
    };
  }
  const { clusterName, exp, seq } = checked.manifest;
  const left = exp - BigInt(Math.floor(o.now));
  // Verification refuses a past exp; an unverified one would live one second.
  if (left < 0n) return { status: 'refused', detail: `expired (exp ${exp})` };
  const ttl = Number(
    left > BigInt(MAX_MANIFEST_TTL) ? BigInt(MAX_MANIFEST_TTL) : left < 1n ? 1n : left,
  );
  const name = `cluster.${clusterName}`.toLowerCase();
  try {
    o.store.publish(name, file.wire, ttl, o.now);
  } catch (err) {
    return { status: 'refused', detail: `the store refused it: ${String(err)}` };
  }
  return { status: 'published', name, ttl, seq };
}
