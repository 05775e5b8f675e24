/**
 * Record writer over RFC 2136 DNS UPDATE signed with RFC 8945 TSIG
 * (HMAC-SHA256) to the home node (cli spec §3.2, node spec §2).
 *
 * One UPDATE per operation. Values longer than 255 octets travel as
 * several ≤255-octet character-strings of one RR (core spec §1.1 — the
 * reference cannot send them, so every slot manifest fails there). The
 * reply must carry a TSIG that verifies against our request MAC (§5.3
 * chaining); the only unsigned reply we interpret is the node's NOTAUTH
 * stub, which means our key was not accepted. Anything else unsigned might
 * be forged and is never reported as success.
 */

import { signMessage, verifyResponse } from '../tsig.js';
import type { TsigKey } from '../tsig-key.js';
import { Rcode, rcodeName } from '../wire/constants.js';
import type { DnsMessage } from '../wire/message.js';
import { isSubdomain } from '../wire/name.js';
import { txtAdd, txtDelete, txtDeleteRRset, updateMessage } from '../wire/update.js';
import { DnsClientError } from './errors.js';
import {
  RecordWriteError,
  type RecordWriteFailure,
  type RecordWriter,
  ttlProblem,
  type WriteOperation,
  type WriteOptions,
} from './record-writer.js';
import { randomId } from './request.js';
import { type DnsServer, formatServer } from './server-address.js';
import type { DnsReply, DnsTransport } from './transport.js';
import { UdpTransport } from './udp-transport.js';

export interface DnsUpdateWriterOptions {
  /** The node's DNS listener (an IP literal; resolve hostnames before). */
  readonly server: DnsServer;
  /** Zone section of every UPDATE (`tsig_zone`). */
  readonly zone: string;
  readonly key: TsigKey;
  /**
   * Default: UDP with TCP fallback on TC, two datagrams for publishes
   * (adds are idempotent) and one for deletes (a replayed delete of a value
   * already gone would come back SERVFAIL).
   */
  readonly transport?: DnsTransport;
  /** Budget per UPDATE (default 5000 ms, as the reference). */
  readonly timeoutMs?: number;
  /** Wall clock in milliseconds (TSIG time signed; default `Date.now`). */
  readonly clock?: () => number;
  /** Message ID source (default: CSPRNG). Tests pin it to replay reference packets. */
  readonly nextId?: () => number;
}

interface Operation {
  readonly kind: WriteOperation;
  readonly name: string;
  /** What the operation was, for messages: "add", "delete value", "delete RRset". */
  readonly what: string;
}

/** {@link RecordWriter} over TSIG-signed DNS UPDATE. */
export class DnsUpdateWriter implements RecordWriter {
  readonly target: string;
  private readonly options: DnsUpdateWriterOptions;
  private readonly publishTransport: DnsTransport;
  private readonly deleteTransport: DnsTransport;
  private readonly clock: () => number;
  private readonly nextId: () => number;

  constructor(options: DnsUpdateWriterOptions) {
    this.options = options;
    this.target = formatServer(options.server);
    this.publishTransport = options.transport ?? new UdpTransport({ attempts: 2 });
    this.deleteTransport = options.transport ?? new UdpTransport({ attempts: 1 });
    this.clock = options.clock ?? Date.now;
    this.nextId = options.nextId ?? randomId;
  }

  async publish(name: string, value: string, ttl: number, options?: WriteOptions): Promise<void> {
    const op: Operation = { kind: 'publish', name, what: 'add' };
    const problem = ttlProblem(ttl);
    if (problem !== undefined) throw this.fail(op, 'invalid', problem, 'pass a positive TTL');
    await this.send(
      op,
      this.build(op, () => txtAdd(name, ttl, value)),
      options,
    );
  }

  async delete(name: string, value?: string, options?: WriteOptions): Promise<void> {
    const op: Operation = {
      kind: 'delete',
      name,
      what: value === undefined ? 'delete RRset' : 'delete value',
    };
    const rr = () => (value === undefined ? txtDeleteRRset(name) : txtDelete(name, value));
    await this.send(op, this.build(op, rr), options);
  }

  private fail(
    op: Operation,
    code: RecordWriteFailure,
    reason: string,
    hint: string,
    cause?: unknown,
  ): RecordWriteError {
    const init = cause === undefined ? undefined : { cause };
    return new RecordWriteError(code, op.kind, op.name, this.target, reason, hint, init);
  }

  private build(op: Operation, record: () => ReturnType<typeof txtAdd>): DnsMessage {
    const { zone } = this.options;
    try {
      if (!isSubdomain(op.name, zone)) {
        throw this.fail(
          op,
          'wrong-zone',
          `${op.name} is not under zone ${zone}`,
          'publish names inside your zone, or fix tsig_zone',
        );
      }
      return updateMessage({ id: this.nextId(), zone, updates: [record()] });
    } catch (err) {
      if (err instanceof RecordWriteError) throw err;
      throw this.fail(op, 'invalid', (err as Error).message, 'check the name and value', err);
    }
  }

  private async send(op: Operation, message: DnsMessage, options?: WriteOptions): Promise<void> {
    const { key, server } = this.options;
    let signed: { wire: Uint8Array; mac: Uint8Array };
    try {
      signed = signMessage(message, key, { timeSigned: this.nowSeconds() });
    } catch (err) {
      throw this.fail(
        op,
        'invalid',
        (err as Error).message,
        'check the TSIG key and the value',
        err,
      );
    }
    const transport = op.kind === 'publish' ? this.publishTransport : this.deleteTransport;
    let reply: DnsReply;
    try {
      reply = await transport.exchange(signed.wire, {
        server,
        timeoutMs: this.options.timeoutMs ?? 5000,
        signal: options?.signal,
      });
    } catch (err) {
      const reason = err instanceof DnsClientError ? err.message : String(err);
      throw this.fail(
        op,
        'unreachable',
        reason,
        'check that the node is up and its DNS port is reachable (tsig_dns_server / tsig_dns_port)',
        err,
      );
    }
    this.interpret(op, reply, signed.mac);
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  private interpret(op: Operation, reply: DnsReply, requestMac: Uint8Array): void {
    const { key, zone } = this.options;
    const rcode = reply.header.rcode;
    const check = verifyResponse(reply.wire, key, requestMac, this.nowSeconds());
    if (check.status === 'unsigned') {
      if (rcode === Rcode.NOTAUTH) {
        throw this.fail(
          op,
          'unauthorized',
          `key ${key.name} not registered at ${this.target} (unsigned NOTAUTH: unknown, revoked or expired key, wrong secret, or clocks more than 300 s apart)`,
          'run `dnsmesh tsig register --node <node>` again and check the system clock',
        );
      }
      throw this.fail(
        op,
        'untrusted-reply',
        `unsigned ${rcodeName(rcode)} reply to a signed update`,
        'the reply may be forged or something on the path strips TSIG; retry and check the route to the node',
      );
    }
    if (check.status !== 'ok') {
      throw this.fail(
        op,
        'untrusted-reply',
        `reply TSIG does not verify (${check.status}: ${check.detail})`,
        'the reply may have been tampered with, or the key changed; retry',
      );
    }
    switch (rcode) {
      case Rcode.NOERROR:
        return;
      case Rcode.REFUSED:
        throw this.fail(
          op,
          'out-of-scope',
          `${op.what} refused (REFUSED): name outside your key's scope, or over the node's value/TTL/RRset caps`,
          op.kind === 'delete'
            ? 'deletes need a literal (non-wildcard) scope entry covering the name'
            : 'check the name against the scope printed by `dnsmesh tsig register`, and the value size',
        );
      case Rcode.NOTAUTH:
        throw this.fail(
          op,
          'wrong-zone',
          `zone ${zone} is not served by ${this.target} (NOTAUTH)`,
          'set tsig_zone to the zone the node serves',
        );
      case Rcode.NOTZONE:
        throw this.fail(
          op,
          'wrong-zone',
          `name outside zone ${zone} (NOTZONE)`,
          'publish names inside your zone, or fix tsig_zone',
        );
      case Rcode.SERVFAIL:
        throw op.kind === 'delete'
          ? this.fail(
              op,
              'not-found',
              'nothing matched or the node failed to delete (SERVFAIL)',
              'the record may already be gone; otherwise retry later',
            )
          : this.fail(
              op,
              'server-error',
              'the node failed to store the record (SERVFAIL)',
              'retry later',
            );
      case Rcode.FORMERR:
        throw this.fail(
          op,
          'rejected',
          'the node could not parse the update (FORMERR)',
          'the value must be valid UTF-8',
        );
      default:
        throw this.fail(op, 'server-error', `rcode ${rcodeName(rcode)}`, 'retry later');
    }
  }
}
