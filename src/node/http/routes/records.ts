/**
 * `/v1/records/{name}` (node spec §4.4): read, publish and delete TXT
 * values over HTTP. Each handler is the spec's chain of checks, in order:
 *
 * * GET: per-IP limit → operator token (when configured) → query.
 * * POST: per-IP limit → write auth → body → value/ttl → caps → RRset cap →
 *   name syntax → served zone → value safety → shared-namespace value →
 *   what the writer holds (`writer-limits.ts`, 403) → publish.
 * * DELETE: per-IP limit → write auth (op delete) → name syntax → served
 *   zone → optional `{"value"}` → value safety → delete.
 */
import { operatorReadAllowed } from '../../auth/operator-token.js';
import { authorizeRecordWrite, type RecordWriteOp } from '../../auth/record-write-auth.js';
import { normalizeOwnerName } from '../../store/normalize.js';
import type { StoreOp } from '../../store/types.js';
import {
  checkWriterLimits,
  DEFAULT_WRITER_LIMITS,
  subjectWriter,
  type WriterVerdict,
} from '../../writer-limits.js';
import { isJsonObject } from '../body.js';
import type { RequestContext } from '../context.js';
import { RECORDS_PATH, recordNameFromTarget } from '../record-name.js';
import {
  checkCardinality,
  checkInServedZone,
  checkPublishBody,
  checkRecordName,
  checkRecordValue,
  checkSharedValue,
  isRefusal,
  type Refusal,
} from '../records-checks.js';
import type { Route } from '../router.js';
import type { ApiServices } from '../services.js';

function refuse(ctx: RequestContext, refusal: Refusal | undefined): boolean {
  if (refusal === undefined) return false;
  ctx.error(refusal.status, refusal.error);
  return true;
}

/** Per-IP limiter of the records routes; answers 429 itself. */
function withinIpLimit(s: ApiServices, ctx: RequestContext): boolean {
  if (s.recordsLimiter.allow(ctx.limitKey)) return true;
  ctx.error(429, 'rate limit exceeded');
  return false;
}

/**
 * Write authorisation: the writer the write is charged to ('' for the
 * operator and open mode, see `writer-limits.ts`), or `undefined` after
 * answering 401/429 itself.
 */
function writeAllowed(
  s: ApiServices,
  ctx: RequestContext,
  name: string,
  op: RecordWriteOp,
): string | undefined {
  const decision = authorizeRecordWrite(
    {
      authMode: s.config.authMode,
      operatorToken: s.config.operatorToken,
      tokens: s.tokens,
      tokenBuckets: s.tokenBuckets,
      audit: s.tokenAudit,
    },
    { authorization: ctx.authorization, name, op, remoteAddr: ctx.ip, now: s.clock.now() },
  );
  if (decision.ok) return decision.via === 'user' ? subjectWriter(decision.subject) : '';
  if (decision.status === 429) ctx.error(429, 'per-token rate limit exceeded');
  else ctx.error(401, 'unauthorized');
  return undefined;
}

async function getRecord(s: ApiServices, ctx: RequestContext): Promise<void> {
  const name = recordNameFromTarget(ctx.rawPath)!;
  if (!withinIpLimit(s, ctx)) return;
  if (!operatorReadAllowed(ctx.authorization, s.config.operatorToken)) {
    ctx.error(401, 'unauthorized');
    return;
  }
  const values = s.records.query(name, s.clock.now());
  ctx.json(values.length > 0 ? 200 : 404, { name, values: [...values] });
}

async function publishRecord(s: ApiServices, ctx: RequestContext): Promise<void> {
  const name = recordNameFromTarget(ctx.rawPath)!;
  if (!withinIpLimit(s, ctx)) return;
  const writer = writeAllowed(s, ctx, name, 'publish');
  if (writer === undefined) return;
  const body = await ctx.readJson();
  if (!body.ok || !isJsonObject(body.value)) {
    ctx.error(400, 'invalid body');
    return;
  }
  const input = checkPublishBody(body.value, s.config.caps);
  if (isRefusal(input)) {
    refuse(ctx, input);
    return;
  }
  const now = s.clock.now();
  const existing = s.records.query(name, now);
  if (refuse(ctx, checkCardinality(name, existing, input.value, s.config.caps.maxValuesPerName))) {
    return;
  }
  if (
    refuse(ctx, checkRecordName(name)) ||
    refuse(ctx, checkInServedZone(name, servedZone(s))) ||
    refuse(ctx, checkRecordValue(input.value)) ||
    // Registrants (user tokens) only; the operator writes as the reference lets it.
    (writer !== '' && refuse(ctx, checkSharedValue(name, input.value, now)))
  ) {
    return;
  }
  const ops: StoreOp[] = [
    { kind: 'add', name: normalizeOwnerName(name), value: input.value, ttl: input.ttl, writer },
  ];
  const limits = s.config.caps.writerLimits ?? DEFAULT_WRITER_LIMITS;
  let held: WriterVerdict = 'ok';
  try {
    const write = () => {
      held = checkWriterLimits(ops, writer, limits, s.records, now);
      if (held === 'ok') s.records.apply(ops, now);
    };
    if (s.records.atomically !== undefined) s.records.atomically(write);
    else write();
  } catch (err) {
    // A full or failing store is the backend's problem, not the client's.
    s.log.error({ err: errorText(err), name }, 'record publish failed');
    ctx.json(502, { ok: false });
    return;
  }
  if (held !== 'ok') {
    ctx.error(403, WRITER_REFUSALS[held]);
    return;
  }
  ctx.json(201, { ok: true });
}

async function deleteRecord(s: ApiServices, ctx: RequestContext): Promise<void> {
  const name = recordNameFromTarget(ctx.rawPath)!;
  if (!withinIpLimit(s, ctx) || writeAllowed(s, ctx, name, 'delete') === undefined) return;
  if (refuse(ctx, checkRecordName(name)) || refuse(ctx, checkInServedZone(name, servedZone(s)))) {
    return;
  }
  const body = await ctx.readJson();
  if (!body.ok || !isJsonObject(body.value)) {
    // Deliberate deviation: the reference treats an unparseable, oversized
    // or non-object body as `{}` and wipes the whole RRset, so one typo
    // deletes every value. Only an empty body (or `{}`) means "the RRset".
    ctx.error(400, 'invalid body');
    return;
  }
  const fields = body.value;
  const value = Object.hasOwn(fields, 'value') ? fields.value : undefined;
  if (value !== undefined && value !== null && refuse(ctx, checkRecordValue(value))) return;
  const removed = s.records.delete(name, typeof value === 'string' ? value : undefined);
  ctx.empty(removed ? 204 : 404);
}

const WRITER_REFUSALS = {
  'writer-quota': 'writer quota exceeded: this subject holds too many records on this node',
  'writer-rrset': 'this subject holds too many values at this name',
} as const;

function servedZone(s: ApiServices): string {
  return s.config.registration.policy.servedZone;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** GET, POST and DELETE of `/v1/records/{name}`. */
export function recordRoutes(s: ApiServices): Route[] {
  const match = { pattern: RECORDS_PATH };
  return [
    { name: 'records-get', methods: ['GET'], match, handle: (ctx) => getRecord(s, ctx) },
    { name: 'records-publish', methods: ['POST'], match, handle: (ctx) => publishRecord(s, ctx) },
    { name: 'records-delete', methods: ['DELETE'], match, handle: (ctx) => deleteRecord(s, ctx) },
  ];
}
