/**
 * The fields of `config.yaml` (cli spec §2.2) with their types and
 * defaults. The in-memory record keeps the on-disk snake_case names on
 * purpose: the file is shared with the reference CLI, and a 1:1 mapping
 * makes it impossible for a rename to silently fork the two formats.
 */

/** One contact (cli spec §2.3). */
export interface ContactEntry {
  /** X25519 public key hex; empty for an intro-trust placeholder. */
  pub: string;
  /** Ed25519 public key hex; empty = unpinned. */
  spk: string;
  /** Contact's home zone; empty = "use own effective domain" (not explicit). */
  domain: string;
  /**
   * Protocol username when it differs from the label. The reference adds the
   * key (as "") to every contact it loads but not to ones `contacts add`
   * creates, so `undefined` here means "not written".
   */
  remote_username?: string;
}

/** Every field of config.yaml, named as on disk. */
export interface CliConfig {
  username: string;
  domain: string;
  endpoint: string;
  http_token: string | null;
  dns_host: string | null;
  dns_port: number;
  dns_resolvers: string[];
  passphrase_file: string | null;
  kdf_salt: string;
  verify_pubkey: string;
  identity_domain: string;
  cluster_base_domain: string;
  cluster_operator_spk: string;
  cluster_refresh_interval: number;
  cluster_node_token: string;
  cluster_enabled: boolean;
  bootstrap_user_domain: string;
  bootstrap_signer_spk: string;
  /** Insertion-ordered; a Map so labels such as `__proto__` are plain keys. */
  contacts: Map<string, ContactEntry>;
  allow_tofu: boolean;
  dnssec_required: boolean;
  claim_provider_override: string;
  claim_provider_zone: string;
  tsig_key_name: string;
  tsig_secret_hex: string;
  tsig_algorithm: string;
  tsig_zone: string;
  tsig_dns_server: string;
  tsig_dns_port: number;
  recv_primary_interval_seconds: number;
  recv_secondary_interval_seconds: number;
  recv_secondary_disable: boolean;
  local_node_dns_server: string;
  local_node_dns_port: number;
}

export type FieldName = keyof CliConfig;

/** How a field is typed on disk. */
export type FieldKind = 'str' | 'nullable-str' | 'int' | 'bool' | 'str-list' | 'contacts';

/** Kind of every field; the writer emits them in sorted key order. */
export const FIELD_KINDS: { readonly [K in FieldName]: FieldKind } = {
  username: 'str',
  domain: 'str',
  endpoint: 'str',
  http_token: 'nullable-str',
  dns_host: 'nullable-str',
  dns_port: 'int',
  dns_resolvers: 'str-list',
  passphrase_file: 'nullable-str',
  kdf_salt: 'str',
  verify_pubkey: 'str',
  identity_domain: 'str',
  cluster_base_domain: 'str',
  cluster_operator_spk: 'str',
  cluster_refresh_interval: 'int',
  cluster_node_token: 'str',
  cluster_enabled: 'bool',
  bootstrap_user_domain: 'str',
  bootstrap_signer_spk: 'str',
  contacts: 'contacts',
  allow_tofu: 'bool',
  dnssec_required: 'bool',
  claim_provider_override: 'str',
  claim_provider_zone: 'str',
  tsig_key_name: 'str',
  tsig_secret_hex: 'str',
  tsig_algorithm: 'str',
  tsig_zone: 'str',
  tsig_dns_server: 'str',
  tsig_dns_port: 'int',
  recv_primary_interval_seconds: 'int',
  recv_secondary_interval_seconds: 'int',
  recv_secondary_disable: 'bool',
  local_node_dns_server: 'str',
  local_node_dns_port: 'int',
};

/** A config with every field at its default (what a missing key loads as). */
export function defaultConfig(): CliConfig {
  return {
    username: '',
    domain: 'mesh.local',
    endpoint: '',
    http_token: null,
    dns_host: null,
    dns_port: 5353,
    dns_resolvers: [],
    passphrase_file: null,
    kdf_salt: '',
    verify_pubkey: '',
    identity_domain: '',
    cluster_base_domain: '',
    cluster_operator_spk: '',
    cluster_refresh_interval: 3600,
    cluster_node_token: '',
    cluster_enabled: false,
    bootstrap_user_domain: '',
    bootstrap_signer_spk: '',
    contacts: new Map(),
    allow_tofu: false,
    dnssec_required: false,
    claim_provider_override: '',
    claim_provider_zone: '',
    tsig_key_name: '',
    tsig_secret_hex: '',
    tsig_algorithm: 'hmac-sha256',
    tsig_zone: '',
    tsig_dns_server: '',
    tsig_dns_port: 53,
    recv_primary_interval_seconds: 30,
    recv_secondary_interval_seconds: 600,
    recv_secondary_disable: false,
    local_node_dns_server: '',
    local_node_dns_port: 0,
  };
}

/** Field names in the order the reference writes them (Python's sorted()). */
export const SORTED_FIELD_NAMES: readonly FieldName[] = (
  Object.keys(FIELD_KINDS) as FieldName[]
).sort(compareCodePoints);

/** Python's string ordering (by code point), which differs from UTF-16 order above U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done === true || y.done === true) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

/**
 * The zone identity, prekey and mailbox names live under: the cluster base
 * domain once both cluster anchors are pinned (even while cluster mode is
 * disabled — a reference quirk kept for compatibility), else `domain`.
 */
export function effectiveDomain(config: CliConfig): string {
  return config.cluster_base_domain !== '' && config.cluster_operator_spk !== ''
    ? config.cluster_base_domain
    : config.domain;
}

/** Cluster mode: both anchors pinned and switched on (cli spec §3.3). */
export function clusterModeEnabled(config: CliConfig): boolean {
  return (
    config.cluster_enabled &&
    config.cluster_base_domain !== '' &&
    config.cluster_operator_spk !== ''
  );
}
