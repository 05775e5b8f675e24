/**
 * `dnsmesh register --node NODE [--subject S] [--scheme …]` (cli spec §5.11):
 * the registration ceremony against `/v1/registration/confirm`; the minted
 * bearer token is saved under the tokens dir for the node's host, where the
 * HTTP writer picks it up. Unlike the reference, a `--node host:port` saves
 * under the bare host (the reference crashes after registering; its writer
 * looks tokens up by host anyway). The token is never printed.
 */
import { toHex } from '../../protocol/bytes.js';
import type { CliConfig } from '../config/fields.js';
import { loadConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { endpointHost, stripPortAndBrackets } from '../endpoint.js';
import { describeError, networkError, userError } from '../errors.js';
import { isoUtc, println } from '../output.js';
import {
  checkChallengeNode,
  confirmFailure,
  fetchChallenge,
  postJson,
  registrationSubject,
  rejectConfirm,
  signedConfirmFields,
} from '../registration.js';
import { registrationNode } from '../registration-target.js';
import { saveToken, tokenHostKey } from '../tokens.js';
import { unlockIdentity } from '../unlock.js';

export interface RegisterOptions {
  node?: string;
  subject?: string;
  scheme?: string;
}

export async function runRegister(ctx: CliContext, opts: RegisterOptions): Promise<number> {
  const config = await loadConfig(ctx.paths);
  if (config.username === '') {
    throw userError(
      `${ctx.paths.configPath} has no username — run \`dnsmesh init <username>\` first`,
    );
  }
  const subject = registrationSubject(config, opts.subject);
  const target = registrationNode(config, opts.node, opts.scheme);
  const host = tokenHostKey(stripPortAndBrackets(target.hostPort));
  if (host === undefined) {
    throw userError(
      `cannot keep a token for ${JSON.stringify(target.label)} — pass a DNS host name as --node`,
    );
  }
  const keys = await unlockIdentity(ctx, config, { tripwire: false });

  const ch = await fetchChallenge(target, target.label);
  checkChallengeNode(ch, target, subject);
  const r = await postJson(
    `${target.base}/v1/registration/confirm`,
    signedConfirmFields(keys, ch, subject),
    'confirm request',
  );
  rejectConfirm(r, subject);
  if (r.status !== 200) confirmFailure('confirm', r);
  const body = (r.body ?? {}) as Record<string, unknown>;
  if (typeof body.token !== 'string' || body.token === '') {
    throw networkError(
      'the node confirmed the registration but returned no token — report this to the operator',
    );
  }
  const expiresAt = typeof body.expires_at === 'number' ? body.expires_at : null;
  let path: string;
  try {
    path = await saveToken(ctx.paths.tokensHome, host, {
      subject: typeof body.subject === 'string' ? body.subject : subject,
      token: body.token,
      expires_at: expiresAt,
      registered_spk: toHex(keys.ed25519Public),
    });
  } catch (err) {
    throw userError(
      `registered, but cannot save the token in ${ctx.paths.tokensHome}: ${describeError(err)} — fix the directory and register again`,
    );
  }
  println(`registered ${subject} on ${host}`, `  token saved to ${path} (mode 0600)`);
  if (expiresAt !== null && expiresAt > 0) println(`  expires at ${isoUtc(expiresAt)}`);
  println(`  ${tokenUse(config, host)}`);
  return 0;
}

/**
 * What the saved token is for, given how this config writes (transports.ts
 * `buildWriter`): a TSIG key sends writes over DNS UPDATE, so the token is
 * not used; an `http_token` in config.yaml wins over a saved token; a
 * saved token is looked up by the endpoint's host.
 */
export function tokenUse(config: CliConfig, host: string): string {
  if (config.tsig_key_name !== '' && config.tsig_secret_hex !== '') {
    return (
      `your writes go over DNS UPDATE with your TSIG key (${config.tsig_key_name}), not over ` +
      'HTTP, so they do not use this token; HTTP publishing uses it when no TSIG key is configured.'
    );
  }
  if (config.http_token !== null && config.http_token !== '') {
    return (
      'http_token in config.yaml is used for HTTP publishing instead of this token — ' +
      "clear it (`dnsmesh config set http_token ''`) to use this one."
    );
  }
  if (tokenHostKey(endpointHost(config.endpoint)) !== host) {
    return (
      `your endpoint (${config.endpoint === '' ? 'not set' : config.endpoint}) is not on ${host}, ` +
      'so HTTP publishing does not use this token; it would with an endpoint there.'
    );
  }
  return `publishes to ${host} over HTTP now use this token automatically.`;
}
