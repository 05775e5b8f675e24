/**
 * `dnsmesh tsig register --node NODE …` (cli spec §5.12): the registration
 * ceremony against `/v1/registration/tsig-confirm`, proving possession of
 * the X25519 key too (so the minted key's scope covers the user's mailbox),
 * then the key goes into config.yaml exactly where the reference keeps it
 * (`tsig_*` fields; plaintext, file mode 0600). From then on every write
 * is a TSIG-signed DNS UPDATE. The secret is never printed.
 */
import { fromHex, toHex, tryFromHex } from '../../protocol/bytes.js';
import { registrationProof } from '../../protocol/crypto/registration-pop.js';
import { loadConfig, saveConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
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
import { registrationNode, updateTarget } from '../registration-target.js';
import { unlockIdentity } from '../unlock.js';

const DNS_TARGET_HOW = {
  given: 'as given',
  'init probe': 'the node DNS endpoint init found',
  'probed now': 'a DMP node answered there',
  'default port': 'no DMP node answered on 5353 or 53; pass --dns-port if this is wrong',
} as const;

export interface TsigRegisterOptions {
  node?: string;
  subject?: string;
  scheme?: string;
  dnsServer?: string;
  dnsPort?: number;
}

interface TsigGrant {
  readonly name: string;
  readonly secretHex: string;
  readonly algorithm: string;
  readonly zone: string;
  readonly suffixes: readonly string[];
  readonly expiresAt: number | undefined;
}

function parseGrant(body: unknown): TsigGrant {
  const b = (body ?? {}) as Record<string, unknown>;
  const name = b.tsig_key_name;
  const secret = b.tsig_secret_hex;
  const zone = b.zone;
  if (
    typeof name !== 'string' ||
    name === '' ||
    typeof secret !== 'string' ||
    tryFromHex(secret) === undefined ||
    typeof zone !== 'string' ||
    zone === ''
  ) {
    throw networkError(
      'the node answered tsig-confirm without a usable key (tsig_key_name, tsig_secret_hex, zone) — report this to the operator',
    );
  }
  const algorithm =
    typeof b.tsig_algorithm === 'string' && b.tsig_algorithm !== ''
      ? b.tsig_algorithm
      : 'hmac-sha256';
  const suffixes = Array.isArray(b.allowed_suffixes)
    ? b.allowed_suffixes.filter((s): s is string => typeof s === 'string')
    : [];
  const expiresAt = typeof b.expires_at === 'number' ? b.expires_at : undefined;
  return { name, secretHex: secret.toLowerCase(), algorithm, zone, suffixes, expiresAt };
}

export async function runTsigRegister(ctx: CliContext, opts: TsigRegisterOptions): Promise<number> {
  const config = await loadConfig(ctx.paths);
  if (config.username === '') {
    throw userError(
      `${ctx.paths.configPath} has no username — run \`dnsmesh init <username>\` first`,
    );
  }
  const subject = registrationSubject(config, opts.subject);
  const target = registrationNode(config, opts.node, opts.scheme);
  // The reference derives keys directly here, without the typo tripwire.
  const keys = await unlockIdentity(ctx, config, { tripwire: false });

  const ch = await fetchChallenge(target, target.label);
  checkChallengeNode(ch, target, subject);
  let pop = '';
  if (ch.server_x25519_pub !== '') {
    try {
      const serverPub = fromHex(ch.server_x25519_pub);
      pop = toHex(
        registrationProof(keys.x25519Private, serverPub, ch.challenge, subject, keys.x25519Public),
      );
    } catch (err) {
      throw networkError(
        `cannot build the X25519 proof for this node's challenge: ${describeError(err)}`,
      );
    }
  }
  const r = await postJson(
    `${target.base}/v1/registration/tsig-confirm`,
    {
      ...signedConfirmFields(keys, ch, subject),
      x25519_pub: toHex(keys.x25519Public),
      x25519_pop: pop,
    },
    'tsig-confirm request',
  );
  rejectConfirm(r, subject);
  if (r.status === 404) {
    throw userError(
      `${target.label} does not mint TSIG keys (404 on /v1/registration/tsig-confirm) — the operator must enable DNS UPDATE (DMP_DNS_UPDATE_ENABLED=1); \`dnsmesh register\` gets a bearer token instead`,
    );
  }
  if (r.status !== 200) confirmFailure('tsig-confirm', r);
  const grant = parseGrant(r.body);

  const dns = await updateTarget(config, target, opts.dnsServer, opts.dnsPort);
  config.tsig_key_name = grant.name;
  config.tsig_secret_hex = grant.secretHex;
  config.tsig_algorithm = grant.algorithm;
  config.tsig_zone = grant.zone;
  config.tsig_dns_server = dns.host;
  config.tsig_dns_port = dns.port;
  await saveConfig(ctx.paths, config);

  println(
    `registered ${subject} on ${target.hostPort}`,
    `  TSIG key:  ${grant.name}`,
    `  algorithm: ${grant.algorithm}`,
    `  zone:      ${grant.zone}`,
    `  DNS:       ${dns.host}:${dns.port}/udp (${DNS_TARGET_HOW[dns.how]})`,
  );
  if (grant.suffixes.length > 0) println('  scope:', ...grant.suffixes.map((s) => `    - ${s}`));
  if (grant.expiresAt !== undefined && grant.expiresAt > 0)
    println(`  expires:   ${isoUtc(grant.expiresAt)}`);
  println(
    `  key stored in ${ctx.paths.configPath}; publishes now go over DNS UPDATE to that server.`,
  );
  return 0;
}
