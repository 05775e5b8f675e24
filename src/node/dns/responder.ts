/**
 * The contract between the node's DNS transports (UDP/TCP listeners,
 * response-rate limiting) and the code that decides what to answer. A
 * transport hands over the raw request bytes; the responder returns the bytes
 * to send (or nothing), plus what the transport needs for rate limiting and
 * metrics, without the transport ever parsing DNS itself.
 */

export type DnsTransport = 'udp' | 'tcp';

export interface DnsRequestContext {
  readonly transport: DnsTransport;
  /** Source IP address (IPv4 dotted or IPv6 text). */
  readonly remoteAddress: string;
  /** Largest UDP response the client can take (from EDNS, clamped); TCP: 65535. */
  readonly maxResponseBytes?: number;
}

/** How a response is classified, for RRL buckets and metrics. */
export type ResponseKind =
  | 'answer' // positive answer
  | 'nodata' // name exists (or apex), no data of that type
  | 'nxdomain'
  | 'refused' // out of zone or policy refusal
  | 'error' // FORMERR, SERVFAIL, NOTIMP ...
  | 'update' // any response to an UPDATE
  | 'truncated'; // TC=1 stub

export interface DnsResponse {
  /** Wire bytes to send (for UDP already fitted to the client's size limit). */
  readonly wire: Uint8Array;
  readonly rcode: number;
  readonly kind: ResponseKind;
  /** Lower-cased question name, when there was one (RRL groups by it). */
  readonly qname?: string;
  /**
   * The request carried a TSIG signature that verified (RFC 8945). Such a
   * request cannot come from a spoofed address, so response-rate limiting,
   * which exists against reflection, never withholds its reply.
   */
  readonly authenticated: boolean;
  /**
   * The request carried a valid DNS Server Cookie (RFC 7873) that this node
   * minted for its source address: over UDP, that address is proven, so
   * neither the response byte budget nor RRL withholds the reply.
   */
  readonly addressVerified?: boolean;
  /**
   * Builds the minimal TC=1 reply to the same request, for RRL "slip":
   * a rate-limited client is told to retry over TCP instead of being dropped.
   * Call it before the next `respond` on the same responder.
   */
  truncated(): Uint8Array;
}

export interface DnsResponder {
  /**
   * Answers one request. Returns `undefined` when no reply must be sent
   * (fewer octets than a DNS header, a response packet); a request that
   * has a header but does not decode gets FORMERR. Never throws.
   */
  respond(request: Uint8Array, context: DnsRequestContext): DnsResponse | undefined;
}
