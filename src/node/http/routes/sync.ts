/**
 * Cluster sync routes (node spec §4.6), what peers' anti-entropy workers
 * read: `GET /v1/sync/digest` pages through (name, value hash, stored_ts,
 * ttl) in strict (stored_ts, name, value_hash) order, `POST /v1/sync/pull`
 * returns the values at up to 256 names. Both: per-IP HTTP limit (429) →
 * sync token (403 when none is configured or it does not match) → request
 * checks (400, the reference's strings) → answer.
 *
 * `GET /v1/sync/cluster-manifest` is not served here.
 */
import { parsePythonInt, pythonStrip } from '../../../protocol/records/python-text.js';
import { BEARER_PREFIX, secretEquals } from '../../auth/operator-token.js';
import { normalizeOwnerName } from '../../store/normalize.js';
import type { RecordSyncSource, SyncCursor, SyncRow } from '../../store/types.js';
import { CURSOR_START, formatCursor, parseCursor } from '../../sync/cursor.js';
import { isJsonObject } from '../body.js';
import type { RequestContext } from '../context.js';
import type { JsonValue } from '../json-text.js';
import type { Route } from '../router.js';

export const SYNC_DIGEST_PATH = '/v1/sync/digest';
export const SYNC_PULL_PATH = '/v1/sync/pull';
/** Digest page size when the caller gives none. */
export const DIGEST_DEFAULT_LIMIT = 1000;
/** Larger requested pages are silently clamped to this. */
export const DIGEST_MAX_LIMIT = 10_000;
/** Names per pull request; more is a 400. */
export const PULL_MAX_NAMES = 256;

/** What the sync routes are built from. */
export interface SyncRouteOptions {
  readonly records: RecordSyncSource;
  /** `DMP_SYNC_PEER_TOKEN`; undefined or '' = the routes always answer 403. */
  readonly token: string | undefined;
  /** Wall clock, Unix seconds. */
  readonly now: () => number;
  /** The per-client limiter of the sync routes (`DMP_SYNC_HTTP_RATE`); false = answer 429. */
  readonly allow: (limitKey: string) => boolean;
}

/** The reference's legacy `since=<ms>` cursor: strictly after that millisecond. */
function sinceCursor(since: bigint): SyncCursor {
  return { ts: since, name: '\u00ff', hash: 'g' };
}

/** A query parameter as Python's `parse_qs` sees it: blank values dropped, first one wins. */
function queryParam(params: URLSearchParams, key: string): string | undefined {
  return params.getAll(key).find((v) => v !== '');
}

function gate(o: SyncRouteOptions, ctx: RequestContext): boolean {
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

function ttlLeft(row: SyncRow, now: number): number {
  return Math.max(1, row.expiresAt - now);
}

function digest(o: SyncRouteOptions, ctx: RequestContext): void {
  if (!gate(o, ctx)) return;
  const q = ctx.rawPath.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : ctx.rawPath.slice(q + 1));
  let cursor = CURSOR_START;
  const cursorText = queryParam(params, 'cursor');
  const sinceText = queryParam(params, 'since');
  if (cursorText !== undefined) {
    const parsed = parseCursor(cursorText);
    if (parsed === undefined) {
      ctx.error(400, "cursor must be '<ts>:<name>:<value_hash>'");
      return;
    }
    cursor = parsed;
  } else if (sinceText !== undefined) {
    const since = parsePythonInt(sinceText);
    if (since === undefined) {
      ctx.error(400, 'since must be an integer');
      return;
    }
    if (since < 0n) {
      ctx.error(400, 'since must be >= 0');
      return;
    }
    cursor = sinceCursor(since);
  }
  const limitText = queryParam(params, 'limit');
  let limit = DIGEST_DEFAULT_LIMIT;
  if (limitText !== undefined) {
    const parsed = parsePythonInt(limitText);
    if (parsed === undefined) {
      ctx.error(400, 'limit must be an integer');
      return;
    }
    if (parsed <= 0n) {
      ctx.error(400, 'limit must be > 0');
      return;
    }
    limit = parsed > BigInt(DIGEST_MAX_LIMIT) ? DIGEST_MAX_LIMIT : Number(parsed);
  }
  const now = o.now();
  const rows = o.records.digestAfter(cursor, limit + 1, now);
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const records: JsonValue[] = page.map((r) => ({
    name: r.name,
    hash: r.valueHash,
    ts: r.storedTs,
    ttl: ttlLeft(r, now),
  }));
  const last = page.at(-1);
  const next =
    last === undefined
      ? cursor
      : { ts: BigInt(last.storedTs), name: last.name, hash: last.valueHash };
  ctx.json(200, { records, has_more: hasMore, next_cursor: formatCursor(next) });
}

async function pull(o: SyncRouteOptions, ctx: RequestContext): Promise<void> {
  if (!gate(o, ctx)) return;
  const body = await ctx.readJson();
  if (!body.ok) {
    ctx.error(400, 'invalid body');
    return;
  }
  const names = isJsonObject(body.value) ? body.value.names : undefined;
  if (!Array.isArray(names)) {
    ctx.error(400, 'names must be a list');
    return;
  }
  if (names.length > PULL_MAX_NAMES) {
    ctx.error(400, `at most ${PULL_MAX_NAMES} names per request`);
    return;
  }
  const wanted = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string') {
      ctx.error(400, 'names must be strings');
      return;
    }
    wanted.add(normalizeOwnerName(pythonStrip(n).replace(/\.+$/, '')));
  }
  const now = o.now();
  const rows = o.records.liveRowsAt([...wanted], now);
  ctx.json(200, {
    records: rows.map((r) => ({ name: r.name, value: r.value, ttl: ttlLeft(r, now) })),
  });
}

/** `GET /v1/sync/digest` and `POST /v1/sync/pull` (query strings ignored for matching). */
export function syncRoutes(options: SyncRouteOptions): Route[] {
  return [
    {
      name: 'sync-digest',
      methods: ['GET'],
      match: { path: SYNC_DIGEST_PATH },
      handle: (ctx) => digest(options, ctx),
    },
    {
      name: 'sync-pull',
      methods: ['POST'],
      match: { path: SYNC_PULL_PATH },
      handle: (ctx) => pull(options, ctx),
    },
  ];
}
