/**
 * The one seam between DNS message logic and the network (RFC 1035 §4.2):
 * a transport sends one request to one server and returns the matching
 * reply. UDP, TCP and later DNS-over-HTTPS (RFC 8484) implement it; readers,
 * writers and pools only ever see this interface, and every implementation
 * must pass the shared compliance suite (test/dns/client/transport-compliance.ts).
 */
import type { DnsMessage } from '../wire/message.js';
import type { DnsProtocol } from './errors.js';
import type { DnsServer } from './server-address.js';

/** Per-exchange options. */
export interface ExchangeOptions {
  readonly server: DnsServer;
  /** Total budget for this exchange, retries and fallbacks included. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * A request is either a message (the transport gives it a fresh random ID
 * and may add EDNS or 0x20 case randomisation) or finished wire octets sent
 * unchanged — needed for TSIG-signed requests, whose MAC covers the octets.
 */
export type DnsRequest = DnsMessage | Uint8Array;

/**
 * A reply that matched the request (same ID, QR set, same opcode, same
 * question or — for error replies only — no question). It is the decoded
 * message plus what signature checks and health tracking need.
 */
export interface DnsReply extends DnsMessage {
  /** The reply exactly as received (TSIG verification needs the octets). */
  readonly wire: Uint8Array;
  /** `host:port` that answered. */
  readonly server: string;
  /** Protocol of the exchange that produced the reply (`tcp` after a TC fallback). */
  readonly protocol: DnsProtocol;
  /** Milliseconds from first send to this reply. */
  readonly rttMs: number;
}

/**
 * Sends DNS requests. `exchange` resolves with the matching reply whatever
 * its RCODE (interpreting RCODEs is the caller's business) and rejects only
 * with a `DnsTransportError` subclass for network failures — or a
 * `DnsRequestError` when the request itself cannot be sent.
 */
export interface DnsTransport {
  /** Short name for logs and `list()` output (`udp`, `tcp`, `doh`, …). */
  readonly name: string;
  exchange(request: DnsRequest, options: ExchangeOptions): Promise<DnsReply>;
}

/** Wraps a matched reply message with its transport metadata. */
export function makeReply(
  message: DnsMessage,
  wire: Uint8Array,
  server: string,
  protocol: DnsProtocol,
  rttMs: number,
): DnsReply {
  return { ...message, wire, server, protocol, rttMs };
}
