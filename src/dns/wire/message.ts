/**
 * Whole DNS messages (RFC 1035 §4.1): header, question section and the three
 * resource-record sections, with EDNS OPT placement rules from RFC 6891
 * §6.1.1. For UPDATE (RFC 2136 §2) the same four sections are the zone,
 * prerequisite, update and additional sections; see `update.ts`.
 */
import { readU16 } from '../../protocol/bytes.js';
import { accept, type ParseResult, reject } from '../../protocol/result.js';
import { MAX_MESSAGE_SIZE, RRType } from './constants.js';
import { encodeFail } from './errors.js';
import { type DnsHeader, decodeHeader, encodeFlags, HEADER_SIZE } from './header.js';
import { ROOT_NAME, readName, writeName } from './name.js';
import { type Rdata, readRdata, writeRdata } from './rdata.js';
import { WireReader } from './reader.js';
import { WireWriter } from './writer.js';

/** A question (for UPDATE: the zone section entry). */
export interface DnsQuestion {
  /** Owner name as received (case preserved, no trailing dot). */
  name: string;
  type: number;
  class: number;
}

/** A resource record, including the OPT and TSIG pseudo-records. */
export interface DnsRecord {
  /** Owner name as received (case preserved, no trailing dot). */
  name: string;
  type: number;
  class: number;
  /** Unsigned 32-bit TTL (for OPT: the packed EDNS fields). */
  ttl: number;
  data: Rdata;
}

export interface DnsMessage {
  header: DnsHeader;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

type Section = 'answer' | 'authority' | 'additional';

/** Smallest possible question (root name + type + class) and record (+ TTL + RDLENGTH). */
const MIN_QUESTION = 5;
const MIN_RECORD = 11;

function readRecords(r: WireReader, count: number, section: Section, out: DnsRecord[]): boolean {
  for (let i = 0; i < count; i++) {
    const name = readName(r);
    if (name === undefined) return false;
    if (!r.need(10, 'resource record')) return false;
    const type = r.u16('type');
    const cls = r.u16('class');
    const ttl = r.u32('ttl');
    const rdlen = r.u16('rdlength');
    if (type === RRType.OPT) {
      // RFC 6891 §6.1.1: OPT only in the additional section, owned by the root.
      if (section !== 'additional' || name !== ROOT_NAME) {
        r.fail('structure', 'OPT record outside the additional section or not owned by the root');
        return false;
      }
    }
    const data = readRdata(r, type, cls, rdlen);
    if (data === undefined) return false;
    out.push({ name, type, class: cls, ttl, data });
  }
  return true;
}

/**
 * Decodes a DNS message. Never throws: truncation, trailing octets, bad
 * compression pointers, over-long names, malformed typed RDATA or misplaced /
 * duplicate OPT records give a rejection. TSIG placement is not checked here
 * (the TSIG verifier reports it as FORMERR, as a server must answer it).
 */
export function decodeMessage(wire: Uint8Array): ParseResult<DnsMessage> {
  if (wire.length < HEADER_SIZE) return reject('length', `message of ${wire.length} octets`);
  const qdcount = readU16(wire, 4);
  const ancount = readU16(wire, 6);
  const nscount = readU16(wire, 8);
  const arcount = readU16(wire, 10);
  // Refuse impossible counts before allocating anything for them.
  const floor = HEADER_SIZE + qdcount * MIN_QUESTION + (ancount + nscount + arcount) * MIN_RECORD;
  if (floor > wire.length) return reject('length', 'section counts exceed the message size');

  const r = new WireReader(wire);
  r.pos = HEADER_SIZE;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qdcount; i++) {
    const name = readName(r);
    if (name === undefined || !r.need(4, 'question')) return r.error!;
    questions.push({ name, type: r.u16('qtype'), class: r.u16('qclass') });
  }
  const answers: DnsRecord[] = [];
  const authorities: DnsRecord[] = [];
  const additionals: DnsRecord[] = [];
  if (
    !readRecords(r, ancount, 'answer', answers) ||
    !readRecords(r, nscount, 'authority', authorities) ||
    !readRecords(r, arcount, 'additional', additionals)
  ) {
    return r.error!;
  }
  if (r.pos !== wire.length) {
    return reject('structure', `${wire.length - r.pos} trailing octets after the last record`);
  }
  let opts = 0;
  for (const rr of additionals) if (rr.type === RRType.OPT) opts++;
  if (opts > 1) return reject('structure', 'more than one OPT record');
  return accept({ header: decodeHeader(wire), questions, answers, authorities, additionals });
}

/** Writes one record (owner, type, class, TTL, RDLENGTH, RDATA). */
export function writeRecord(w: WireWriter, rr: DnsRecord, compress: boolean): void {
  writeName(w, rr.name, compress);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  writeRdata(w, rr.type, rr.data, compress);
}

function writeCount(w: WireWriter, n: number, what: string): void {
  if (n > 0xffff) encodeFail(`too many ${what}: ${n}`);
  w.u16(n);
}

/**
 * Appends the encoding of `msg` to a freshly reset writer, leaving the
 * writer's compression map populated (the TSIG signer continues from there).
 */
export function writeMessage(w: WireWriter, msg: DnsMessage, compress: boolean): void {
  w.u16(msg.header.id);
  w.u16(encodeFlags(msg.header));
  writeCount(w, msg.questions.length, 'questions');
  writeCount(w, msg.answers.length, 'answer records');
  writeCount(w, msg.authorities.length, 'authority records');
  writeCount(w, msg.additionals.length, 'additional records');
  for (const q of msg.questions) {
    writeName(w, q.name, compress);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of msg.answers) writeRecord(w, rr, compress);
  for (const rr of msg.authorities) writeRecord(w, rr, compress);
  for (const rr of msg.additionals) writeRecord(w, rr, compress);
  if (w.pos > MAX_MESSAGE_SIZE) {
    encodeFail(`message of ${w.pos} octets exceeds ${MAX_MESSAGE_SIZE}`);
  }
}

export interface EncodeOptions {
  /** RFC 1035 §4.1.4 name compression (default true). */
  compress?: boolean;
}

const shared = new WireWriter(4096);

/**
 * Encodes `msg`. Section counts come from the array lengths. Throws
 * `DnsEncodeError` for invalid names, out-of-range fields, RDATA that does not
 * fit its type, or a result larger than 65535 octets.
 */
export function encodeMessage(msg: DnsMessage, options: EncodeOptions = {}): Uint8Array {
  shared.reset();
  writeMessage(shared, msg, options.compress ?? true);
  return shared.toBytes();
}
