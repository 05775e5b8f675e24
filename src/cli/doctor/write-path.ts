/**
 * Doctor check (b): does the write path `send` and `publish` use accept
 * this config's credentials? Nothing is written:
 *
 * - TSIG key configured → a TSIG-signed UPDATE to `tsig_dns_server:
 *   tsig_dns_port` with one prerequisite (RFC 2136 §2.4.4 "name is in
 *   use", on the identity name, or the zone apex when that lies outside
 *   `tsig_zone`) and an empty update section. A DMP node checks the TSIG,
 *   evaluates the prerequisite and, with no update RRs, applies nothing
 *   (`node/dns/update.ts`); the signed reply says NOERROR (name in use) or
 *   NXDOMAIN (not in use), either way "key accepted". TSIG errors name the
 *   fault: BADKEY (unknown, revoked or expired key), BADSIG (wrong
 *   secret), BADTIME (clock skew, measured from the node's time).
 * - else an HTTP endpoint → the writer's DELETE of a random value at the
 *   identity name: 404 (nothing matched) means the token was accepted for
 *   that name, 401 that it was not.
 */
import { randomBytes } from 'node:crypto';
import { DnsClientError } from '../../dns/client/errors.js';
import { HttpRecordWriter } from '../../dns/client/http-record-writer.js';
import { RecordWriteError } from '../../dns/client/record-writer.js';
import { randomId } from '../../dns/client/request.js';
import { type DnsServer, formatServer, isIpLiteral } from '../../dns/client/server-address.js';
import type { DnsReply } from '../../dns/client/transport.js';
import { UdpTransport } from '../../dns/client/udp-transport.js';
import { signMessage, verifyResponse } from '../../dns/tsig.js';
import type { TsigKey } from '../../dns/tsig-key.js';
import { Rcode, RRClass, RRType, rcodeName } from '../../dns/wire/constants.js';
import { isSubdomain } from '../../dns/wire/name.js';
import { updateMessage } from '../../dns/wire/update.js';
import { tryFromHex } from '../../protocol/bytes.js';
import type { CliConfig } from '../config/fields.js';
import type { CliContext } from '../context.js';
import { endpointHost } from '../endpoint.js';
import { PROBE_PORTS, resolverPortsOn } from '../local-dns-probe.js';
import { nodeHttpFetchAsFetch } from '../node-http-fetch.js';
import { bearerForEndpoint } from '../tokens.js';
import { resolveHost } from '../transports.js';
import { type Check, duration, failure, pass, warning, within } from './check.js';

/** Budget of the signed UPDATE (two datagrams). */
export const UPDATE_TIMEOUT_MS = 3000;
/** Budget of the HTTP probe. */
export const HTTP_TIMEOUT_MS = 4000;

/** What the write-path probe learnt, for the other checks. */
export interface WritePath {
  readonly check: Check | undefined;
  /** The TSIG UPDATE target (`host:port`) when a DMP node answered there. */
  readonly nodeDns?: string;
  /** The node said whether the identity name is in use (signed NOERROR / NXDOMAIN). */
  readonly identityInUse?: boolean;
}

const TSIG_REGISTER = '`dnsmesh tsig register`';

function configError(what: string): WritePath {
  return {
    check: failure(
      'TSIG key unusable',
      `${what}: every send and publish fails before reaching the node\nfix: run ${TSIG_REGISTER} again`,
    ),
  };
}

/** The UPDATE target as the TSIG writer picks it (transports.ts). */
function tsigHost(config: CliConfig): string {
  const host = config.tsig_dns_server.trim();
  if (host !== '') return host;
  const fromEndpoint = endpointHost(config.endpoint);
  return isIpLiteral(fromEndpoint) || fromEndpoint === 'localhost' ? '' : fromEndpoint;
}

function inZone(name: string | undefined, zone: string): name is string {
  if (name === undefined) return false;
  try {
    return isSubdomain(name, zone);
  } catch {
    return false;
  }
}

/** The 48-bit server time a BADTIME reply carries in Other Data (RFC 8945 §5.2.3). */
function serverTime(reply: DnsReply): number | undefined {
  const rr = reply.additionals[reply.additionals.length - 1];
  if (rr === undefined || rr.data.kind !== 'TSIG' || rr.data.other.length !== 6) return undefined;
  const o = rr.data.other;
  return (
    (o[0]! * 256 + o[1]!) * 0x1_0000_0000 +
    ((o[2]! << 24) >>> 0) +
    (o[3]! << 16) +
    (o[4]! << 8) +
    o[5]!
  );
}

/** The signed no-op UPDATE and what verifies its reply. */
interface SignedProbe {
  readonly key: TsigKey;
  readonly wire: Uint8Array;
  readonly mac: Uint8Array;
}

/**
 * Other ports on the target host (those `dns_resolvers` and the pinned
 * local DNS endpoint name there, then 5353 and 53), asked the same signed
 * no-op UPDATE in parallel: the first whose signed reply verifies is the
 * user's node; a TSIG-aware refusal is some other node.
 */
async function nodeElsewhere(
  config: CliConfig,
  host: string,
  address: string,
  port: number,
  probe: SignedProbe,
): Promise<{ readonly port: number; readonly accepts: boolean } | undefined> {
  const candidates = new Set([
    ...resolverPortsOn(host, config.dns_resolvers),
    ...(config.local_node_dns_server === host && config.local_node_dns_port > 0
      ? [config.local_node_dns_port]
      : []),
    ...PROBE_PORTS,
  ]);
  candidates.delete(port);
  const found = await Promise.all(
    [...candidates].map(async (p) => {
      try {
        const reply = await new UdpTransport({ attempts: 1 }).exchange(probe.wire, {
          server: { host: address, port: p },
          timeoutMs: 1500,
        });
        const v = verifyResponse(reply.wire, probe.key, probe.mac, Math.floor(Date.now() / 1000));
        if (v.status === 'ok') return { port: p, accepts: true };
        const tsigAware = v.status !== 'unsigned' || reply.header.rcode === Rcode.NOTAUTH;
        return tsigAware ? { port: p, accepts: false } : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return found.find((f) => f?.accepts) ?? found.find((f) => f !== undefined);
}

async function unreachable(
  config: CliConfig,
  configPath: string,
  host: string,
  server: DnsServer,
  probe: SignedProbe,
  err: unknown,
): Promise<WritePath> {
  const at = `${host}:${server.port}`;
  const refused = err instanceof DnsClientError && err.code === 'connection-refused';
  const what = refused
    ? `nothing listens on ${at} (connection refused)`
    : `no reply from ${at} in ${duration(UPDATE_TIMEOUT_MS)}`;
  const found = await nodeElsewhere(config, host, server.host, server.port, probe);
  const generic =
    `set tsig_dns_server / tsig_dns_port in ${configPath} to your node's DNS listener, or run ` +
    `${TSIG_REGISTER} (it probes for it; \`--dns-port N\` names it)`;
  const fix =
    found === undefined
      ? generic
      : found.accepts
        ? `your node answers at ${host}:${found.port} and accepts the key — set tsig_dns_port: ${found.port} in ${configPath}`
        : `a node answers at ${host}:${found.port} but does not accept this key (another node?); ${generic}`;
  return {
    check: failure(
      'TSIG UPDATE target unreachable',
      `${what} (tsig_dns_server / tsig_dns_port): every send and publish fails, and same-zone ` +
        `claims go there too\nfix: ${fix}`,
    ),
  };
}

/** Interprets the reply to the signed no-op UPDATE. */
function verdict(
  reply: DnsReply,
  key: TsigKey,
  requestMac: Uint8Array,
  target: string,
  zone: string,
  probeName: string,
  isIdentity: boolean,
): WritePath {
  const now = Math.floor(Date.now() / 1000);
  const verified = verifyResponse(reply.wire, key, requestMac, now);
  const rcode = reply.header.rcode;
  const rejected = (why: string, fix: string): WritePath => ({
    nodeDns: target,
    check: failure(
      'TSIG key rejected',
      `${target} ${why}: every send and publish fails\nfix: ${fix}`,
    ),
  });
  switch (verified.status) {
    case 'BADKEY':
      return rejected(
        `does not know key ${key.name} (BADKEY): revoked, expired, or registered at another node`,
        `run ${TSIG_REGISTER} for a new key`,
      );
    case 'BADSIG':
      return rejected(
        `knows key ${key.name} but not with this secret (BADSIG: tsig_secret_hex was changed, or belongs to an older registration)`,
        `run ${TSIG_REGISTER} for a new key`,
      );
    case 'BADTIME': {
      const theirs = serverTime(reply);
      const skew = theirs === undefined ? '' : `; yours is ${now - theirs} s off the node's`;
      return rejected(
        `refused the signature's time (BADTIME: more than 300 s from the node's clock${skew})`,
        'set the system clock (enable NTP), then run `dnsmesh doctor` again',
      );
    }
    case 'FORMERR':
      return {
        check: failure(
          'TSIG UPDATE reply untrusted',
          `${target} answered ${rcodeName(rcode)} with a TSIG that does not verify (${verified.detail}): ` +
            'the reply may be forged, or the key changed\nfix: retry; if it persists, check the route to the node',
        ),
      };
    case 'unsigned':
      if (rcode === Rcode.NOTAUTH) {
        return rejected(
          `refused key ${key.name} (unsigned NOTAUTH: unknown, revoked or expired key, wrong secret, or clocks more than 300 s apart)`,
          `check the system clock, then run ${TSIG_REGISTER}`,
        );
      }
      return {
        check: failure(
          'TSIG UPDATE target is not a DMP node',
          `${target} answered the signed UPDATE with an unsigned ${rcodeName(rcode)}: it is not your ` +
            `node's DNS listener (a resolver, or another server)\nfix: set tsig_dns_server / tsig_dns_port ` +
            `to your node's DNS listener, or run ${TSIG_REGISTER} (it probes for it)`,
        ),
      };
    case 'ok':
      break;
  }
  const held = isIdentity ? `your identity name ${probeName}` : `the zone apex ${probeName}`;
  switch (rcode) {
    case Rcode.NOERROR:
    case Rcode.NXDOMAIN:
      return {
        nodeDns: target,
        ...(isIdentity ? { identityInUse: rcode === Rcode.NOERROR } : {}),
        check: pass(
          'TSIG UPDATE target accepts the key',
          `${target} verified key ${key.name} on a signed no-op UPDATE (a prerequisite only; nothing ` +
            `written): ${held} ${rcode === Rcode.NOERROR ? 'is in use' : 'holds nothing yet'}`,
        ),
      };
    case Rcode.REFUSED:
      return {
        nodeDns: target,
        check: failure(
          'TSIG UPDATE refused',
          `${target} accepted key ${key.name} but refused the UPDATE: DNS UPDATE is off on that node, ` +
            "or your key's UPDATE budget is spent\nfix: retry in a minute; if it persists, ask the node's operator",
        ),
      };
    case Rcode.NOTAUTH:
      return {
        nodeDns: target,
        check: failure(
          'TSIG zone not served there',
          `${target} accepted key ${key.name} but does not serve zone ${zone} (NOTAUTH): tsig_zone and ` +
            `tsig_dns_server point at different nodes\nfix: run ${TSIG_REGISTER} again`,
        ),
      };
    default:
      return {
        nodeDns: target,
        check: failure(
          'TSIG UPDATE failed',
          `${target} answered ${rcodeName(rcode)} to a signed no-op UPDATE\nfix: retry later; if it persists, ask the node's operator`,
        ),
      };
  }
}

async function tsigProbe(
  config: CliConfig,
  configPath: string,
  identityName: string | undefined,
): Promise<WritePath> {
  const secret = tryFromHex(config.tsig_secret_hex);
  if (secret === undefined || secret.length === 0) {
    return configError(`tsig_secret_hex in ${configPath} is not hex`);
  }
  const zone = config.tsig_zone.trim();
  if (zone === '') return configError(`tsig_zone in ${configPath} is empty`);
  const host = tsigHost(config);
  if (host === '') {
    return {
      check: failure(
        'no TSIG UPDATE target',
        'tsig_dns_server is empty and the endpoint has no host name: every send and publish fails\n' +
          `fix: set tsig_dns_server / tsig_dns_port in ${configPath} to your node's DNS listener`,
      ),
    };
  }
  const port = config.tsig_dns_port || 53;
  const address = await within(resolveHost(host), 2000, undefined);
  if (address === undefined) {
    return {
      check: failure(
        'TSIG UPDATE target does not resolve',
        `tsig_dns_server ${host} has no address: every send and publish fails\n` +
          `fix: set tsig_dns_server in ${configPath} to a resolvable host or an IP address`,
      ),
    };
  }
  const server: DnsServer = { host: address, port };
  const target = host === address ? formatServer(server) : `${host}:${port}`;
  const isIdentity = inZone(identityName, zone);
  const probeName = isIdentity ? identityName : zone;
  const key: TsigKey = { name: config.tsig_key_name, algorithm: config.tsig_algorithm, secret };
  let signed: { wire: Uint8Array; mac: Uint8Array };
  try {
    const message = updateMessage({
      id: randomId(),
      zone,
      // RFC 2136 §2.4.4 "name is in use": class ANY, type ANY, TTL 0, no RDATA.
      prerequisites: [
        {
          name: probeName,
          type: RRType.ANY,
          class: RRClass.ANY,
          ttl: 0,
          data: { kind: 'RAW', bytes: new Uint8Array(0) },
        },
      ],
      updates: [],
    });
    signed = signMessage(message, key, { timeSigned: Math.floor(Date.now() / 1000) });
  } catch (err) {
    return configError(`the TSIG key cannot sign (${(err as Error).message})`);
  }
  let reply: DnsReply;
  try {
    reply = await new UdpTransport({ attempts: 2 }).exchange(signed.wire, {
      server,
      timeoutMs: UPDATE_TIMEOUT_MS,
    });
  } catch (err) {
    return unreachable(config, configPath, host, server, { key, ...signed }, err);
  }
  return verdict(reply, key, signed.mac, target, zone, probeName, isIdentity);
}

async function httpProbe(
  ctx: CliContext,
  config: CliConfig,
  identityName: string | undefined,
): Promise<WritePath> {
  if (config.endpoint === '' || identityName === undefined) return { check: undefined };
  const explicit = config.http_token !== null && config.http_token !== '';
  const token = explicit
    ? (config.http_token ?? undefined)
    : await bearerForEndpoint(ctx.paths.tokensHome, config.endpoint);
  const via = explicit
    ? 'http_token'
    : token !== undefined
      ? 'the token saved by `dnsmesh register`'
      : 'no token';
  const writer = new HttpRecordWriter({
    baseUrl: config.endpoint,
    token,
    fetch: nodeHttpFetchAsFetch,
    timeoutMs: HTTP_TIMEOUT_MS,
  });
  const marker = `v=dmp1;t=doctor-probe;${randomBytes(12).toString('hex')}`;
  const accepted = pass(
    'HTTP writes accepted',
    `${config.endpoint} accepted ${via} for ${identityName} (a delete of a value that does not exist; nothing removed)`,
  );
  try {
    await writer.delete(identityName, marker);
    return { check: accepted };
  } catch (err) {
    if (!(err instanceof RecordWriteError)) throw err;
    switch (err.code) {
      case 'not-found':
        return { check: accepted };
      case 'unreachable':
        // The endpoint check reports it.
        return { check: undefined };
      case 'rate-limited':
        return {
          check: warning(
            'HTTP writes rate-limited',
            `${config.endpoint} answered 429 for ${via}: sends fail until the node's limit refills\nfix: retry in a minute`,
          ),
        };
      case 'unauthorized': {
        const fix = explicit
          ? `fix: http_token in ${ctx.paths.configPath} is not accepted — correct it, or remove it and run \`dnsmesh register\``
          : token === undefined
            ? 'fix: run `dnsmesh register` (a bearer token for this node), or `dnsmesh tsig register` (signed DNS UPDATE)'
            : 'fix: run `dnsmesh register` again (the saved token is unknown, revoked or does not cover your names)';
        return {
          check: failure(
            'HTTP writes refused',
            `${config.endpoint} refused ${via} for ${identityName} (${err.reason}): every send and publish fails\n${fix}`,
          ),
        };
      }
      default:
        return {
          check: failure(
            'HTTP writes refused',
            `${config.endpoint} answered ${err.reason} for a no-op delete at ${identityName}: publishes there fail\nfix: ${err.hint}`,
          ),
        };
    }
  }
}

/** Probes the write path `buildWriter` would pick for `config`. */
export function probeWritePath(
  ctx: CliContext,
  config: CliConfig,
  identityName: string | undefined,
): Promise<WritePath> {
  if (config.tsig_key_name !== '' && config.tsig_secret_hex !== '') {
    return tsigProbe(config, ctx.paths.configPath, identityName);
  }
  return httpProbe(ctx, config, identityName);
}
