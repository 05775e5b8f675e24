/**
 * Typed failures of the DNS client (RFC 1035 §4.2 transports, RFC 7766 TCP).
 *
 * Every failure names the server as `host:port` and the protocol so a log
 * line alone tells an operator which upstream misbehaved. Callers branch on
 * `instanceof` or on the stable `code`, never on message text.
 */
import { rcodeName } from '../wire/constants.js';

/** Stable machine-readable cause of a {@link DnsClientError}. */
export type DnsClientErrorCode =
  | 'timeout'
  | 'connection-refused'
  | 'connection-reset'
  | 'connection-closed'
  | 'unreachable'
  | 'socket'
  | 'truncated'
  | 'malformed-reply'
  | 'aborted'
  | 'rcode'
  | 'untrusted-answer'
  | 'no-resolver'
  | 'bad-request';

/** Base of every error the DNS client produces for network-side trouble. */
export abstract class DnsClientError extends Error {
  abstract readonly code: DnsClientErrorCode;
}

/** The request cannot be sent at all (a caller bug such as an invalid name, not a network failure). */
export class DnsRequestError extends DnsClientError {
  override readonly name = 'DnsRequestError';
  readonly code = 'bad-request';
}

/** Transport protocol an exchange used. */
export type DnsProtocol = 'udp' | 'tcp';

/** The exchange with one server failed before a usable reply arrived. */
export abstract class DnsTransportError extends DnsClientError {
  constructor(
    /** `host:port` of the server. */
    readonly server: string,
    readonly protocol: DnsProtocol,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** No reply within the deadline. */
export class DnsTimeoutError extends DnsTransportError {
  override readonly name = 'DnsTimeoutError';
  readonly code = 'timeout';
  constructor(
    server: string,
    protocol: DnsProtocol,
    /** The budget that ran out, in milliseconds. */
    readonly timeoutMs: number,
    /** Why earlier replies were discarded, when some arrived but none fitted. */
    readonly discarded?: string,
  ) {
    const tail = discarded === undefined ? '' : ` (discarded: ${discarded})`;
    super(server, protocol, `timeout after ${timeoutMs} ms at ${server}/${protocol}${tail}`);
  }
}

/** Socket-level failure: refused, reset, closed early, unreachable, or another OS error. */
export class DnsConnectionError extends DnsTransportError {
  override readonly name = 'DnsConnectionError';
  constructor(
    server: string,
    protocol: DnsProtocol,
    readonly code:
      | 'connection-refused'
      | 'connection-reset'
      | 'connection-closed'
      | 'unreachable'
      | 'socket',
    detail: string,
    options?: ErrorOptions,
  ) {
    super(server, protocol, `${detail} (${server}/${protocol})`, options);
  }
}

/** A UDP reply had TC=1 and the transport was not allowed to retry over TCP. */
export class DnsTruncatedError extends DnsTransportError {
  override readonly name = 'DnsTruncatedError';
  readonly code = 'truncated';
  constructor(server: string) {
    super(server, 'udp', `truncated reply from ${server}/udp and no TCP fallback configured`);
  }
}

/** The server sent octets that are not a usable reply (undecodable, wrong shape, bad framing). */
export class DnsMalformedReplyError extends DnsTransportError {
  override readonly name = 'DnsMalformedReplyError';
  readonly code = 'malformed-reply';
  constructor(
    server: string,
    protocol: DnsProtocol,
    readonly detail: string,
  ) {
    super(server, protocol, `malformed reply from ${server}/${protocol}: ${detail}`);
  }
}

/** The caller's `AbortSignal` fired. */
export class DnsAbortedError extends DnsTransportError {
  override readonly name = 'DnsAbortedError';
  readonly code = 'aborted';
  constructor(server: string, protocol: DnsProtocol, reason?: unknown) {
    super(server, protocol, `query to ${server}/${protocol} aborted`, { cause: reason });
  }
}

/** A server answered, but with an RCODE that means "could not answer" (SERVFAIL, REFUSED, …). */
export class DnsRcodeError extends DnsClientError {
  override readonly name = 'DnsRcodeError';
  readonly code = 'rcode';
  constructor(
    readonly server: string,
    readonly rcode: number,
    /** The name that was asked for. */
    readonly qname: string,
  ) {
    super(`rcode ${rcodeName(rcode)} from ${server} for ${qname}`);
  }
}

/** An answer failed the caller's validation (for DMP: a signature that does not verify). */
export class DnsUntrustedAnswerError extends DnsClientError {
  override readonly name = 'DnsUntrustedAnswerError';
  readonly code = 'untrusted-answer';
  constructor(
    readonly server: string,
    readonly qname: string,
    reason: string,
    /** The values that failed the caller's validation, when there were any. */
    readonly values?: readonly string[],
  ) {
    super(`answer from ${server} for ${qname} rejected: ${reason}`);
  }
}

/** Every resolver of a pool failed; `failures` holds one error per resolver tried. */
export class DnsNoResolverError extends DnsClientError {
  override readonly name = 'DnsNoResolverError';
  readonly code = 'no-resolver';
  constructor(
    readonly qname: string,
    readonly failures: readonly DnsClientError[],
    /** `host:port` of upstreams left untried because the lookup deadline passed. */
    readonly untried: readonly string[] = [],
  ) {
    const parts = failures.map((f) => f.message);
    if (untried.length > 0) parts.push(`deadline passed before trying ${untried.join(', ')}`);
    super(`no resolver answered ${qname}: ${parts.join('; ') || 'no resolvers tried'}`, {
      cause: failures[failures.length - 1],
    });
  }
}

/** Turns anything a transport threw into a typed client error (foreign errors become `DnsRequestError`). */
export function asClientError(err: unknown): DnsClientError {
  if (err instanceof DnsClientError) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new DnsRequestError(text, { cause: err });
}

/** Maps a Node socket error code to a {@link DnsConnectionError}. */
export function connectionError(
  server: string,
  protocol: DnsProtocol,
  err: unknown,
): DnsConnectionError {
  const code = (err as { code?: unknown } | undefined)?.code;
  const text = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return new DnsConnectionError(server, protocol, 'connection-refused', 'connection refused', {
        cause: err,
      });
    case 'ECONNRESET':
    case 'EPIPE':
      return new DnsConnectionError(server, protocol, 'connection-reset', 'connection reset', {
        cause: err,
      });
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'EADDRNOTAVAIL':
      return new DnsConnectionError(server, protocol, 'unreachable', `unreachable: ${text}`, {
        cause: err,
      });
    default:
      return new DnsConnectionError(server, protocol, 'socket', `socket error: ${text}`, {
        cause: err,
      });
  }
}
