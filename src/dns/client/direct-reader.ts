/**
 * TXT reader bound to one DNS server (RFC 1035 §4.2): the home node's DNS
 * port, or a single configured resolver (cli spec §3.1, core spec §11.2).
 * No failover — a failure is reported as `{status: 'error'}` — which is
 * what a cluster union reader wants from each per-node reader.
 */
import { Rcode, RRType } from '../wire/constants.js';
import { asClientError, DnsUntrustedAnswerError } from './errors.js';
import { queryMessage } from './request.js';
import { type DnsServer, formatServer } from './server-address.js';
import type { DnsTransport } from './transport.js';
import { type TxtAnswer, txtAnswerFromReply } from './txt-answer.js';
import { type ReadTxtOptions, runValidator, type TxtReader } from './txt-reader.js';
import { UdpTransport } from './udp-transport.js';

export interface DirectReaderOptions {
  readonly server: DnsServer;
  /** Default: UDP with TCP fallback on truncation. */
  readonly transport?: DnsTransport;
  /** Budget per lookup (default 3000 ms, the reference's single-host reader timeout). */
  readonly timeoutMs?: number;
  /**
   * Require DNSSEC validation by the server: queries set DO and answers —
   * negative ones included — must carry AD (cli spec §3.1).
   */
  readonly dnssecRequired?: boolean;
}

/** {@link TxtReader} over a single server. */
export class DirectReader implements TxtReader {
  readonly server: DnsServer;
  private readonly transport: DnsTransport;
  private readonly timeoutMs: number;
  private readonly dnssecRequired: boolean;

  constructor(options: DirectReaderOptions) {
    this.server = options.server;
    this.transport = options.transport ?? new UdpTransport();
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.dnssecRequired = options.dnssecRequired ?? false;
  }

  async readTxt(name: string, options: ReadTxtOptions = {}): Promise<TxtAnswer> {
    const server = formatServer(this.server);
    let answer: TxtAnswer;
    try {
      const reply = await this.transport.exchange(
        queryMessage(name, RRType.TXT, { dnssecOk: this.dnssecRequired }),
        { server: this.server, timeoutMs: this.timeoutMs, signal: options.signal },
      );
      if (this.dnssecRequired && !reply.header.ad && reply.header.rcode !== Rcode.SERVFAIL) {
        const reason = 'answer not DNSSEC-validated (AD clear)';
        return { status: 'error', error: new DnsUntrustedAnswerError(server, name, reason) };
      }
      answer = txtAnswerFromReply(reply, name, server);
    } catch (err) {
      return { status: 'error', error: asClientError(err) };
    }
    if (answer.status === 'found' && options.validate !== undefined) {
      if (!runValidator(options.validate, answer.values)) {
        const reason = 'values fail validation';
        const error = new DnsUntrustedAnswerError(server, name, reason, answer.values);
        return { status: 'error', error };
      }
    }
    return answer;
  }
}
