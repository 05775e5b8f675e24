/**
 * The operator's token and audit commands, under `dnsmesh-node` and as the
 * `dnsmesh-node-admin` bin (the reference's name for them):
 *
 *   token issue SUBJECT [--expires D] [--rate R] [--burst N] [--note T]
 *                       [--with-prekey-scope X25519_HEX] [--json]
 *   token list [--subject S] [--include-revoked] [--json]
 *   token revoke SUBJECT|HASH-PREFIX
 *   token rotate SUBJECT [--expires D] [--rate R] [--burst N]
 *   audit tail [--event E] [--limit N] [--json]
 *
 * They work on the node's database (the state options, as for `key`), which
 * must exist: a token issued into a database no node reads would be a
 * silent failure. Exit codes as the reference's: 0 done, 1 nothing to act
 * on, 2 bad input (usage errors included) or an ambiguous hash prefix.
 */
import { existsSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { TokenRecord } from '../node/store/types.js';
import { terminalSafeField } from './terminal-text.js';

/** What the commands need from the program that hosts them. */
export interface TokenCommandsHost {
  /** Adds the state options (`--config`, `--zone`, `--data-dir`, `--db-path`) to `cmd`. */
  stateOptions(cmd: Command): Command;
  /** `cmd`'s options over its parents' (see node-program.ts). */
  flagsOf<T>(cmd: Command): T;
  /** The database path the node would use with these state options. */
  databasePath(flags: StateFlags): Promise<string>;
}

/** The state options as parsed. */
export interface StateFlags {
  config?: string;
  zone?: string;
  dataDir?: string;
  dbPath?: string;
  /** The reference's name for `--db-path`. */
  db?: string;
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const positiveRate = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive number of requests per second');
  return n;
};

/** Argparse's convention, which the reference's scripts rely on: usage errors exit 2. */
const usageExitsTwo = (cmd: Command): Command =>
  cmd.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

function programName(cmd: Command): string {
  let root = cmd;
  while (root.parent !== null) root = root.parent;
  return root.name();
}

function refuse(cmd: Command, message: string, code: number): never {
  process.stderr.write(`${programName(cmd)}: ${message}\n`);
  process.exit(code);
}

function out(text: string): void {
  process.stdout.write(text);
}

/** Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`, `-` for none (the reference's format). */
function utc(ts: number | null): string {
  if (ts === null) return '-';
  return new Date(ts * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Python's `str(float)` for the rates the reference prints (`10.0`, `2.5`). */
function pyFloat(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

const pad = (s: string, width: number) => s.padEnd(width);

type AdminStore = import('../node/store/sqlite/token-store.js').SqliteTokenStore;

/**
 * Runs `fn` on the token store of the database the flags name; refuses
 * (exit 2) when that database does not exist yet.
 */
async function withTokenStore<T>(
  host: TokenCommandsHost,
  cmd: Command,
  flags: StateFlags,
  fn: (store: AdminStore, now: number) => T,
): Promise<T> {
  const state =
    flags.db !== undefined && flags.dbPath === undefined ? { ...flags, dbPath: flags.db } : flags;
  const path = await host.databasePath(state);
  if (!existsSync(path)) {
    refuse(
      cmd,
      `no node database at ${path}. Start the node at least once, or name its ` +
        'database with --data-dir or --db-path.',
      2,
    );
  }
  const { openNodeStores } = await import('../node/store/sqlite/node-stores.js');
  const { TokenAdminError } = await import('../node/admin/token-admin.js');
  const stores = openNodeStores(path);
  try {
    return fn(stores.tokens, Math.floor(Date.now() / 1000));
  } catch (err) {
    if (err instanceof TokenAdminError) refuse(cmd, err.message, err.exitCode);
    throw err;
  } finally {
    stores.close();
  }
}

function issuer(suffix = ''): string {
  return `admin:${process.env.USER || 'unknown'}${suffix}`;
}

/** Seconds of `--expires`, undefined without it; a bad duration is exit 2. */
function parseExpires(
  cmd: Command,
  parse: (text: string) => number,
  text: string | undefined,
): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parse(text);
  } catch (err) {
    refuse(cmd, `--expires: ${(err as Error).message}`, 2);
  }
}

function tokenRow(t: TokenRecord, now: number) {
  return {
    token_hash: t.tokenHash,
    subject: t.subject,
    subject_type: t.subjectType,
    subject_hash12: t.subjectHash12,
    rate_per_sec: t.ratePerSec,
    rate_burst: t.rateBurst,
    issued_at: t.issuedAt,
    expires_at: t.expiresAt,
    revoked_at: t.revokedAt,
    issuer: t.issuer,
    note: t.note,
    live: t.revokedAt === null && (t.expiresAt === null || now < t.expiresAt),
  };
}

function tokenTable(rows: readonly TokenRecord[], now: number): string {
  if (rows.length === 0) return '(no tokens)\n';
  const header = ['HASH-PREFIX', 'SUBJECT', 'ISSUED', 'EXPIRES', 'REVOKED', 'STATUS'];
  const lines = [header.map((h) => pad(h, 20)).join('  ')];
  for (const t of rows) {
    const live = tokenRow(t, now).live;
    lines.push(
      [
        t.tokenHash.slice(0, 16),
        terminalSafeField(t.subject),
        utc(t.issuedAt),
        utc(t.expiresAt),
        utc(t.revokedAt),
        live ? 'live' : 'inactive',
      ]
        .map((c) => pad(c, 20))
        .join('  '),
    );
  }
  return `${lines.join('\n')}\n`;
}

const AUDIT_HELP = `
The trail holds issued, revoked, used, rejected and throttled events, hashes
only (never a token). The node deletes entries older than 30 days. A write
refused before a token was identified (an unknown, revoked or expired token,
an operator-only name, a delete in the shared pool) is not a row: it is
counted in the dmp_http_token_rejections_total metric (GET /metrics), by
reason, so bad requests cannot grow the database. Shared-pool (slot, chunk)
events name no token or subject.
`;

/** Adds `token …` and `audit tail` to `program`. */
export function addTokenCommands(program: Command, host: TokenCommandsHost): void {
  const stateOptions = (cmd: Command) =>
    host
      .stateOptions(cmd)
      .option('--db <file>', 'same as --db-path (the reference admin CLI name)');

  const token = usageExitsTwo(stateOptions(program.command('token'))).description(
    'manage the bearer tokens of the records API (multi-tenant mode)',
  );
  const flagsOf = <T>(cmd: Command) => host.flagsOf<StateFlags & T>(cmd);

  const rateOptions = (cmd: Command) =>
    cmd
      .option(
        '--expires <duration>',
        'lifetime: digits with optional unit s/m/h/d/w, e.g. 90d, 12h (default: never expires)',
      )
      .option('--rate <per-second>', 'requests per second (default 10.0)', positiveRate)
      .option('--burst <n>', 'burst budget (default 50)', positiveInt);

  rateOptions(stateOptions(token.command('issue <subject>')))
    .description(
      'mint a token for SUBJECT (local@domain); it is printed once and stored only as its SHA-256',
    )
    .option('--note <text>', 'free-form operator annotation')
    .option(
      '--with-prekey-scope <x25519-hex>',
      "the user's 32-byte X25519 public key (64 hex): lets the token publish that key's prekeys (pk-*.<hash12>.*)",
    )
    .option(
      '--json',
      'print {token, subject, subject_hash12, expires_at, rate_per_sec, rate_burst}',
    )
    .action(async (subject: string, _local: unknown, cmd: Command) => {
      const f = flagsOf<{
        expires?: string;
        rate?: number;
        burst?: number;
        note?: string;
        withPrekeyScope?: string;
        json?: boolean;
      }>(cmd);
      const admin = await import('../node/admin/token-admin.js');
      const expires = parseExpires(cmd, admin.parseDuration, f.expires);
      const issued = await withTokenStore(host, cmd, f, (store, now) =>
        admin.issueToken(store, {
          subject,
          expiresInSeconds: expires,
          ratePerSec: f.rate,
          rateBurst: f.burst,
          note: f.note,
          subjectHash12:
            f.withPrekeyScope === undefined ? null : admin.prekeyScopeHash12(f.withPrekeyScope),
          issuer: issuer(),
          now,
        }),
      );
      const r = issued.record;
      if (f.json) {
        const shown = {
          token: issued.token,
          subject: r.subject,
          subject_hash12: r.subjectHash12,
          expires_at: r.expiresAt,
          rate_per_sec: r.ratePerSec,
          rate_burst: r.rateBurst,
        };
        out(`${JSON.stringify(shown, null, 2)}\n`);
        return;
      }
      const lines = [`  subject:    ${r.subject}`];
      if (r.subjectHash12 !== null) lines.push(`  prekey h12: ${r.subjectHash12}`);
      lines.push(
        `  rate:       ${pyFloat(r.ratePerSec)} req/s  burst=${r.rateBurst}`,
        `  expires:    ${utc(r.expiresAt)}`,
        '',
        '  token (copy this NOW — it will never be shown again):',
        `      ${issued.token}`,
        '',
      );
      if (r.note !== '') lines.push(`  note: ${terminalSafeField(r.note)}`);
      out(`${lines.join('\n')}\n`);
    });

  stateOptions(token.command('list'))
    .description('list tokens, newest first (hashes and metadata; never a token)')
    .option('--subject <subject>', 'only this subject')
    .option('--include-revoked', 'include revoked tokens')
    .option('--json', 'machine-readable output (one object per token, with "live")')
    .action(async (_local: unknown, cmd: Command) => {
      const f = flagsOf<{ subject?: string; includeRevoked?: boolean; json?: boolean }>(cmd);
      const { canonicalizeSubject } = await import('../node/registration/subject.js');
      const { rows, now } = await withTokenStore(host, cmd, f, (store, now) => {
        if (f.subject === undefined)
          return { rows: store.list({ includeRevoked: f.includeRevoked === true }), now };
        // Like the reference: a subject that cannot be canonical matches nothing.
        const s = canonicalizeSubject(f.subject);
        const rows = s.ok
          ? store.list({ includeRevoked: f.includeRevoked === true, subject: s.subject })
          : [];
        return { rows, now };
      });
      if (f.json)
        out(
          `${JSON.stringify(
            rows.map((t) => tokenRow(t, now)),
            null,
            2,
          )}\n`,
        );
      else out(tokenTable(rows, now));
    });

  stateOptions(token.command('revoke <target>'))
    .description(
      'revoke every unrevoked token of a subject, or the one token whose hash starts with TARGET',
    )
    .addHelpText(
      'after',
      '\nTARGET is an exact subject (alice@example.com) or a token-hash prefix as `token list`\n' +
        'shows it. A prefix that matches more than one token revokes nothing (exit 2);\n' +
        'no match is exit 1.\n',
    )
    .action(async (target: string, _local: unknown, cmd: Command) => {
      const admin = await import('../node/admin/token-admin.js');
      const done = await withTokenStore(host, cmd, flagsOf(cmd), (store, now) =>
        admin.revokeTokens(store, target, now),
      );
      if (done.by === 'subject') {
        out(`revoked ${done.revoked.length} token(s) for subject '${done.subject}'\n`);
      } else {
        out(
          `revoked token ${done.token.tokenHash.slice(0, 16)}… (subject ${done.token.subject})\n`,
        );
      }
    });

  rateOptions(stateOptions(token.command('rotate <subject>')))
    .description('revoke every unrevoked token of SUBJECT and mint a new one, in one transaction')
    .addHelpText(
      'after',
      '\nThe new token keeps the prekey scope (--with-prekey-scope) of the newest token it\n' +
        'replaces; rate and burst are the defaults unless given.\n',
    )
    .action(async (subject: string, _local: unknown, cmd: Command) => {
      const f = flagsOf<{ expires?: string; rate?: number; burst?: number }>(cmd);
      const admin = await import('../node/admin/token-admin.js');
      const expires = parseExpires(cmd, admin.parseDuration, f.expires);
      const rotated = await withTokenStore(host, cmd, f, (store, now) =>
        admin.rotateToken(store, {
          subject,
          expiresInSeconds: expires,
          ratePerSec: f.rate,
          rateBurst: f.burst,
          note: 'rotation',
          issuer: issuer(':rotate'),
          now,
        }),
      );
      out(
        `revoked ${rotated.revoked.length} old token(s) for '${rotated.record.subject}'\n` +
          `new token:\n  ${rotated.token}\n`,
      );
    });

  const audit = usageExitsTwo(stateOptions(program.command('audit'))).description(
    'read the token audit trail',
  );
  stateOptions(audit.command('tail'))
    .description('the most recent audit entries, newest first')
    .addOption(
      new Option('--event <event>', 'only this event').choices([
        'issued',
        'revoked',
        'used',
        'rejected',
        'throttled',
      ]),
    )
    .option('--limit <n>', 'how many entries', positiveInt, 50)
    .option('--json', 'machine-readable output')
    .addHelpText('after', AUDIT_HELP)
    .action(async (_local: unknown, cmd: Command) => {
      const f = flagsOf<{
        event?: import('../node/store/sqlite/token-store.js').TokenAuditEvent;
        limit: number;
        json?: boolean;
      }>(cmd);
      const rows = await withTokenStore(host, cmd, f, (store) =>
        store.recentAudit(f.limit, f.event),
      );
      if (f.json) {
        const shown = rows.map((r) => ({
          ts: r.ts,
          event: r.event,
          token_hash: r.tokenHash,
          subject: r.subject,
          remote_addr: r.remoteAddr || null,
          detail: r.detail || null,
        }));
        out(`${JSON.stringify(shown, null, 2)}\n`);
        return;
      }
      const lines = rows.map(
        (r) =>
          `${utc(r.ts)}  ${pad(r.event, 10)}  ` +
          `subject=${pad(terminalSafeField(r.subject || '-'), 24)}  ` +
          `hash=${r.tokenHash ? `${r.tokenHash.slice(0, 12)}…` : '-'}  ` +
          `addr=${pad(terminalSafeField(r.remoteAddr || '-'), 16)}  ` +
          terminalSafeField(r.detail),
      );
      out(lines.map((l) => `${l}\n`).join(''));
    });
}
