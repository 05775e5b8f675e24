/**
 * `GET /v1/sync/cluster-manifest` (node spec §4.6): the signed cluster
 * manifest this node holds at `cluster.<base>`, for peers' manifest gossip
 * (§5.6). Per-IP limit (429) → sync token (403) → base domain → candidates.
 *
 * 204 with an empty body when there is no base, the base is not a DNS name,
 * nothing lives at `cluster.<base>`, or no value there is usable. A usable
 * value is a manifest wire that decodes; under a pinned operator key
 * (`DMP_SYNC_OPERATOR_SPK`) it must also verify for the base (§5.1), so a
 * stray higher-seq value can never hide the real one. The highest seq wins
 * (the first stored on a tie): 200 `{"wire", "seq", "exp", "cluster_name"}`.
 */
import { isDnsName, stripTrailingDot } from '../../../protocol/records/dns-name.js';
import { CLUSTER_OWNER_PREFIX } from '../../cluster/cluster-base.js';
import { checkClusterWire } from '../../cluster/manifest-source.js';
import type { RecordStore } from '../../store/types.js';
import type { RequestContext } from '../context.js';
import { toJsonText } from '../json-text.js';
import type { Route } from '../router.js';
import { passSyncGate, type SyncGateOptions } from '../sync-auth.js';

export const CLUSTER_MANIFEST_PATH = '/v1/sync/cluster-manifest';

/** What the route is built from. */
export interface ClusterManifestRouteOptions extends SyncGateOptions {
  readonly records: Pick<RecordStore, 'query'>;
  /** The cluster base domain as of now (see `cluster/cluster-base.ts`), or undefined. */
  readonly base: () => string | undefined;
  /** The pinned operator key, when `DMP_SYNC_OPERATOR_SPK` is usable. */
  readonly operatorSpk?: Uint8Array | undefined;
  /** Wall clock, Unix seconds. */
  readonly now: () => number;
}

/** The manifest the route answers with. */
export interface ServedManifest {
  readonly wire: string;
  readonly seq: bigint;
  readonly exp: bigint;
  readonly clusterName: string;
}

/** The best usable manifest at `cluster.<base>`, or undefined (→ 204). */
export function servedManifest(o: ClusterManifestRouteOptions): ServedManifest | undefined {
  const rawBase = o.base();
  if (rawBase === undefined) return undefined;
  const base = stripTrailingDot(rawBase.trim()).toLowerCase();
  if (!isDnsName(base)) return undefined;
  const now = o.now();
  let best: ServedManifest | undefined;
  for (const wire of o.records.query(`${CLUSTER_OWNER_PREFIX}${base}`, now)) {
    const checked = checkClusterWire(wire, {
      now,
      operatorSpk: o.operatorSpk,
      expectedClusterName: base,
    });
    if (!checked.ok) continue;
    const { seq, exp, clusterName } = checked.manifest;
    if (best === undefined || seq > best.seq) {
      best = { wire, seq, exp, clusterName: stripTrailingDot(clusterName) };
    }
  }
  return best;
}

function handle(o: ClusterManifestRouteOptions, ctx: RequestContext): void {
  if (!passSyncGate(o, ctx)) return;
  const m = servedManifest(o);
  if (m === undefined) {
    ctx.empty(204);
    return;
  }
  // seq and exp are u64: written as exact integers, not through a double.
  const body =
    `{"wire": ${toJsonText(m.wire)}, "seq": ${m.seq}, "exp": ${m.exp}, ` +
    `"cluster_name": ${toJsonText(m.clusterName)}}`;
  ctx.send(200, { 'Content-Type': 'application/json' }, body);
}

/** `GET /v1/sync/cluster-manifest` (query string ignored for matching). */
export function clusterManifestRoutes(options: ClusterManifestRouteOptions): Route[] {
  return [
    {
      name: 'sync-cluster-manifest',
      methods: ['GET'],
      match: { path: CLUSTER_MANIFEST_PATH },
      handle: (ctx) => handle(options, ctx),
    },
  ];
}
