/**
 * Output helpers shared by the commands: plain lines on stdout, warnings
 * and notes on stderr, JSON for `--json`, colour and progress only when the
 * stream is a terminal (piped output stays parseable and byte-stable).
 */

/** Where a command writes; tests and `main` use the process streams. */
export interface OutputStreams {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly err: NodeJS.WritableStream & { isTTY?: boolean };
}

const processStreams: OutputStreams = { out: process.stdout, err: process.stderr };

/**
 * `DNSMESH_DEBUG=1`: phase timings on stderr (milliseconds since process start), to
 * see where a slow command spends its time. Silent otherwise.
 */
export function trace(label: string): void {
  if (process.env.DNSMESH_DEBUG === '1') {
    processStreams.err.write(`dnsmesh: [${performance.now().toFixed(1)} ms] ${label}\n`);
  }
}

/**
 * Exit status of a process whose reader went away: 128 + SIGPIPE (13), what
 * the shell reports for `cat`, `grep` or `git` killed by SIGPIPE.
 */
export const BROKEN_PIPE_EXIT = 141;

/**
 * Makes a closed reader end the process quietly. A reader that stops early
 * (`dnsmesh recv | head -1`, `… | head -0`) closes the pipe, and the next
 * write fails with EPIPE. A C program dies of SIGPIPE there without a word;
 * Node ignores SIGPIPE and raises the error on the stream instead, which,
 * unhandled, prints a stack trace. This exits with
 * {@link BROKEN_PIPE_EXIT} and nothing on stderr, which `set -o pipefail`
 * scripts see as they see any other command cut short. Other stream errors
 * stay fatal as before.
 */
export function exitQuietlyOnBrokenPipe(
  streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(BROKEN_PIPE_EXIT);
      throw err;
    });
  }
}

/** Writes one line (or several, joined) to stdout. */
export function println(...lines: string[]): void {
  processStreams.out.write(`${lines.join('\n')}\n`);
}

/** Writes one line to stderr (warnings, hints, notes). */
export function eprintln(...lines: string[]): void {
  processStreams.err.write(`${lines.join('\n')}\n`);
}

/** `dnsmesh: warning: …` on stderr — the command goes on. */
export function warn(message: string): void {
  eprintln(`dnsmesh: warning: ${message}`);
}

/** Pretty JSON (2-space indent, as the reference's `json.dumps(indent=2)`) on stdout. */
export function printJson(value: unknown): void {
  println(JSON.stringify(value, null, 2));
}

/** True when stdout is a terminal and NO_COLOR is not set. */
export function stdoutIsTerminal(): boolean {
  return processStreams.out.isTTY === true;
}

function colourAllowed(stream: { isTTY?: boolean }): boolean {
  return stream.isTTY === true && (process.env.NO_COLOR ?? '') === '';
}

const SGR = { red: '31', green: '32', yellow: '33', dim: '2', bold: '1' } as const;

/** Wraps `text` in an ANSI colour when stdout is a terminal; plain otherwise. */
export function colour(text: string, name: keyof typeof SGR): string {
  return colourAllowed(processStreams.out) ? `\x1b[${SGR[name]}m${text}\x1b[0m` : text;
}

/** `key: value` lines with the keys left-aligned (the reference's `identity show` shape). */
export function keyValueLines(entries: readonly (readonly [string, string])[]): string[] {
  return entries.map(([k, v]) => `${k}: ${v}`);
}

/** Left-pads columns of a table to their widest cell; the last column is not padded. */
export function table(rows: readonly (readonly string[])[], gap = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join(gap)
      .trimEnd(),
  );
}

/** ISO-8601 UTC without milliseconds (`2030-01-01T00:00:00Z`), as the reference prints expiries. */
export function isoUtc(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A one-line progress indicator on stderr, only when stderr is a terminal
 * (never in pipes, logs or tests). `done()` erases it.
 */
export interface Progress {
  update(text: string): void;
  done(): void;
}

export function progress(): Progress {
  const stream = processStreams.err;
  if (stream.isTTY !== true) return { update() {}, done() {} };
  let shown = false;
  return {
    update(text) {
      stream.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
