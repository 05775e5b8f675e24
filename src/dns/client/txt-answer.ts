/**
 * What a TXT lookup found (RFC 1035 §3.3.14; RFC 2308 for the two kinds of
 * "no answer"), in DMP terms (core spec §1.1): each TXT RR is one logical
 * value — its character-strings concatenated, then decoded as UTF-8.
 *
 * Unlike the reference, the "none" outcomes stay distinguishable: NXDOMAIN
 * (the name does not exist), NODATA (it exists without TXT) and error (no
 * usable answer at all). {@link collapseTxt} gives the reference's view.
 */
import { tryDecodeUtf8 } from '../../protocol/bytes.js';
import { Rcode, RRClass, RRType } from '../wire/constants.js';
import { fullRcode } from '../wire/edns.js';
import type { DnsMessage, DnsRecord } from '../wire/message.js';
import { canonicalName } from '../wire/name.js';
import { txtBytes } from '../wire/txt.js';
import { type DnsClientError, DnsRcodeError } from './errors.js';

/** Outcome of one TXT lookup. `server` says who answered, when one did. */
export type TxtAnswer =
  | { readonly status: 'found'; readonly values: string[]; readonly server?: string }
  | { readonly status: 'nxdomain'; readonly server?: string }
  | { readonly status: 'nodata'; readonly server?: string }
  | { readonly status: 'error'; readonly error: DnsClientError };

/** CNAME hops followed inside one answer section (bounds hostile chains). */
const MAX_CNAME_HOPS = 8;

const lossy = new TextDecoder('utf-8');

/** Strict UTF-8 of the joined strings; a lossy decode keeps malformed values visible (they then fail verification). */
function logicalValue(strings: Uint8Array[]): string {
  const bytes = txtBytes({ kind: 'TXT', strings });
  return tryDecodeUtf8(bytes) ?? lossy.decode(bytes);
}

function canonicalOrUndefined(name: string): string | undefined {
  try {
    return canonicalName(name);
  } catch {
    return undefined;
  }
}

/**
 * The records of `type` (class IN) that answer `qname` in a reply's answer
 * section, following an in-answer CNAME chain as recursive resolvers
 * return it. Never throws.
 */
export function answerRecordsFor(message: DnsMessage, qname: string, type: number): DnsRecord[] {
  const start = canonicalOrUndefined(qname);
  if (start === undefined) return [];
  const owners = new Set([start]);
  for (let hop = 0; hop < MAX_CNAME_HOPS; hop++) {
    let grew = false;
    for (const rr of message.answers) {
      if (rr.type !== RRType.CNAME || rr.data.kind !== 'NAME') continue;
      const owner = canonicalOrUndefined(rr.name);
      const target = canonicalOrUndefined(rr.data.target);
      if (owner !== undefined && target !== undefined && owners.has(owner) && !owners.has(target)) {
        owners.add(target);
        grew = true;
      }
    }
    if (!grew) break;
  }
  return message.answers.filter((rr) => {
    if (rr.type !== type || rr.class !== RRClass.IN) return false;
    const owner = canonicalOrUndefined(rr.name);
    return owner !== undefined && owners.has(owner);
  });
}

/** The logical TXT values for `qname` in a reply (see {@link answerRecordsFor}). Never throws. */
export function txtValuesFor(message: DnsMessage, qname: string): string[] {
  const values: string[] = [];
  for (const rr of answerRecordsFor(message, qname, RRType.TXT)) {
    if (rr.data.kind === 'TXT') values.push(logicalValue(rr.data.strings));
  }
  return values;
}

/**
 * Classifies a reply to a TXT query: NOERROR with values → found, NOERROR
 * without → nodata, NXDOMAIN → nxdomain, any other RCODE → error.
 */
export function txtAnswerFromReply(message: DnsMessage, qname: string, server: string): TxtAnswer {
  const rcode = fullRcode(message);
  if (rcode === Rcode.NXDOMAIN) return { status: 'nxdomain', server };
  if (rcode !== Rcode.NOERROR) {
    return { status: 'error', error: new DnsRcodeError(server, rcode, qname) };
  }
  const values = txtValuesFor(message, qname);
  return values.length > 0 ? { status: 'found', values, server } : { status: 'nodata', server };
}

/** The reference's view: the values, or `undefined` for every kind of "none". */
export function collapseTxt(answer: TxtAnswer): string[] | undefined {
  return answer.status === 'found' ? answer.values : undefined;
}

/** True for the two authoritative "no such record" outcomes. */
export function isAbsent(answer: TxtAnswer): boolean {
  return answer.status === 'nxdomain' || answer.status === 'nodata';
}
