/**
 * Self-service registration routes (node spec §4.5):
 *
 * * `GET /v1/registration/challenge` — a fresh single-use challenge;
 * * `POST /v1/registration/confirm` — a bearer token for the records API;
 * * `POST /v1/registration/tsig-confirm` — a TSIG key for DNS UPDATE.
 *
 * All three exist only when registration is enabled, the node is in
 * multi-tenant mode with a token store, and a node hostname is configured
 * (otherwise 404, so a disabled node does not even advertise them). They
 * share one per-IP bucket: a full registration costs two tokens.
 */

import { toHex } from '../../../protocol/bytes.js';
import { RegistrationError } from '../../registration/errors.js';
import type { RegistrationDeps } from '../../registration/policy.js';
import type { JsonObject } from '../../registration/signed-request.js';
import { registerToken } from '../../registration/token-registration.js';
import { registerTsigKey } from '../../registration/tsig-registration.js';
import { isJsonObject } from '../body.js';
import type { RequestContext } from '../context.js';
import type { JsonValue } from '../json-text.js';
import type { Route } from '../router.js';
import type { ApiServices } from '../services.js';

/** Version field of the challenge response. */
const CHALLENGE_VERSION = 1;

function registrationEnabled(s: ApiServices): boolean {
  return (
    s.config.registration.enabled &&
    s.config.authMode === 'multi-tenant' &&
    s.tokens !== undefined &&
    s.config.registration.policy.nodeHostname !== ''
  );
}

/** Gate shared by the three routes (404 when off, then the shared bucket); answers itself. */
function admitted(s: ApiServices, ctx: RequestContext, tsig = false): boolean {
  if (!registrationEnabled(s)) {
    ctx.error(404, 'not found');
    return false;
  }
  if (tsig && (!s.config.updateEnabled || s.tsigKeys === undefined)) {
    ctx.error(404, 'tsig registration disabled');
    return false;
  }
  // Per client first, so one client's burst cannot drain the node's budget.
  if (!s.registrationLimiter.allow(ctx.limitKey) || !s.registrationGlobal.allow('')) {
    ctx.error(429, 'registration rate limit exceeded');
    return false;
  }
  return true;
}

function issueChallenge(s: ApiServices, ctx: RequestContext): void {
  if (!admitted(s, ctx)) return;
  const node = s.config.registration.policy.nodeHostname;
  const challenge = s.challenges.issue(node, s.clock.now());
  ctx.json(200, {
    challenge: challenge.challengeHex,
    node: challenge.node,
    expires_at: challenge.expiresAt,
    server_x25519_pub: toHex(challenge.serverX25519Public),
    version: CHALLENGE_VERSION,
  });
}

/** Reads the JSON object body, or answers 400 `invalid body`. */
async function confirmBody(ctx: RequestContext): Promise<JsonObject | undefined> {
  const body = await ctx.readJson();
  if (body.ok && isJsonObject(body.value)) return body.value;
  ctx.error(400, 'invalid body');
  return undefined;
}

/** Runs a ceremony, mapping its refusals to their statuses and anything else to 500. */
function runCeremony(
  s: ApiServices,
  ctx: RequestContext,
  route: string,
  ceremony: () => JsonValue,
): void {
  let response: JsonValue;
  try {
    response = ceremony();
  } catch (err) {
    if (err instanceof RegistrationError) {
      s.log.info(
        { route, ip: ctx.ip, status: err.status, reason: err.message },
        'registration refused',
      );
      ctx.error(err.status, err.message);
      return;
    }
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    s.log.error({ route, ip: ctx.ip, err: detail }, 'registration failed');
    ctx.error(500, 'internal error');
    return;
  }
  ctx.json(200, response);
}

function ceremonyDeps(s: ApiServices): RegistrationDeps {
  return { challenges: s.challenges, tokens: s.tokens!, tsigKeys: s.tsigKeys, random: s.random };
}

async function confirmToken(s: ApiServices, ctx: RequestContext): Promise<void> {
  if (!admitted(s, ctx)) return;
  const body = await confirmBody(ctx);
  if (body === undefined) return;
  runCeremony(s, ctx, 'confirm', () => {
    const issued = registerToken(
      ceremonyDeps(s),
      s.config.registration.policy,
      body,
      s.clock.now(),
    );
    s.log.info(
      { subject: issued.subject, expiresAt: issued.expiresAt },
      'registration: token issued',
    );
    return {
      token: issued.token,
      subject: issued.subject,
      expires_at: issued.expiresAt,
      rate_per_sec: issued.ratePerSec,
      rate_burst: issued.rateBurst,
    };
  });
}

async function confirmTsig(s: ApiServices, ctx: RequestContext): Promise<void> {
  if (!admitted(s, ctx, true)) return;
  const body = await confirmBody(ctx);
  if (body === undefined) return;
  runCeremony(s, ctx, 'tsig-confirm', () => {
    const key = registerTsigKey(ceremonyDeps(s), s.config.registration.policy, body, s.clock.now());
    s.log.info(
      { subject: key.subject, keyName: key.name, scope: key.allowedSuffixes },
      'registration: TSIG key minted',
    );
    return {
      tsig_key_name: key.name,
      tsig_secret_hex: key.secretHex,
      tsig_algorithm: key.algorithm,
      allowed_suffixes: [...key.allowedSuffixes],
      subject: key.subject,
      zone: key.zone,
      expires_at: key.expiresAt,
    };
  });
}

/** The challenge and the two confirm routes. */
export function registrationRoutes(s: ApiServices): Route[] {
  return [
    {
      name: 'registration-challenge',
      methods: ['GET'],
      match: { exact: '/v1/registration/challenge' },
      handle: (ctx) => issueChallenge(s, ctx),
    },
    {
      name: 'registration-confirm',
      methods: ['POST'],
      match: { path: '/v1/registration/confirm' },
      handle: (ctx) => confirmToken(s, ctx),
    },
    {
      name: 'registration-tsig-confirm',
      methods: ['POST'],
      match: { path: '/v1/registration/tsig-confirm' },
      handle: (ctx) => confirmTsig(s, ctx),
    },
  ];
}
