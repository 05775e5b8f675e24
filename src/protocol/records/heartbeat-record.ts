/**
 * Node heartbeat (node.md §6.4): an operator-signed "I am <endpoint>,
 * running <version>, with <capabilities>, serving <zone>, as of <ts>"
 * published at `_dnsmesh-heartbeat.<zone>`. Seen records under
 * `_dnsmesh-seen.<zone>` are other nodes' heartbeat values copied verbatim,
 * so they go through the same parser.
 *
 * Body: magic(7) ‖ endpoint_len(u16) ‖ endpoint ‖ operator_spk(32) ‖
 * version_len(u8) ‖ version ‖ capabilities(u16) ‖ zone_len(u8) ‖ zone ‖
 * ts(u64) ‖ exp(u64); then a 64-byte Ed25519 signature by `operator_spk`.
 * Encoders write `DMPHB03`; parsers also accept legacy `DMPHB02`, which has
 * no zone field. The operator key is a raw Ed25519 seed, not a DMP identity.
 */
import { ByteReader, bytesEqual, concatBytes, u16, u64, utf8 } from '../bytes.js';
import { verifyEd25519 } from '../crypto/ed25519.js';
import { accept, ensure, type ParseResult, reject } from '../result.js';
import { heartbeatEndpointError } from './heartbeat-endpoint.js';
import {
  decodeOperatorWire,
  decodeText,
  encodeText,
  hasSpaceOrControl,
  isAsciiString,
} from './operator-wire.js';
import { HEARTBEAT_RECORD_PREFIX } from './prefixes.js';
import {
  fixedBytes,
  MAX_EXP_FUTURE_SECONDS,
  nowSeconds,
  SIGNATURE_BYTES,
  type U64Input,
  u64Field,
} from './record-fields.js';
import { signWithSeed } from './seed-signing.js';

/** Current body magic. */
export const HEARTBEAT_MAGIC = 'DMPHB03';
/** Legacy body magic without the zone field, still accepted on parse. */
export const HEARTBEAT_LEGACY_MAGIC = 'DMPHB02';
/** Capability bit: the node hosts first-contact claims under its zone. */
export const CAP_CLAIM_PROVIDER = 1;
/** Longest version string, in ASCII bytes. */
export const MAX_HEARTBEAT_VERSION_BYTES = 32;
/** Longest zone field, in ASCII bytes. */
export const MAX_HEARTBEAT_ZONE_BYTES = 64;
/** Default tolerated `|ts − now|`, in seconds. */
export const DEFAULT_HEARTBEAT_TS_SKEW_SECONDS = 300;

const MAGIC = utf8(HEARTBEAT_MAGIC);
const LEGACY_MAGIC = utf8(HEARTBEAT_LEGACY_MAGIC);
/** magic + endpoint_len + operator_spk + version_len + capabilities + ts + exp, plus signature. */
const MIN_BLOB_BYTES = 7 + 2 + 32 + 1 + 2 + 16 + SIGNATURE_BYTES;
/** Encoders keep `ts` and `exp` inside a signed 64-bit range. */
const I64_LIMIT = 1n << 63n;

/** Heartbeat fields as given to the encoder. */
export interface HeartbeatInput {
  /** `http(s)://host[:port]`, see `heartbeatEndpointError`. */
  readonly endpoint: string;
  /** ASCII, at most 32 characters (may be empty). */
  readonly version: string;
  /** u16 bit field; unknown bits are carried through. */
  readonly capabilities: number;
  /** The node's served zone, ASCII without spaces or controls, ≤64; may be empty. */
  readonly claimProviderZone: string;
  readonly ts: U64Input;
  /** Must be greater than `ts`. */
  readonly exp: U64Input;
  /** When given, must be the public key of the signing seed. */
  readonly operatorSpk?: Uint8Array | undefined;
}

/** A verified heartbeat. */
export interface HeartbeatRecord {
  readonly endpoint: string;
  readonly operatorSpk: Uint8Array;
  readonly version: string;
  readonly capabilities: number;
  /** Empty when absent (always for legacy records). */
  readonly claimProviderZone: string;
  readonly ts: bigint;
  readonly exp: bigint;
  /** True for a `DMPHB02` body. */
  readonly legacy: boolean;
}

/** Freshness parameters. */
export interface HeartbeatVerifyOptions {
  /** Verification time, Unix seconds. */
  readonly now: number;
  /**
   * Tolerated `|ts − now|` in seconds (default 300). `Infinity` disables the
   * check, as renderers of the seen-graph do.
   */
  readonly tsSkewSeconds?: number | undefined;
}

function versionError(version: string): string | undefined {
  if (typeof version !== 'string') return 'version must be a string';
  if (version.length > MAX_HEARTBEAT_VERSION_BYTES) return 'version exceeds 32 characters';
  if (!isAsciiString(version)) return 'version must be ASCII';
  return undefined;
}

function zoneError(zone: string): string | undefined {
  if (typeof zone !== 'string') return 'zone must be a string';
  if (zone.length > MAX_HEARTBEAT_ZONE_BYTES) return 'zone exceeds 64 characters';
  if (!isAsciiString(zone) || hasSpaceOrControl(zone)) {
    return 'zone must be ASCII without whitespace or controls';
  }
  return undefined;
}

/**
 * The signed `DMPHB03` body for `input` under `operatorSpk`.
 *
 * @throws DmpEncodeError on any field the protocol forbids.
 */
export function encodeHeartbeatBody(input: HeartbeatInput, operatorSpk: Uint8Array): Uint8Array {
  const endpointProblem = heartbeatEndpointError(input.endpoint);
  ensure(endpointProblem === undefined, `endpoint: ${endpointProblem}`);
  const versionProblem = versionError(input.version);
  ensure(versionProblem === undefined, versionProblem ?? '');
  fixedBytes(operatorSpk, 32, 'operatorSpk');
  const ts = u64Field(input.ts, 'ts', I64_LIMIT);
  const exp = u64Field(input.exp, 'exp', I64_LIMIT);
  ensure(exp > ts, 'exp must be greater than ts');
  const caps = input.capabilities;
  ensure(Number.isInteger(caps) && caps >= 0 && caps <= 0xffff, 'capabilities must be a u16');
  const zoneProblem = zoneError(input.claimProviderZone);
  ensure(zoneProblem === undefined, zoneProblem ?? '');
  const endpoint = encodeText(input.endpoint, 'endpoint');
  const version = utf8(input.version);
  const zone = utf8(input.claimProviderZone);
  return concatBytes(
    MAGIC,
    u16(endpoint.length),
    endpoint,
    operatorSpk,
    Uint8Array.of(version.length),
    version,
    u16(caps),
    Uint8Array.of(zone.length),
    zone,
    u64(ts),
    u64(exp),
  );
}

/**
 * Signs a heartbeat with the operator's raw 32-byte Ed25519 seed and returns
 * the TXT value.
 *
 * @throws DmpEncodeError on forbidden fields, a declared `operatorSpk` that
 *   is not the seed's key, or a value over 1200 bytes.
 */
export function signHeartbeat(input: HeartbeatInput, operatorSeed: Uint8Array): string {
  return signWithSeed(HEARTBEAT_RECORD_PREFIX, operatorSeed, 'operator', input.operatorSpk, (spk) =>
    encodeHeartbeatBody(input, spk),
  );
}

/**
 * Structural decoding of a heartbeat body (`DMPHB03` or `DMPHB02`): exact
 * length, field bounds, endpoint/version/zone rules and `exp > ts`. The zone
 * rule is the encoder's; the reference parser skips it, so this refuses only
 * hand-built values no reference encoder emits.
 */
export function decodeHeartbeatBody(body: Uint8Array): ParseResult<HeartbeatRecord> {
  if (body.length < MAGIC.length + 2) return reject('length', 'body shorter than its header');
  const reader = new ByteReader(body);
  const magic = reader.take(MAGIC.length)!;
  const legacy = bytesEqual(magic, LEGACY_MAGIC);
  if (!legacy && !bytesEqual(magic, MAGIC)) return reject('structure', 'bad magic');
  const endpointLength = reader.u16()!;
  if (endpointLength === 0 || endpointLength > 255) {
    return reject('structure', `endpoint length ${endpointLength} out of range`);
  }
  const endpointBytes = reader.take(endpointLength);
  if (endpointBytes === undefined) return reject('length', 'truncated endpoint');
  const endpoint = decodeText(endpointBytes);
  if (endpoint === undefined) return reject('structure', 'endpoint is not UTF-8');
  const spk = reader.take(32);
  if (spk === undefined) return reject('length', 'truncated operator key');
  const versionLength = reader.u8();
  if (versionLength === undefined) return reject('length', 'truncated before version length');
  if (versionLength > MAX_HEARTBEAT_VERSION_BYTES) {
    return reject('structure', `version length ${versionLength} out of range`);
  }
  const versionBytes = reader.take(versionLength);
  if (versionBytes === undefined) return reject('length', 'truncated version');
  const version = decodeText(versionBytes);
  if (version === undefined) return reject('structure', 'version is not UTF-8');
  const capabilities = reader.u16();
  if (capabilities === undefined) return reject('length', 'truncated capabilities');
  let claimProviderZone = '';
  if (!legacy) {
    const zoneLength = reader.u8();
    if (zoneLength === undefined) return reject('length', 'truncated before zone length');
    if (zoneLength > MAX_HEARTBEAT_ZONE_BYTES) {
      return reject('structure', `zone length ${zoneLength} out of range`);
    }
    const zoneBytes = reader.take(zoneLength);
    if (zoneBytes === undefined) return reject('length', 'truncated zone');
    const zone = decodeText(zoneBytes);
    if (zone === undefined) return reject('structure', 'zone is not UTF-8');
    claimProviderZone = zone;
  }
  const ts = reader.u64();
  const exp = reader.u64();
  if (ts === undefined || exp === undefined) return reject('length', 'truncated ts/exp');
  if (reader.remaining !== 0) return reject('structure', 'trailing bytes after exp');
  const problem =
    heartbeatEndpointError(endpoint) ?? versionError(version) ?? zoneError(claimProviderZone);
  if (problem !== undefined) return reject('structure', problem);
  if (exp <= ts) return reject('structure', 'exp must be greater than ts');
  const operatorSpk = Uint8Array.from(spk);
  return accept({
    endpoint,
    operatorSpk,
    version,
    capabilities,
    claimProviderZone,
    ts,
    exp,
    legacy,
  });
}

/**
 * Parses and verifies a heartbeat (or seen-record) TXT value: prefix,
 * 1200-byte cap, strict base64, at least 124 bytes, body structure,
 * signature by the embedded operator key, `|ts − now| ≤ skew`, `exp > now`,
 * `exp − now ≤ 30 days`. Never throws on any `value`.
 */
export function parseAndVerifyHeartbeat(
  value: string,
  options: HeartbeatVerifyOptions,
): ParseResult<HeartbeatRecord> {
  const skew = options.tsSkewSeconds ?? DEFAULT_HEARTBEAT_TS_SKEW_SECONDS;
  if (Number.isNaN(skew)) throw new TypeError('tsSkewSeconds must be a number');
  const blob = decodeOperatorWire(value, HEARTBEAT_RECORD_PREFIX, MIN_BLOB_BYTES);
  if (!blob.ok) return blob;
  const cut = blob.value.length - SIGNATURE_BYTES;
  const body = blob.value.subarray(0, cut);
  const record = decodeHeartbeatBody(body);
  if (!record.ok) return record;
  const { operatorSpk, ts, exp } = record.value;
  if (!verifyEd25519(operatorSpk, body, blob.value.subarray(cut))) {
    return reject('signature', 'signature does not verify under the operator key');
  }
  const now = nowSeconds(options.now);
  // The difference is an integer, so comparing with floor(skew) is exact.
  if (skew !== Number.POSITIVE_INFINITY) {
    const limit = skew === Number.NEGATIVE_INFINITY ? -1n : BigInt(Math.floor(skew));
    if (ts - now > limit) return reject('future', `heartbeat ts ${ts} is ahead of now`);
    if (now - ts > limit) return reject('stale', `heartbeat ts ${ts} is too old`);
  }
  if (exp <= now) return reject('expired', `heartbeat expired at ${exp}`);
  if (exp - now > BigInt(MAX_EXP_FUTURE_SECONDS)) {
    return reject('future', 'heartbeat expiry is more than 30 days away');
  }
  return record;
}
