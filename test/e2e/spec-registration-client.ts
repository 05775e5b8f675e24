/**
 * A minimal registration client written from the node spec (§4.5) with
 * nothing but `node:crypto` and `fetch`: it shares no code with the
 * project's CLI or node, so a bug in our own ceremony code cannot hide an
 * attack that a foreign client performs.
 *
 *   payload   = challenge(32) ‖ utf8(subject) ‖ utf8(node) ‖ 0x01, Ed25519-signed
 *   pop       = HMAC-SHA256(X25519(user, server_pub), challenge ‖ subject ‖ x25519_pub)
 */
import {
  createHmac,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';

/** An attacker's (or victim's) key material. */
export interface SpecKeys {
  readonly ed25519: KeyObject;
  readonly ed25519PublicHex: string;
  readonly x25519: KeyObject;
  readonly x25519PublicHex: string;
}

const rawPublic = (key: KeyObject): string =>
  Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x!, 'base64url').toString('hex');

/** Fresh Ed25519 + X25519 keys. */
export function specKeys(): SpecKeys {
  const ed = generateKeyPairSync('ed25519').privateKey;
  const x = generateKeyPairSync('x25519').privateKey;
  return { ed25519: ed, ed25519PublicHex: rawPublic(ed), x25519: x, x25519PublicHex: rawPublic(x) };
}

interface Challenge {
  readonly challenge: string;
  readonly node: string;
  readonly server_x25519_pub: string;
}

/** A registration HTTP exchange: status and parsed JSON body. */
export interface SpecReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function challengeOf(base: string): Promise<Challenge> {
  const res = await fetch(`${base}/v1/registration/challenge`);
  if (res.status !== 200) throw new Error(`challenge: HTTP ${res.status}`);
  return (await res.json()) as Challenge;
}

function signedFields(keys: SpecKeys, ch: Challenge, subject: string) {
  const payload = Buffer.concat([
    Buffer.from(ch.challenge, 'hex'),
    Buffer.from(subject, 'utf8'),
    Buffer.from(ch.node, 'utf8'),
    Buffer.from([0x01]),
  ]);
  return {
    subject,
    ed25519_spk: keys.ed25519PublicHex,
    challenge: ch.challenge,
    signature: sign(null, payload, keys.ed25519).toString('hex'),
  };
}

async function post(url: string, body: unknown): Promise<SpecReply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}

/** `POST /v1/registration/confirm`: a bearer token for `subject`. */
export async function specRegisterToken(
  base: string,
  keys: SpecKeys,
  subject: string,
): Promise<SpecReply> {
  const ch = await challengeOf(base);
  return post(`${base}/v1/registration/confirm`, signedFields(keys, ch, subject));
}

/** `POST /v1/registration/tsig-confirm` with the X25519 proof of possession. */
export async function specRegisterTsig(
  base: string,
  keys: SpecKeys,
  subject: string,
): Promise<SpecReply> {
  const ch = await challengeOf(base);
  const serverPub = createPublicKey({
    key: {
      kty: 'OKP',
      crv: 'X25519',
      x: Buffer.from(ch.server_x25519_pub, 'hex').toString('base64url'),
    },
    format: 'jwk',
  });
  const shared = diffieHellman({ privateKey: keys.x25519, publicKey: serverPub });
  const pop = createHmac('sha256', shared)
    .update(Buffer.from(ch.challenge, 'hex'))
    .update(Buffer.from(subject, 'utf8'))
    .update(Buffer.from(keys.x25519PublicHex, 'hex'))
    .digest('hex');
  return post(`${base}/v1/registration/tsig-confirm`, {
    ...signedFields(keys, ch, subject),
    x25519_pub: keys.x25519PublicHex,
    x25519_pop: pop,
  });
}

/** The BIND key-file text nsupdate reads, from a tsig-confirm reply. */
export function bindKeyText(reply: SpecReply): string {
  const name = reply.body.tsig_key_name as string;
  const secret = Buffer.from(reply.body.tsig_secret_hex as string, 'hex').toString('base64');
  return `key "${name}" {\n\talgorithm hmac-sha256;\n\tsecret "${secret}";\n};\n`;
}
