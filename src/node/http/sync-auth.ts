/**
 * The gate in front of every `/v1/sync/*` route (node spec §4.6): the
 * per-IP HTTP limit first (429), then the cluster's sync token
 * (`DMP_SYNC_PEER_TOKEN`), compared in constant time on the whole
 * `Authorization: Bearer <token>` header. With no token configured the
 * routes are closed: always 403 `{"error": "forbidden"}`.
 */
import { BEARER_PREFIX, secretEquals } from '../auth/operator-token.js';
import type { RequestContext } from './context.js';

/** What the gate needs. */
export interface SyncGateOptions {
  /** `DMP_SYNC_PEER_TOKEN`; undefined or '' closes the routes. */
  readonly token: string | undefined;
  /** The per-client limiter of the sync routes (`DMP_SYNC_HTTP_RATE`); false = answer 429. */
  readonly allow: (limitKey: string) => boolean;
}

/** True when the request may proceed; otherwise it has been answered (429 or 403). */
export function passSyncGate(o: SyncGateOptions, ctx: RequestContext): boolean {
  if (!o.allow(ctx.limitKey)) {
    ctx.error(429, 'rate limit exceeded');
    return false;
  }
  if (!o.token || !secretEquals(ctx.authorization ?? '', BEARER_PREFIX + o.token)) {
    ctx.error(403, 'forbidden');
    return false;
  }
  return true;
}
