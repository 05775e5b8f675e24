/**
 * The node's structured logger (pino). JSON lines for machines, or a compact
 * text form for people; secrets are redacted by key wherever they appear, as
 * a second line of defence behind "never log secrets" at the call sites.
 * JSON lines name their level (`"level":"info"`), not pino's number, so
 * log shippers and `jq 'select(.level=="warn")'` need no table.
 */
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line. */
const REDACT = [
  'secret',
  'token',
  'password',
  'passphrase',
  'authorization',
  'tsig_secret_hex',
  '*.secret',
  '*.token',
  '*.authorization',
  '*.tsig_secret_hex',
  'req.headers.authorization',
];

const LEVEL_ALIASES: Record<string, string> = { warning: 'warn', critical: 'fatal' };

export interface NodeLoggerOptions {
  readonly level: string;
  readonly format: 'text' | 'json';
  /** Where lines go (default stdout). */
  readonly destination?: NodeJS.WritableStream;
}

export function createNodeLogger(options: NodeLoggerOptions): Logger {
  const level = LEVEL_ALIASES[options.level] ?? options.level;
  const out = options.destination ?? process.stdout;
  const base = {
    level,
    base: undefined,
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.format === 'json') {
    return pino({ ...base, formatters: { level: (label: string) => ({ level: label }) } }, out);
  }
  return pino(base, textStream(out));
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Re-renders pino's JSON lines as `<time> <LEVEL> <msg> key=value …`. */
function textStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.length === 0) continue;
        try {
          const { time, level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
          const extras = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          out.write(
            `${time} ${LEVEL_NAMES[level as number] ?? level} ${msg ?? ''}${extras ? ` ${extras}` : ''}\n`,
          );
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}
