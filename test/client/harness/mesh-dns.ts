/**
 * An in-test authoritative DNS server for client tests, on 127.0.0.1 (UDP
 * and TCP on one port), serving several DMP zones from one shared
 * in-memory record map. It stands in for the node daemon (being written in
 * parallel) with the node's observable rules (node.md §2):
 *
 * - TXT queries: case-insensitive names, one RR per value, multi-string
 *   values as sent; replies larger than the requester's EDNS size (512
 *   without EDNS) come back with TC=1 so the client retries over TCP.
 * - TSIG-signed UPDATEs (verified with src/dns `verifyRequest`, answered
 *   signed): ADD / delete value / delete RRset under a served zone, with the
 *   node's value cap (2048 bytes) and per-name cardinality cap (64).
 * - Unsigned UPDATEs: the claim path only — owner
 *   `claim-<n>.mb-<hash12>.<zone>`, value a verifying claim living at most
 *   86400 s; anything else REFUSED.
 *
 * Every query and update is logged so tests can count DNS traffic.
 */
import { signResponse, tsigFailureStub, verifyRequest } from '../../../src/dns/tsig.js';
import { createTsigKeyring, type TsigKey } from '../../../src/dns/tsig-key.js';
import { Opcode, Rcode, RRClass, RRType } from '../../../src/dns/wire/constants.js';
import { findEdns } from '../../../src/dns/wire/edns.js';
import { type DnsMessage, type DnsRecord, encodeMessage } from '../../../src/dns/wire/message.js';
import { canonicalName, isSubdomain } from '../../../src/dns/wire/name.js';
import { txtRdata, txtValue } from '../../../src/dns/wire/txt.js';
import { classifyUpdate, updateSections } from '../../../src/dns/wire/update.js';
import { utf8 } from '../../../src/protocol/bytes.js';
import { claimOwnerHash12 } from '../../../src/protocol/names.js';
import { parseAndVerifyClaimRecord } from '../../../src/protocol/records/claim-record.js';
import { answerTo, type FaultAction, FaultServer } from '../../dns/client/fault-server.js';

export interface MeshDnsOptions {
  readonly zones: readonly string[];
  readonly keys?: readonly TsigKey[];
  /** Unix seconds (TSIG time checks, claim freshness). */
  readonly now: () => number;
  readonly maxValueBytes?: number;
  readonly maxValuesPerName?: number;
  readonly claimMaxTtl?: number;
}

/** One logged UPDATE. */
export interface UpdateLogEntry {
  readonly signed: boolean;
  readonly zone: string;
  readonly rcode: number;
  readonly names: readonly string[];
  /** The request as received. */
  readonly wire: Uint8Array;
}

export class MeshDns {
  /** Canonical owner name → values in insertion order. */
  readonly records = new Map<string, string[]>();
  /** Every TXT query name, as asked (lower-cased). */
  readonly queries: string[] = [];
  readonly updates: UpdateLogEntry[] = [];
  /** Added to every reply: a wide-area round trip on loopback. */
  delayMs = 0;
  private readonly zones: string[];

  private constructor(
    private readonly options: MeshDnsOptions,
    private server: FaultServer | undefined,
  ) {
    this.zones = options.zones.map(canonicalName);
  }

  static async start(options: MeshDnsOptions): Promise<MeshDns> {
    const dns = new MeshDns(options, undefined);
    dns.server = await FaultServer.start((request) => {
      if (request.message === undefined) return { kind: 'drop' };
      const action = dns.handle(request.message, request.wire, request.protocol);
      return dns.delayMs > 0 ? { kind: 'delay', ms: dns.delayMs, action } : action;
    });
    return dns;
  }

  get address(): { host: string; port: number } {
    return this.server!.server;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  // ---- direct access for tests ------------------------------------------

  values(name: string): string[] {
    return this.records.get(canonicalName(name)) ?? [];
  }

  put(name: string, value: string): void {
    const key = canonicalName(name);
    const list = this.records.get(key) ?? [];
    if (!list.includes(value)) list.push(value);
    this.records.set(key, list);
  }

  /** Replaces the values at `name` (tampering). */
  set(name: string, values: string[]): void {
    this.records.set(canonicalName(name), values);
  }

  /** Queries whose name matches `pattern`, since `from` (an index into `queries`). */
  queriesMatching(pattern: RegExp, from = 0): string[] {
    return this.queries.slice(from).filter((q) => pattern.test(q));
  }

  // ---- protocol ---------------------------------------------------------

  private handle(msg: DnsMessage, wire: Uint8Array, protocol: 'udp' | 'tcp'): FaultAction {
    if (msg.header.opcode === Opcode.UPDATE) return this.update(msg, wire);
    if (msg.header.opcode !== Opcode.QUERY || msg.questions.length !== 1) {
      return { kind: 'reply', message: answerTo(msg, { rcode: Rcode.FORMERR }) };
    }
    const q = msg.questions[0]!;
    const owner = canonicalName(q.name);
    if (!this.zones.some((z) => isSubdomain(owner, z))) {
      return { kind: 'reply', message: answerTo(msg, { rcode: Rcode.REFUSED }) };
    }
    this.queries.push(owner);
    const values = this.records.get(owner) ?? [];
    if (values.length === 0) {
      return { kind: 'reply', message: answerTo(msg, { rcode: Rcode.NXDOMAIN }) };
    }
    const answers: DnsRecord[] =
      q.type === RRType.TXT
        ? values.map((v) => ({
            name: q.name,
            type: RRType.TXT,
            class: RRClass.IN,
            ttl: 60,
            data: txtRdata(v),
          }))
        : [];
    const reply = answerTo(msg, { answers });
    const limit = Math.max(512, findEdns(msg)?.udpSize ?? 512);
    if (protocol === 'udp' && encodeMessage(reply).length > limit) {
      return { kind: 'reply', message: answerTo(msg, { tc: true }) };
    }
    return { kind: 'reply', message: reply };
  }

  private update(msg: DnsMessage, wire: Uint8Array): FaultAction {
    const hasTsig = msg.additionals.some((rr) => rr.type === RRType.TSIG);
    const zone = canonicalName(updateSections(msg).zone[0]?.name ?? '.');
    const names = updateSections(msg).updates.map((rr) => canonicalName(rr.name));
    const log = (signed: boolean, rcode: number) =>
      this.updates.push({ signed, zone, rcode, names, wire });
    if (!hasTsig) {
      const rcode = this.applyClaims(msg, zone);
      log(false, rcode);
      return { kind: 'reply', message: answerTo(msg, { rcode }) };
    }
    const verified = verifyRequest(
      wire,
      createTsigKeyring(this.options.keys ?? []),
      this.options.now(),
      msg,
    );
    if (verified.status !== 'ok') {
      log(true, Rcode.NOTAUTH);
      return { kind: 'raw', wire: tsigFailureStub(msg.header.id, msg.header.opcode) };
    }
    const rcode = this.applySigned(msg, zone);
    log(true, rcode);
    const response = encodeMessage(answerTo(msg, { rcode }));
    return { kind: 'raw', wire: signResponse(response, verified, this.options.now()).wire };
  }

  private applySigned(msg: DnsMessage, zone: string): number {
    if (!this.zones.includes(zone)) return Rcode.NOTAUTH;
    const updates = updateSections(msg).updates;
    if (updates.some((rr) => !isSubdomain(rr.name, zone))) return Rcode.NOTZONE;
    for (const rr of updates) {
      const owner = canonicalName(rr.name);
      const values = this.records.get(owner) ?? [];
      const action = classifyUpdate(rr);
      const value = rr.data.kind === 'TXT' ? txtValue(rr.data) : undefined;
      if (action === 'add') {
        if (value === undefined) return Rcode.FORMERR;
        if (utf8(value).length > (this.options.maxValueBytes ?? 2048)) return Rcode.REFUSED;
        if (!values.includes(value)) {
          if (values.length >= (this.options.maxValuesPerName ?? 64)) return Rcode.REFUSED;
          values.push(value);
        }
        this.records.set(owner, values);
      } else if (action === 'delete-rr') {
        const i = value === undefined ? -1 : values.indexOf(value);
        if (i < 0) return Rcode.SERVFAIL;
        values.splice(i, 1);
      } else if (action === 'delete-rrset') {
        if (values.length === 0) return Rcode.SERVFAIL;
        this.records.delete(owner);
      } else {
        return Rcode.FORMERR;
      }
    }
    return Rcode.NOERROR;
  }

  private applyClaims(msg: DnsMessage, zone: string): number {
    if (!this.zones.includes(zone)) return Rcode.REFUSED;
    const updates = updateSections(msg).updates;
    if (updates.length === 0) return Rcode.REFUSED;
    const now = this.options.now();
    const accepted: [string, string][] = [];
    for (const rr of updates) {
      if (classifyUpdate(rr) !== 'add' || rr.data.kind !== 'TXT') return Rcode.REFUSED;
      if (claimOwnerHash12(rr.name, zone) === undefined) return Rcode.REFUSED;
      const value = txtValue(rr.data);
      const claim = value === undefined ? undefined : parseAndVerifyClaimRecord(value, now);
      if (value === undefined || claim === undefined || !claim.ok) return Rcode.REFUSED;
      if (Number(claim.value.exp) - now > (this.options.claimMaxTtl ?? 86400)) return Rcode.REFUSED;
      accepted.push([rr.name, value]);
    }
    for (const [name, value] of accepted) this.put(name, value);
    return Rcode.NOERROR;
  }
}
