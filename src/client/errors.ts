/**
 * Typed failures of the messaging client. Each says what failed and what to
 * do; callers (the CLI) branch on `code`, never on message text. Network
 * write failures keep the writer's {@link RecordWriteError} as `cause`.
 */

/** Stable machine-readable cause of a {@link DmpClientError}. */
export type DmpClientErrorCode =
  /** No contact with that label. */
  | 'unknown-contact'
  /** The contact has no X25519 key, so nothing can be encrypted to it. */
  | 'contact-not-sendable'
  /** Contact data is malformed (bad key length, no key at all). */
  | 'invalid-contact'
  /** The message does not fit the node's value cap or the erasure code. */
  | 'message-too-large'
  /** A chunk or the manifest could not be published. */
  | 'send-failed'
  /** The recipient's key cannot be used (low-order X25519 key). */
  | 'bad-recipient-key'
  /** Mutually exclusive or out-of-range options. */
  | 'invalid-options'
  /** No intro with that id (already handled, or never existed). */
  | 'intro-not-found'
  /** A contact label is taken by a different key or zone. */
  | 'contact-conflict'
  /** The identity record could not be published. */
  | 'publish-failed'
  /** Could not draw an unused random prekey id. */
  | 'prekey-id-exhausted'
  /** The local state file cannot be used. */
  | 'state-file'
  /** An address or name argument is malformed. */
  | 'invalid-address'
  /** No DNS lookup of an operation got any answer (resolvers or node down). */
  | 'unreachable';

/** Base class of every client error. */
export class DmpClientError extends Error {
  override readonly name: string = 'DmpClientError';
  constructor(
    readonly code: DmpClientErrorCode,
    message: string,
    /** What the user can do about it. */
    readonly hint: string,
    options?: ErrorOptions,
  ) {
    super(hint ? `${message}. ${hint}` : message, options);
  }
}

/** Which limit a message exceeded. */
export type MessageLimit =
  /** The node's per-value cap (`DMP_MAX_VALUE_BYTES`) — the slot manifest grows 32 bytes per chunk. */
  | 'value-cap'
  /** zfec's 256-share limit (25,084-byte outer message). */
  | 'erasure-shares';

/** The message is too large; thrown before anything is published. */
export class MessageTooLargeError extends DmpClientError {
  override readonly name = 'MessageTooLargeError';
  constructor(
    readonly limit: MessageLimit,
    /** Size of the body as given, in bytes. */
    readonly bodyBytes: number,
    /** Largest body that fits with the same recipient and options. */
    readonly maxBodyBytes: number,
    detail: string,
  ) {
    super(
      'message-too-large',
      `message of ${bodyBytes} bytes is too large: ${detail}; at most ${maxBodyBytes} bytes fit`,
      limit === 'value-cap'
        ? 'Shorten the message, or raise DMP_MAX_VALUE_BYTES on your node and the client maxValueBytes'
        : 'Shorten the message',
    );
  }
}

/** A record of a send could not be published; nothing after it was attempted. */
export class SendFailedError extends DmpClientError {
  override readonly name = 'SendFailedError';
  constructor(
    /** Which record failed. */
    readonly recordKind: 'chunk' | 'manifest',
    readonly recordName: string,
    /** Records already published (they expire with the message TTL). */
    readonly published: number,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'send-failed',
      `send failed publishing ${recordKind} ${recordName} (${published} records already published): ${why}`,
      'Check the node endpoint and your write credentials, then send again',
      { cause },
    );
  }
}

/**
 * Not one lookup of an operation was answered: every resolver failed (down,
 * refusing, timing out). Thrown instead of reporting "nothing found", which
 * would be indistinguishable from an empty mailbox or an unknown user.
 */
export class UnreachableError extends DmpClientError {
  override readonly name = 'UnreachableError';
  constructor(
    /** What was being done ("receive", "identity fetch"). */
    readonly operation: string,
    /** One line per distinct failure, each naming the server (`host:port/proto`). */
    readonly reasons: readonly string[],
    cause?: unknown,
  ) {
    super(
      'unreachable',
      `${operation} failed: no DNS lookup was answered — ${reasons.join('; ')}`,
      'Check that the resolvers in your config (`dnsmesh resolvers list`) or your node are up and reachable',
      { cause },
    );
  }
}

/** The local state file is not a dnsmesh client state file, or is from a newer version. */
export class StateFileError extends DmpClientError {
  override readonly name = 'StateFileError';
  constructor(
    readonly path: string,
    detail: string,
    hint: string,
  ) {
    super('state-file', `cannot use state file ${path}: ${detail}`, hint);
  }
}
