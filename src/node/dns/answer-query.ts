/**
 * Answer step for QUERY (RFC 1034 §4.3.2 authoritative lookup, node spec
 * §1.3–1.5): one served zone, TXT data from the record store, apex SOA / NS /
 * A / AAAA synthesised from configuration.
 *
 * * Only the first question is answered (the whole section is echoed).
 * * In-zone names are answered authoritatively (AA=1): the data, NODATA
 *   (NOERROR, empty answer) for names that exist without the asked type —
 *   the apex, names holding TXT values, empty non-terminals — and NXDOMAIN
 *   otherwise. Every negative answer carries the apex SOA in the authority
 *   section when one is configured (RFC 2308 §3), so it can be cached.
 * * Names outside the zone, and classes other than IN/ANY, are REFUSED
 *   without AA (RFC 1034 §4.3.2 step 2 for a server without recursion;
 *   the reference answered NXDOMAIN with AA there).
 * * ANY is answered with one RRset (RFC 8482 §4.2): the TXT RRset, else the
 *   apex SOA.
 * * Answer TTLs are the configured DNS TTL, not the stored TTLs.
 */
import { Rcode, RRClass, RRType } from '../../dns/wire/constants.js';
import { canonicalName, isSubdomain } from '../../dns/wire/name.js';
import type { RecordStore } from '../store/types.js';
import type { InteriorNames } from './interior-names.js';
import { type DnsRequest, suffixOffset } from './request.js';
import type { ResponseKind } from './responder.js';
import type { CompiledResponderConfig } from './responder-config.js';
import {
  ANSWER,
  AUTHORITY,
  FLAG_AA,
  QNAME_POINTER,
  type ResponseWriter,
  responseFlags,
} from './response-writer.js';

/** What the query step needs besides the request. */
export interface QueryEnv {
  readonly config: CompiledResponderConfig;
  readonly store: RecordStore;
  readonly interior: InteriorNames;
}

/** Filled in by {@link answerQuery}; one instance is reused per responder. */
export interface QueryResult {
  rcode: number;
  kind: ResponseKind;
  /** Canonical question name, when there was a usable question. */
  qname: string | undefined;
}

/** RR types that never appear in a question (RFC 6891 §6.1.1, RFC 8945 §4.1, RFC 2930). */
function isPseudoType(type: number): boolean {
  return type === RRType.OPT || type === RRType.TSIG || type === 249; // 249 = TKEY
}

const EMPTY: readonly string[] = [];

function setResult(out: QueryResult, rcode: number, kind: ResponseKind): void {
  out.rcode = rcode;
  out.kind = kind;
}

/**
 * Writes the header, echoed question and answer/authority sections of the
 * response to `req` (the caller appends OPT and TSIG) and fills `out`.
 * `now` is Unix seconds: store expiry and the SOA serial.
 */
export function answerQuery(
  req: DnsRequest,
  env: QueryEnv,
  now: number,
  w: ResponseWriter,
  out: QueryResult,
): void {
  out.qname = undefined;
  const q = req.message.questions[0];
  if (q === undefined || !req.plainFirstName || isPseudoType(q.type)) {
    w.begin(req, responseFlags(req, 0, Rcode.FORMERR));
    setResult(out, Rcode.FORMERR, 'error');
    return;
  }
  const key = canonicalName(q.name);
  out.qname = key;
  const config = env.config;
  const inZone = isSubdomain(key, config.zone);
  const transfer = q.type === RRType.AXFR || q.type === RRType.IXFR;
  if (!inZone || transfer || (q.class !== RRClass.IN && q.class !== RRClass.ANY)) {
    // Zone transfers are not offered (RFC 5936 §6: refuse, not NOTIMP).
    w.begin(req, responseFlags(req, 0, Rcode.REFUSED));
    setResult(out, Rcode.REFUSED, 'refused');
    return;
  }

  const apex = key === config.zone;
  const ttl = config.ttl;
  const records = config.apex;
  const qtype = q.type;
  // Apex records first: they need no store lookup.
  if (apex) {
    let rdata: Uint8Array | undefined;
    if (qtype === RRType.A) rdata = records.a;
    else if (qtype === RRType.AAAA) rdata = records.aaaa;
    else if (qtype === RRType.NS) rdata = records.ns;
    if (rdata !== undefined) {
      w.begin(req, responseFlags(req, FLAG_AA, Rcode.NOERROR));
      w.rr(ANSWER, QNAME_POINTER, qtype, ttl, rdata);
      setResult(out, Rcode.NOERROR, 'answer');
      return;
    }
    if (qtype === RRType.SOA && records.soaNames !== undefined) {
      w.begin(req, responseFlags(req, FLAG_AA, Rcode.NOERROR));
      w.soa(ANSWER, QNAME_POINTER, ttl, records.soaNames, now);
      setResult(out, Rcode.NOERROR, 'answer');
      return;
    }
  }

  // Other types at the apex need no lookup (the apex exists); elsewhere the
  // lookup also tells NODATA from NXDOMAIN.
  const wantsTxt = qtype === RRType.TXT || qtype === RRType.ANY;
  const values = wantsTxt || !apex ? env.store.query(key, now) : EMPTY;
  if (wantsTxt && values.length > 0) {
    w.begin(req, responseFlags(req, FLAG_AA, Rcode.NOERROR));
    for (let i = 0; i < values.length; i++) w.txt(ANSWER, QNAME_POINTER, ttl, values[i]!);
    setResult(out, Rcode.NOERROR, 'answer');
    return;
  }
  if (apex && qtype === RRType.ANY && records.soaNames !== undefined) {
    w.begin(req, responseFlags(req, FLAG_AA, Rcode.NOERROR));
    w.soa(ANSWER, QNAME_POINTER, ttl, records.soaNames, now);
    setResult(out, Rcode.NOERROR, 'answer');
    return;
  }

  const exists = apex || values.length > 0 || env.interior.isInterior(key, now);
  const rcode = exists ? Rcode.NOERROR : Rcode.NXDOMAIN;
  w.begin(req, responseFlags(req, FLAG_AA, rcode));
  if (records.soaNames !== undefined) {
    // The apex is a suffix of the question name: point at it there.
    const owner = 0xc000 | suffixOffset(req.wire, config.zoneLabels);
    w.soa(AUTHORITY, owner, ttl, records.soaNames, now);
  }
  setResult(out, rcode, exists ? 'nodata' : 'nxdomain');
}
