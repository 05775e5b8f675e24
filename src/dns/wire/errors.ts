/**
 * Encoder-side error for the DNS wire codec (RFC 1035 limits and friends).
 * Decoders never throw; they return a `ParseResult` rejection instead.
 */

/** Thrown by DNS encoders when a caller passes a value the wire format cannot carry. */
export class DnsEncodeError extends Error {
  override readonly name = 'DnsEncodeError';
}

/**
 * Throws a {@link DnsEncodeError}. Hot encoder paths write
 * `if (!ok) encodeFail(\`…\`)` so the message is only built on failure.
 */
export function encodeFail(message: string): never {
  throw new DnsEncodeError(message);
}

/** Throws a {@link DnsEncodeError} unless `condition` holds (cold paths: the message is always built). */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DnsEncodeError(message);
}
