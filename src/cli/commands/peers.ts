/**
 * `dnsmesh peers <zone> [--json]` (cli spec §5.17): what a zone says about
 * itself and the nodes it has seen. Reads `_dnsmesh-heartbeat.<zone>` (the
 * first verifying wire is the node itself) and `_dnsmesh-seen.<zone>` (every
 * verifying wire, newest first), each held to ±300 s freshness (node spec
 * §6.4). Works without a config: the system's resolvers are used then.
 */
import { getServers } from 'node:dns';
import { ResolverPool } from '../../dns/client/resolver-pool.js';
import { isIpLiteral } from '../../dns/client/server-address.js';
import type { TxtReader } from '../../dns/client/txt-reader.js';
import { toHex } from '../../protocol/bytes.js';
import {
  type HeartbeatRecord,
  parseAndVerifyHeartbeat,
} from '../../protocol/records/heartbeat-record.js';
import { heartbeatRrsetName, seenRrsetName } from '../../protocol/records/operator-names.js';
import { loadConfigIfPresent } from '../config/store.js';
import type { CliContext } from '../context.js';
import { userError } from '../errors.js';
import { printJson, println } from '../output.js';
import { terminalSafeField } from '../terminal-text.js';
import { buildReader } from '../transports.js';

export interface PeersOptions {
  json?: boolean;
  /** Accepted for the reference's sake; unused there too. */
  timeout?: number;
}

interface PeerJson {
  endpoint: string;
  operator_spk_hex: string;
  claim_provider_zone: string;
  version: string;
  ts: number;
}

/** The zone a `peers` argument names: a URL's host, else the argument lower-cased. */
export function peersZone(arg: string): string {
  const text = arg.trim();
  if (!text.includes('://')) return text.toLowerCase().replace(/\.+$/, '');
  let host: string;
  try {
    host = new URL(text).hostname.toLowerCase();
  } catch {
    throw userError(`${arg} is not a URL or a zone`);
  }
  if (host.startsWith('[') || isIpLiteral(host) || host === 'localhost') {
    throw userError(`${arg}: an IP address or localhost is not a zone; name the node's zone`);
  }
  return host.replace(/\.+$/, '');
}

async function readerFor(ctx: CliContext): Promise<TxtReader> {
  const config = await loadConfigIfPresent(ctx.paths);
  if (config !== undefined) return buildReader(ctx, config);
  const system = getServers();
  if (system.length === 0) throw userError('no DNS resolver: no config and the system has none');
  return new ResolverPool(system, { timeoutMs: 3000, deadlineMs: 6000 });
}

async function verifiedWires(
  reader: TxtReader,
  name: string,
  now: number,
): Promise<{ record: HeartbeatRecord; wire: string }[]> {
  const answer = await reader.readTxt(name);
  if (answer.status !== 'found') return [];
  const out: { record: HeartbeatRecord; wire: string }[] = [];
  for (const wire of answer.values) {
    const r = parseAndVerifyHeartbeat(wire, { now });
    if (r.ok) out.push({ record: r.value, wire });
  }
  return out;
}

const asJson = (hb: HeartbeatRecord): PeerJson => ({
  endpoint: hb.endpoint,
  operator_spk_hex: toHex(hb.operatorSpk),
  claim_provider_zone: hb.claimProviderZone,
  version: hb.version,
  ts: Number(hb.ts),
});

/** `3s`, `5m`, `2h`, `1d` ago (negative ages, from a fast clock, show as 0s). */
function age(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

export async function runPeers(
  ctx: CliContext,
  zoneArg: string,
  opts: PeersOptions,
): Promise<number> {
  const zone = peersZone(zoneArg);
  if (zone === '') throw userError('peers needs a zone');
  const reader = await readerFor(ctx);
  const now = Math.floor(Date.now() / 1000);
  const [selfWires, seenWires] = await Promise.all([
    verifiedWires(reader, heartbeatRrsetName(zone), now),
    verifiedWires(reader, seenRrsetName(zone), now),
  ]);
  const self = selfWires[0];
  const seen = seenWires
    .map((w) => w.record)
    .sort((a, b) => (a.ts === b.ts ? 0 : a.ts > b.ts ? -1 : 1));
  if (opts.json) {
    printJson({
      zone,
      self: self === undefined ? null : { ...asJson(self.record), wire: self.wire },
      seen: seen.map(asJson),
    });
    return 0;
  }
  const f = terminalSafeField;
  println(`zone: ${f(zone)}`);
  if (self === undefined) {
    println('self: no verifying heartbeat');
  } else {
    const hb = self.record;
    println(
      `self: ${f(hb.endpoint)}`,
      `  operator:   ${toHex(hb.operatorSpk)}`,
      `  claim zone: ${f(hb.claimProviderZone) || '-'}`,
      `  version:    ${f(hb.version) || '-'}`,
      `  age:        ${age(now - Number(hb.ts))}`,
    );
  }
  println(`peers (${seen.length}):`);
  for (const hb of seen) {
    println(
      `  ${f(hb.endpoint)}  spk ${toHex(hb.operatorSpk).slice(0, 16)}  ` +
        `version ${f(hb.version) || '-'}  age ${age(now - Number(hb.ts))}`,
    );
  }
  return 0;
}
