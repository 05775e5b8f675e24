/**
 * EDNS(0) (RFC 6891 §6.1): the OPT pseudo-RR's CLASS is the requester's UDP
 * payload size and its TTL packs the extended RCODE, the version and the DO
 * flag. Messages keep OPT as an ordinary additional record so decode→encode
 * is lossless; these helpers read and build it.
 */
import { RRType } from './constants.js';
import { check } from './errors.js';
import type { DnsMessage, DnsRecord } from './message.js';
import { ROOT_NAME } from './name.js';
import type { EdnsOption } from './rdata.js';

export interface Edns {
  /** Requester's UDP payload size (values below 512 are treated as 512 by servers). */
  udpSize: number;
  /** Upper eight bits of the 12-bit RCODE. */
  extendedRcode: number;
  version: number;
  /** DNSSEC OK. */
  dnssecOk: boolean;
  /** The remaining 15 reserved flag bits (normally 0). */
  flags: number;
  /** Options in wire order, payloads raw. */
  options: EdnsOption[];
}

/** Interprets an OPT record; `undefined` if `rr` is not one. */
export function ednsFromRecord(rr: DnsRecord): Edns | undefined {
  if (rr.type !== RRType.OPT || rr.data.kind !== 'OPT') return undefined;
  return {
    udpSize: rr.class,
    extendedRcode: rr.ttl >>> 24,
    version: (rr.ttl >>> 16) & 0xff,
    dnssecOk: (rr.ttl & 0x8000) !== 0,
    flags: rr.ttl & 0x7fff,
    options: rr.data.options,
  };
}

/** The message's EDNS parameters, or `undefined` without an OPT record. */
export function findEdns(msg: DnsMessage): Edns | undefined {
  for (const rr of msg.additionals) {
    if (rr.type === RRType.OPT) return ednsFromRecord(rr);
  }
  return undefined;
}

/** Builds the OPT record for `edns` (defaults: version 0, DO clear, no options). */
export function ednsRecord(edns: Partial<Edns> & { udpSize: number }): DnsRecord {
  const extendedRcode = edns.extendedRcode ?? 0;
  const version = edns.version ?? 0;
  const flags = edns.flags ?? 0;
  check(edns.udpSize >= 0 && edns.udpSize <= 0xffff, `EDNS UDP size ${edns.udpSize}`);
  check(extendedRcode >= 0 && extendedRcode <= 0xff, `EDNS extended rcode ${extendedRcode}`);
  check(version >= 0 && version <= 0xff, `EDNS version ${version}`);
  check(flags >= 0 && flags <= 0x7fff, `EDNS flags ${flags}`);
  return {
    name: ROOT_NAME,
    type: RRType.OPT,
    class: edns.udpSize,
    ttl: ((extendedRcode << 24) | (version << 16) | (edns.dnssecOk ? 0x8000 : 0) | flags) >>> 0,
    data: { kind: 'OPT', options: edns.options ?? [] },
  };
}

/** The full 12-bit RCODE: header RCODE plus the EDNS extended bits when present. */
export function fullRcode(msg: DnsMessage): number {
  const edns = findEdns(msg);
  return ((edns?.extendedRcode ?? 0) << 4) | msg.header.rcode;
}
