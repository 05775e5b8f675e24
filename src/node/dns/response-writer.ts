/**
 * Respond step: writes response messages (RFC 1035 §4.1) straight into one
 * reusable buffer. The question section is copied from the request byte for
 * byte, so owner names of answers are compression pointers into it and come
 * out in exactly the case the client sent (DNS 0x20, RFC 1035 §4.1.4).
 * TXT values are cut into 255-octet character-strings (RFC 1035 §3.3.14);
 * the OPT record follows RFC 6891 §6.1 and carries at most the COOKIE option
 * (RFC 7873 §5.2), exactly when the responder set one for this request.
 *
 * One writer per responder: `respond` is synchronous and never re-entered,
 * and {@link ResponseWriter.finish} returns a copy the caller owns.
 */
import { MAX_MESSAGE_SIZE, RRClass, RRType } from '../../dns/wire/constants.js';
import { EDNS_COOKIE } from '../../dns/wire/cookie.js';
import { encodeFail } from '../../dns/wire/errors.js';
import { HEADER_SIZE } from '../../dns/wire/header.js';
import { type DnsRecord, writeRecord } from '../../dns/wire/message.js';
import { MAX_CHARACTER_STRING } from '../../dns/wire/txt.js';
import { WireWriter } from '../../dns/wire/writer.js';
import type { DnsRequest } from './request.js';
import { SOA_EXPIRE, SOA_REFRESH, SOA_RETRY } from './responder-config.js';

export const FLAG_QR = 0x8000;
export const FLAG_AA = 0x0400;
export const FLAG_TC = 0x0200;

/** Response sections, as indexes of the header count being written. */
export const ANSWER = 0;
export const AUTHORITY = 1;
export const ADDITIONAL = 2;
export type Section = typeof ANSWER | typeof AUTHORITY | typeof ADDITIONAL;

/** Compression pointer to the first question's name. */
export const QNAME_POINTER = 0xc000 | HEADER_SIZE;

/** UDP payload size we advertise (RFC 9715 / DNS flag day 2020 recommendation). */
export const ADVERTISED_UDP_SIZE = 1232;

const encoder = new TextEncoder();

/** Header flags of a response to `req` with `rcode` and the given extra bits. */
export function responseFlags(req: DnsRequest, extra: number, rcode: number): number {
  return FLAG_QR | (req.opcode << 11) | req.copiedFlags | extra | (rcode & 0xf);
}

export class ResponseWriter {
  private readonly w = new WireWriter(4096);
  private readonly counts = [0, 0, 0];
  // UTF-8 staging for TXT values; grows to the largest value seen.
  private scratch = new Uint8Array(2048);
  /**
   * COOKIE option data (Client ‖ Server Cookie) that {@link opt} appends,
   * or `undefined` for an OPT without options. Set per request.
   */
  cookie: Uint8Array | undefined = undefined;

  /** Starts a response: header with zero counts, then the echoed question section. */
  begin(req: DnsRequest, flags: number, echoQuestion = true): void {
    const w = this.w;
    w.reset();
    this.counts[0] = this.counts[1] = this.counts[2] = 0;
    w.u16(req.id);
    w.u16(flags);
    const questions = echoQuestion ? req.message.questions.length : 0;
    w.u16(questions);
    w.u16(0);
    w.u16(0);
    w.u16(0);
    if (questions > 0) w.bytes(req.wire.subarray(HEADER_SIZE, req.questionEnd));
  }

  /** Octets written so far. */
  get length(): number {
    return this.w.pos;
  }

  /** Appends one TXT RR holding `value` (UTF-8, split into ≤ 255-octet strings). */
  txt(section: Section, owner: number, ttl: number, value: string): void {
    const need = value.length * 3;
    if (this.scratch.length < need) this.scratch = new Uint8Array(need * 2);
    const scratch = this.scratch;
    const n = value.length === 0 ? 0 : encoder.encodeInto(value, scratch).written;
    const strings = n === 0 ? 1 : Math.ceil(n / MAX_CHARACTER_STRING);
    const rdlen = n + strings;
    if (rdlen > 0xffff) encodeFail(`TXT value of ${n} octets does not fit one RR`);
    this.rrHeader(section, owner, RRType.TXT, ttl, rdlen);
    const w = this.w;
    w.ensure(rdlen);
    const buf = w.buf;
    let pos = w.pos;
    if (n === 0) {
      buf[pos++] = 0;
    } else {
      for (let off = 0; off < n; off += MAX_CHARACTER_STRING) {
        const end = Math.min(n, off + MAX_CHARACTER_STRING);
        buf[pos++] = end - off;
        buf.set(scratch.subarray(off, end), pos);
        pos += end - off;
      }
    }
    w.pos = pos;
  }

  /** Appends an RR of `type`, class IN, with pre-encoded RDATA. */
  rr(section: Section, owner: number, type: number, ttl: number, rdata: Uint8Array): void {
    this.rrHeader(section, owner, type, ttl, rdata.length);
    this.w.bytes(rdata);
  }

  /** Appends the apex SOA: `names` is MNAME ‖ RNAME uncompressed (RFC 1035 §3.3.13). */
  soa(section: Section, owner: number, ttl: number, names: Uint8Array, serial: number): void {
    this.rrHeader(section, owner, RRType.SOA, ttl, names.length + 20);
    const w = this.w;
    w.bytes(names);
    w.u32(serial >>> 0);
    w.u32(SOA_REFRESH);
    w.u32(SOA_RETRY);
    w.u32(SOA_EXPIRE);
    w.u32(ttl); // MINIMUM = negative-caching TTL (RFC 2308 §4)
  }

  /**
   * Appends our OPT RR: payload size 1232, version 0 (RFC 6891 §6.1.2); no
   * options, or the COOKIE option when {@link cookie} is set.
   */
  opt(extendedRcode: number, dnssecOk: boolean): void {
    const w = this.w;
    const cookie = this.cookie;
    w.u8(0); // root owner
    w.u16(RRType.OPT);
    w.u16(ADVERTISED_UDP_SIZE);
    w.u8(extendedRcode);
    w.u8(0); // version
    w.u16(dnssecOk ? 0x8000 : 0);
    if (cookie === undefined) {
      w.u16(0); // RDLENGTH
    } else {
      w.u16(4 + cookie.length);
      w.u16(EDNS_COOKIE);
      w.u16(cookie.length);
      w.bytes(cookie);
    }
    this.counts[ADDITIONAL]!++;
  }

  /** Appends a record through the generic codec (cold paths: TSIG error RRs). */
  record(section: Section, rr: DnsRecord): void {
    writeRecord(this.w, rr, false);
    this.counts[section]!++;
  }

  /** Patches the section counts and returns a copy of the message. */
  finish(): Uint8Array {
    const w = this.w;
    if (w.pos > MAX_MESSAGE_SIZE) encodeFail(`response of ${w.pos} octets`);
    w.patchU16(6, this.counts[ANSWER]!);
    w.patchU16(8, this.counts[AUTHORITY]!);
    w.patchU16(10, this.counts[ADDITIONAL]!);
    return w.toBytes();
  }

  private rrHeader(section: Section, owner: number, type: number, ttl: number, rdlen: number) {
    const w = this.w;
    w.u16(owner);
    w.u16(type);
    w.u16(RRClass.IN);
    w.u32(ttl);
    w.u16(rdlen);
    this.counts[section]!++;
  }
}
