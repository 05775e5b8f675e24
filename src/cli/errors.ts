/**
 * CLI failures and their exit codes (cli spec §1.3). Commands throw a
 * {@link CliError}; `main` prints `dnsmesh: <message>` on stderr and exits
 * with its code, so every failure path looks the same to scripts.
 */

/** Process exit statuses, as the reference uses them. */
export const ExitCode = {
  ok: 0,
  /** User or config error (bad input, missing config, wrong passphrase…). */
  user: 1,
  /** Network or backend error; also usage errors (argparse convention). */
  network: 2,
  /** `identity rotate --yes` succeeded but DMP_PASSPHRASE is now stale. */
  stalePassphrase: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the user can act on: `message` says what failed and what to do. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A user/config error (exit 1). */
export function userError(message: string, options?: { cause?: unknown }): CliError {
  return new CliError(ExitCode.user, message, options);
}

/** A network/backend error (exit 2). */
export function networkError(message: string, options?: { cause?: unknown }): CliError {
  return new CliError(ExitCode.network, message, options);
}

/** Network commands without a node to talk to (cli spec §3.3). */
export function noEndpointError(configPath: string): CliError {
  return userError(
    `no endpoint configured — set endpoint in ${configPath} (your node's HTTP URL), ` +
      'or start over with `dnsmesh init <user> --endpoint <url> --force`',
  );
}

/** Best-effort text of an unknown thrown value, without a stack. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    // Network failures from fetch hide the useful part (ECONNREFUSED …) in `cause`.
    const cause = err.cause instanceof Error ? err.cause : undefined;
    if (err.message === 'fetch failed' && cause !== undefined) return describeError(cause);
    return code !== undefined && !err.message.includes(code)
      ? `${err.message} (${code})`
      : err.message;
  }
  return String(err);
}
