/**
 * Doctor check (e): how long the saved credentials stay valid. Bearer
 * tokens saved by `dnsmesh register` carry `expires_at`; one that has
 * expired FAILs when it is the one HTTP writes would use (no TSIG key, no
 * `http_token`, saved for the endpoint's host), else WARNs, as does one
 * expiring within {@link EXPIRY_WARNING_DAYS} days. The TSIG key's expiry
 * is not checked: config.yaml (the reference's format) does not keep it,
 * and the UPDATE probe reports an expired key as BADKEY.
 */
import type { CliConfig } from '../config/fields.js';
import type { CliContext } from '../context.js';
import { endpointHost } from '../endpoint.js';
import { isoUtc } from '../output.js';
import { listTokens, tokenHostKey } from '../tokens.js';
import { type Check, failure, pass, warning } from './check.js';

export const EXPIRY_WARNING_DAYS = 7;

/** The tokens check; undefined when no token is saved. */
export async function credentialsCheck(
  ctx: CliContext,
  config: CliConfig,
  now: number = Math.floor(Date.now() / 1000),
): Promise<Check | undefined> {
  const tokens = await listTokens(ctx.paths.tokensHome);
  if (tokens.length === 0) return undefined;
  const httpWrites =
    !(config.tsig_key_name !== '' && config.tsig_secret_hex !== '') &&
    (config.http_token === null || config.http_token === '');
  const inUseHost = httpWrites ? tokenHostKey(endpointHost(config.endpoint)) : undefined;
  const lines: string[] = [];
  const RANK = { PASS: 0, WARN: 1, FAIL: 2 } as const;
  let rank: number = RANK.PASS;
  const worse = (s: 'WARN' | 'FAIL') => {
    rank = Math.max(rank, RANK[s]);
  };
  for (const t of tokens) {
    const exp = t.expires_at;
    const used = inUseHost !== undefined && tokenHostKey(t.node) === inUseHost;
    const label = `token for ${t.node}${used ? ' (used for writes)' : ''}`;
    if (typeof exp !== 'number' || exp <= 0) {
      lines.push(`${label}: no expiry`);
      continue;
    }
    const fix = `\`dnsmesh register --node ${t.node}\``;
    if (now >= exp) {
      worse(used ? 'FAIL' : 'WARN');
      lines.push(
        `${label}: expired ${isoUtc(exp)} — fix: ${fix}${used ? '' : ` or \`dnsmesh token forget ${t.node}\``}`,
      );
    } else if (exp - now < EXPIRY_WARNING_DAYS * 86_400) {
      worse('WARN');
      const days = Math.max(1, Math.ceil((exp - now) / 86_400));
      lines.push(`${label}: expires ${isoUtc(exp)} (within ${days} day(s)) — fix: ${fix}`);
    } else {
      lines.push(`${label}: valid until ${isoUtc(exp)}`);
    }
  }
  const detail = lines.join('\n');
  if (rank === RANK.FAIL) return failure('saved token expired', detail);
  if (rank === RANK.WARN) return warning('saved token expired or expiring', detail);
  return pass('saved tokens valid', detail);
}
