/**
 * Maps client-library failures to CLI errors with the spec's exit codes:
 * problems with the user's input or local files exit 1, failures on the
 * network or at the node exit 2 (cli spec §1.3).
 */
import { DmpClientError, type DmpClientErrorCode } from '../client/errors.js';
import { RecordWriteError } from '../dns/client/record-writer.js';
import { CliError, describeError, ExitCode } from './errors.js';

const NETWORK_CODES: ReadonlySet<DmpClientErrorCode> = new Set([
  'send-failed',
  'publish-failed',
  'contact-not-sendable',
  'bad-recipient-key',
  'message-too-large',
  'prekey-id-exhausted',
  'unreachable',
]);

/** A CliError for `err`; unknown errors are rethrown unchanged. */
export function asCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof DmpClientError) {
    const code = NETWORK_CODES.has(err.code) ? ExitCode.network : ExitCode.user;
    return new CliError(code, err.message, { cause: err });
  }
  if (err instanceof RecordWriteError) {
    return new CliError(ExitCode.network, err.message, { cause: err });
  }
  throw err;
}

/** Runs `fn`, converting client failures. */
export async function clientCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asCliError(err);
  }
}

/** `describeError` for the cause chain's innermost useful message. */
export function rootMessage(err: unknown): string {
  return describeError(err instanceof Error && err.cause instanceof Error ? err.cause : err);
}
