/**
 * DNS UPDATE (RFC 2136): the section names of §2, the meaning of an update
 * RR's class/TTL/RDATA combination (§2.5) and builders for TXT operations.
 *
 * UPDATE reuses the query message layout: question → zone, answer →
 * prerequisite, authority → update, additional → additional.
 */
import { Opcode, RRClass, RRType } from './constants.js';
import { makeHeader } from './header.js';
import type { DnsMessage, DnsQuestion, DnsRecord } from './message.js';
import type { Rdata } from './rdata.js';
import { txtRdata } from './txt.js';

/** RFC 2136 §2 view of a message's sections (the arrays are shared, not copied). */
export interface UpdateSections {
  /** The zone section; RFC 2136 requires exactly one entry, of type SOA. */
  zone: DnsQuestion[];
  prerequisites: DnsRecord[];
  updates: DnsRecord[];
  additional: DnsRecord[];
}

export function updateSections(msg: DnsMessage): UpdateSections {
  return {
    zone: msg.questions,
    prerequisites: msg.answers,
    updates: msg.authorities,
    additional: msg.additionals,
  };
}

/**
 * What an update-section RR asks for (RFC 2136 §2.5):
 * `add` (class = zone class), `delete-rrset` (class ANY, empty RDATA),
 * `delete-all` (class ANY, type ANY: every RRset at the name), `delete-rr`
 * (class NONE: the RR with this RDATA), or `invalid` for combinations §3.4.1.3
 * answers with FORMERR (other classes, non-zero TTL on deletes, RDATA on a
 * class ANY delete).
 */
export type UpdateAction = 'add' | 'delete-rr' | 'delete-rrset' | 'delete-all' | 'invalid';

/** True for RDATA of length zero, whatever kind it decoded to. */
export function isEmptyRdata(data: Rdata): boolean {
  switch (data.kind) {
    case 'RAW':
      return data.bytes.length === 0;
    case 'TXT':
      return data.strings.length === 0;
    case 'OPT':
      return data.options.length === 0;
    default:
      return false;
  }
}

export function classifyUpdate(rr: DnsRecord, zoneClass: number = RRClass.IN): UpdateAction {
  if (rr.class === zoneClass) return 'add';
  if (rr.class === RRClass.ANY) {
    if (rr.ttl !== 0 || !isEmptyRdata(rr.data)) return 'invalid';
    return rr.type === RRType.ANY ? 'delete-all' : 'delete-rrset';
  }
  if (rr.class === RRClass.NONE) return rr.ttl === 0 ? 'delete-rr' : 'invalid';
  return 'invalid';
}

/** Fields of an UPDATE request. */
export interface UpdateInit {
  id: number;
  /** Zone apex; becomes the single zone-section entry (type SOA). */
  zone: string;
  /** Zone class (default IN). */
  zoneClass?: number;
  prerequisites?: DnsRecord[];
  updates: DnsRecord[];
  additional?: DnsRecord[];
}

/** An UPDATE request (opcode 5, all flags clear) as the reference client builds it. */
export function updateMessage(init: UpdateInit): DnsMessage {
  return {
    header: makeHeader({ id: init.id, opcode: Opcode.UPDATE }),
    questions: [{ name: init.zone, type: RRType.SOA, class: init.zoneClass ?? RRClass.IN }],
    answers: init.prerequisites ?? [],
    authorities: init.updates,
    additionals: init.additional ?? [],
  };
}

/** Update RR adding one TXT value (split into 255-octet strings when longer). */
export function txtAdd(name: string, ttl: number, value: string | Uint8Array): DnsRecord {
  return { name, type: RRType.TXT, class: RRClass.IN, ttl, data: txtRdata(value) };
}

/** Update RR deleting the TXT record whose value is `value` (class NONE, TTL 0). */
export function txtDelete(name: string, value: string | Uint8Array): DnsRecord {
  return { name, type: RRType.TXT, class: RRClass.NONE, ttl: 0, data: txtRdata(value) };
}

/** Update RR deleting the whole TXT RRset at `name` (class ANY, TTL 0, no RDATA). */
export function txtDeleteRRset(name: string): DnsRecord {
  return { name, type: RRType.TXT, class: RRClass.ANY, ttl: 0, data: { kind: 'TXT', strings: [] } };
}
