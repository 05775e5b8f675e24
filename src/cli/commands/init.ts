/**
 * `dnsmesh init <username>` (cli spec §5.1): writes a fresh config with a new
 * random KDF salt. The salt plus the passphrase *is* the identity, so an
 * existing config is only replaced with `--force`.
 */
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { toHex } from '../../protocol/bytes.js';
import { zoneFromUrl } from '../claim-providers.js';
import { defaultConfig } from '../config/fields.js';
import { saveConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { normalizeEndpoint } from '../endpoint.js';
import { userError } from '../errors.js';
import { eprintln, println } from '../output.js';
import { formatResolverEntry, parseResolverList } from '../resolver-entries.js';

/** Options as commander parses them (`--no-x` flags arrive as `x: false`). */
export interface InitOptions {
  domain: string;
  endpoint?: string;
  httpToken?: string;
  dnsHost?: string;
  dnsPort: number;
  dnsResolvers?: string;
  defaultResolvers: boolean;
  identityDomain?: string;
  force?: boolean;
  probeLocalDns: boolean;
  allowTofu?: boolean;
  requireDnssec?: boolean;
  claimProvider?: string;
}

/** Default read pool of a fresh config (Cloudflare, then Google). */
export const DEFAULT_RESOLVERS: readonly string[] = ['1.1.1.1', '8.8.8.8'];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function splitUsername(raw: string, domain: string): { username: string; domain: string } {
  const at = raw.indexOf('@');
  if (at < 0) return { username: raw, domain };
  const user = raw.slice(0, at);
  const host = raw.slice(at + 1);
  if (user === '' || host === '') {
    throw userError(
      `cannot split ${JSON.stringify(raw)} into user@host — both parts must be non-empty`,
    );
  }
  // An explicit non-default --domain wins over the address's host.
  return { username: user, domain: domain === '' || domain === 'mesh.local' ? host : domain };
}

function resolverPool(opts: InitOptions): string[] {
  if (opts.dnsResolvers !== undefined) {
    try {
      return parseResolverList(opts.dnsResolvers).map(formatResolverEntry);
    } catch (err) {
      throw userError(
        `invalid --dns-resolvers: ${(err as Error).message} — use IPs such as 1.1.1.1,[2606:4700:4700::1111]:53`,
      );
    }
  }
  // A single --dns-host is the user's choice of resolver: do not put the
  // public pool (which the reader prefers) in front of it.
  if (opts.dnsHost !== undefined && opts.dnsHost.trim() !== '') return [];
  return opts.defaultResolvers ? [...DEFAULT_RESOLVERS] : [];
}

/**
 * `--claim-provider`: `self` makes the user's own node (`--endpoint`, zone
 * `--domain`) the first-contact provider — the local demo and closed groups
 * whose members share a node; a URL names another provider, whose zone is
 * the URL's host.
 */
function claimProvider(
  raw: string | undefined,
  endpoint: string,
  domain: string,
): { override: string; zone: string } | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (value.toLowerCase() === 'self') {
    if (endpoint === '') {
      throw userError('--claim-provider self needs --endpoint (your node is the provider)');
    }
    return { override: endpoint, zone: domain };
  }
  const override = normalizeEndpoint(value);
  const zone = zoneFromUrl(override);
  if (zone === '') {
    throw userError(
      `--claim-provider ${JSON.stringify(raw)}: give the provider's URL with its DNS name (https://node.example), or \`self\` for your own node`,
    );
  }
  return { override, zone };
}

/** Names of well-known public resolvers, to say who sees the user's lookups. */
const RESOLVER_OPERATORS: Readonly<Record<string, string>> = {
  '1.1.1.1': 'Cloudflare',
  '1.0.0.1': 'Cloudflare',
  '8.8.8.8': 'Google',
  '8.8.4.4': 'Google',
  '9.9.9.9': 'Quad9',
};

function whoSeesLookups(config: {
  dns_resolvers: readonly string[];
  dns_host: string | null;
  dns_port: number;
}): string {
  const named = (entry: string) => {
    const operator = RESOLVER_OPERATORS[entry];
    return operator === undefined ? entry : `${entry} (${operator})`;
  };
  if (config.dns_resolvers.length > 0) return config.dns_resolvers.map(named).join(', ');
  if (config.dns_host) return `${config.dns_host}:${config.dns_port}`;
  return "this system's resolvers (/etc/resolv.conf)";
}

export async function runInit(
  ctx: CliContext,
  rawUsername: string,
  opts: InitOptions,
): Promise<number> {
  const { configPath } = ctx.paths;
  if (!opts.force && (await exists(configPath))) {
    throw userError(
      `config already exists at ${configPath} — pass --force to replace it (this abandons the identity it holds)`,
    );
  }
  const { username, domain } = splitUsername(rawUsername, opts.domain);
  if (username.trim() === '') throw userError('the username must not be empty');

  const config = defaultConfig();
  config.username = username;
  config.domain = domain;
  config.endpoint = normalizeEndpoint(opts.endpoint ?? '');
  config.http_token = opts.httpToken ?? null;
  config.dns_host = opts.dnsHost ?? null;
  config.dns_port = opts.dnsPort;
  config.dns_resolvers = resolverPool(opts);
  config.kdf_salt = randomBytes(32).toString('hex');
  config.identity_domain = (opts.identityDomain ?? '').trim();
  config.allow_tofu = opts.allowTofu === true;
  config.dnssec_required = opts.requireDnssec === true;
  const provider = claimProvider(opts.claimProvider, config.endpoint, domain);
  if (provider !== undefined) {
    config.claim_provider_override = provider.override;
    config.claim_provider_zone = provider.zone;
  }

  // Settle the passphrase before anything is written: asked twice on a
  // terminal, and the key it derives recorded at once (the typo tripwire).
  const { choosePassphrase } = await import('../passphrase-choice.js');
  const chosen = await choosePassphrase(config, {
    passphraseFile: ctx.passphraseFile,
    env: ctx.env,
  });
  if (chosen !== undefined) {
    const { deriveIdentityFrom } = await import('../unlock.js');
    const keys = await deriveIdentityFrom(ctx, config, chosen.passphrase);
    config.verify_pubkey = toHex(keys.ed25519Public);
  }

  if (config.endpoint !== '' && opts.probeLocalDns) {
    const { probeConfiguredNodeDns } = await import('../local-dns-probe.js');
    const found = await probeConfiguredNodeDns(config);
    if (found !== undefined) {
      config.local_node_dns_server = found.host;
      config.local_node_dns_port = found.port;
      println(`  probed local DNS endpoint: ${found.host}:${found.port}`);
    }
  }

  await saveConfig(ctx.paths, config);
  println(`wrote config to ${configPath}`);
  println(
    `  your DNS lookups go to: ${whoSeesLookups(config)} — they see which zones you poll ` +
      '(not what you read); choose with --dns-resolvers',
  );
  if (provider !== undefined) {
    println(`  first-contact provider: ${provider.zone} via ${provider.override}`);
  }
  if (config.endpoint !== '' && config.local_node_dns_server === '') {
    const why = opts.probeLocalDns
      ? "no DMP node answered on the endpoint host's DNS ports (5353, 53)"
      : 'the local DNS probe was skipped';
    eprintln(
      `  hint: ${why}; same-zone claim notifications will target the endpoint host. Run ` +
        '`dnsmesh doctor` once the node is up, or set local_node_dns_server / local_node_dns_port in config.yaml.',
    );
  }
  println(
    chosen === undefined
      ? 'Next: export DMP_PASSPHRASE (or set passphrase_file in config.yaml), then run `dnsmesh identity show`; ' +
          'the first passphrase you use becomes your identity.'
      : 'Next: `dnsmesh identity show` prints your fingerprint; the same passphrase unlocks it every time.',
    `Back up ${configPath}: its kdf_salt plus your passphrase is your identity — without the salt it cannot be recovered.`,
  );
  return 0;
}
