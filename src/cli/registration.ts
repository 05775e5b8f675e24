/**
 * The client half of the self-service registration ceremony (node spec
 * §4.5), shared by `register` (bearer token) and `tsig register` (TSIG
 * key): GET a challenge, sign `challenge ‖ subject ‖ node ‖ 0x01` with the
 * identity's Ed25519 key, POST the confirm.
 *
 * Unlike the reference, the subject is signed in its canonical form
 * (NFKC, stripped, lower-case) — the node verifies that form, so the
 * reference's `Alice@Example.com` gets 401 while this succeeds.
 */
import { concatBytes, fromHex, toHex, tryFromHex, utf8 } from '../protocol/bytes.js';
import { signEd25519 } from '../protocol/crypto/ed25519.js';
import type { IdentityKeys } from '../protocol/crypto/identity.js';
import { pythonStrip } from '../protocol/records/python-text.js';
import { type CliConfig, effectiveDomain } from './config/fields.js';
import { nodeHostArg, stripPortAndBrackets } from './endpoint.js';
import { describeError, networkError, userError } from './errors.js';
import {
  HttpBodyTooLargeError,
  type HttpRequestInit,
  MAX_RESPONSE_BODY_BYTES,
  NotHttpsError,
  nodeHttpFetch,
} from './node-http-fetch.js';

/** Per-request budget, as the reference. */
export const REGISTRATION_TIMEOUT_MS = 10_000;
/** Most octets of a registration answer read (a real one is under 2 KiB). */
export const REGISTRATION_MAX_BODY_BYTES = MAX_RESPONSE_BODY_BYTES;

const SUBJECT_SHAPE =
  /^[a-z0-9][a-z0-9._+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** The node's view of a subject: NFKC, stripped, lower-case `local@fqdn`; exit 1 otherwise. */
export function canonicalSubject(raw: string): string {
  const s = pythonStrip(raw.normalize('NFKC')).toLowerCase();
  if (!SUBJECT_SHAPE.test(s)) {
    throw userError(
      `subject ${JSON.stringify(raw)} is not a valid user@domain (ASCII letters, digits and ._+- ` +
        'before the @, a dotted domain after) — pass --subject user@your.domain',
    );
  }
  return s;
}

/** `--subject`, else `<username>@<effective domain>`, canonicalised. */
export function registrationSubject(config: CliConfig, subject: string | undefined): string {
  return canonicalSubject(subject ?? `${config.username}@${effectiveDomain(config)}`);
}

/** Where the ceremony runs. */
export interface NodeTarget {
  /** `host[:port]` from `--node`. */
  readonly hostPort: string;
  /** `<scheme>://<host[:port]>`. */
  readonly base: string;
}

export function nodeTarget(node: string, scheme: string): NodeTarget {
  const hostPort = nodeHostArg(node);
  if (hostPort === '') throw userError('--node must name a host, e.g. --node dmp.example.com');
  return { hostPort, base: `${scheme}://${hostPort}` };
}

/** A node's challenge (the fields the client uses). */
export interface Challenge {
  readonly challenge: string;
  readonly node: string;
  readonly server_x25519_pub: string;
  readonly expires_at: number | undefined;
}

/** An HTTP exchange's status and parsed JSON body (undefined when not JSON). */
export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

async function request(url: string, init: HttpRequestInit, what: string): Promise<JsonResponse> {
  const signal = AbortSignal.timeout(REGISTRATION_TIMEOUT_MS);
  let status: number;
  let text: string;
  try {
    const res = await nodeHttpFetch(url, { ...init, signal });
    status = res.status;
    text = await res.text(REGISTRATION_MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof NotHttpsError) {
      throw networkError(
        `${what}: the node at ${err.host} does not speak HTTPS on that port — use an http:// URL ` +
          `(e.g. --node ${err.httpOrigin})`,
        { cause: err },
      );
    }
    if (err instanceof HttpBodyTooLargeError) {
      throw networkError(
        `${what}: the answer from ${url} is larger than ${REGISTRATION_MAX_BODY_BYTES / 1024} KiB ` +
          '(a registration answer is under 2 KiB), so it was not read — check that --node names a DMP node',
        { cause: err },
      );
    }
    const why = signal.aborted
      ? `no response within ${REGISTRATION_TIMEOUT_MS / 1000} s`
      : describeError(err);
    throw networkError(
      `${what}: cannot reach ${url}: ${why} — check --node, --scheme and your network`,
      {
        cause: err,
      },
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status, body, text };
}

/** POSTs a JSON body. */
export function postJson(url: string, payload: unknown, what: string): Promise<JsonResponse> {
  return request(
    url,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    },
    what,
  );
}

function shortBody(r: JsonResponse): string {
  const err = (r.body as { error?: unknown } | undefined)?.error;
  if (typeof err === 'string') return err;
  return r.text.length > 200 ? `${r.text.slice(0, 200)}…` : r.text;
}

/** GETs and validates the challenge; statuses per cli spec §5.11 step 1. */
export async function fetchChallenge(target: NodeTarget, nodeArg: string): Promise<Challenge> {
  const r = await request(
    `${target.base}/v1/registration/challenge`,
    { method: 'GET' },
    'challenge request',
  );
  if (r.status === 404) {
    throw userError(
      `${nodeArg} does not offer registration (404 on /v1/registration/challenge) — the operator must ` +
        'run the node with DMP_REGISTRATION_ENABLED=1 and DMP_AUTH_MODE=multi-tenant',
    );
  }
  if (r.status === 429)
    throw networkError('the node rate-limited registration (429) — try again later');
  if (r.status !== 200) {
    throw networkError(`challenge request failed: HTTP ${r.status}: ${shortBody(r)}`);
  }
  const body = r.body as Record<string, unknown> | undefined;
  const challenge = body?.challenge;
  const node = body?.node;
  if (
    typeof challenge !== 'string' ||
    challenge === '' ||
    typeof node !== 'string' ||
    node === ''
  ) {
    throw networkError(`malformed challenge response from ${target.base}: ${shortBody(r)}`);
  }
  if (tryFromHex(challenge) === undefined) {
    throw networkError(`malformed challenge response from ${target.base}: challenge is not hex`);
  }
  const serverPub = body?.server_x25519_pub;
  const expires = body?.expires_at;
  return {
    challenge,
    node,
    server_x25519_pub: typeof serverPub === 'string' ? serverPub : '',
    expires_at: typeof expires === 'number' ? expires : undefined,
  };
}

/**
 * Refuses to sign for a node other than the one the user asked for. The
 * signed payload names the `node` string the challenge returned; a node
 * that relays another node's challenge (and the user's signature back to
 * it) would otherwise obtain the user's credentials *there*. Accepted: the
 * host given as `--node`, or the subject's own domain or a name under it (a
 * home node calls itself by its zone or a host in it, and may be reached by
 * address).
 *
 * @throws CliError (exit 1) naming both names.
 */
export function checkChallengeNode(ch: Challenge, target: NodeTarget, subject: string): void {
  const bare = (name: string) => name.trim().toLowerCase().replace(/\.+$/, '');
  const named = bare(ch.node);
  const asked = bare(stripPortAndBrackets(target.hostPort));
  const domain = bare(subject.slice(subject.lastIndexOf('@') + 1));
  if (named === asked || named === domain || named.endsWith(`.${domain}`)) return;
  throw userError(
    `the node at ${target.hostPort} asked for a signature for node ${JSON.stringify(ch.node)}, ` +
      `which is neither that host nor in your domain ${domain} — refusing, since a node relaying ` +
      "another node's challenge would obtain your credentials there. Use the node's own name as --node",
  );
}

/** The four fields both confirm routes take. */
export function signedConfirmFields(keys: IdentityKeys, ch: Challenge, subject: string) {
  const payload = concatBytes(
    fromHex(ch.challenge),
    utf8(subject),
    utf8(ch.node),
    Uint8Array.of(1),
  );
  return {
    subject,
    ed25519_spk: toHex(keys.ed25519Public),
    challenge: ch.challenge,
    signature: toHex(signEd25519(keys.ed25519Seed, payload)),
  };
}

/** Maps the confirm statuses both commands share (401/403/409) to exit-1 errors. */
export function rejectConfirm(r: JsonResponse, subject: string): void {
  if (r.status === 401) {
    throw userError(
      `the node rejected the signature (401: ${shortBody(r)}) — usually a different passphrase ` +
        'than the one this identity was created with',
    );
  }
  if (r.status === 403) {
    throw userError(
      `subject ${subject} is not in the node's registration allowlist (403) — ask the operator, ` +
        'or register a subject on a domain the node accepts',
    );
  }
  if (r.status === 409) {
    throw userError(
      `subject ${subject} is already registered to a different key (409) — use the passphrase you ` +
        'registered with, or ask the operator to revoke the old registration',
    );
  }
}

/** The error text of a non-200 confirm that has no specific meaning. */
export function confirmFailure(route: string, r: JsonResponse): never {
  throw networkError(`${route} failed: HTTP ${r.status}: ${shortBody(r)}`);
}
