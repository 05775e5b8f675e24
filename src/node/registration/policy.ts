/**
 * Operator policy of self-service registration (node spec §4.5, §7.1): who
 * may register, and what the minted credentials look like.
 */
import type { TokenStore, TsigKeyStore } from '../store/types.js';
import type { ChallengeBook, RandomBytes } from './challenge-book.js';
import type { TsigScopeMode } from './scope-derivation.js';
import { mintZone } from './tsig-key-name.js';

/** Registration settings (`DMP_REGISTRATION_*`, `DMP_NODE_HOSTNAME`, scope mode, served zone). */
export interface RegistrationPolicy {
  /** `DMP_NODE_HOSTNAME`: the `node` string clients sign; registration is off without it. */
  readonly nodeHostname: string;
  /** Zone minted TSIG scopes are anchored under. */
  readonly servedZone: string;
  /**
   * Subject domains allowed to register. Empty means the served zone only
   * (see {@link registrationAllowlist}); `*` allows every domain.
   */
  readonly allowlist: readonly string[];
  /** Lifetime of minted tokens and TSIG keys, seconds; 0 = never expire. */
  readonly tokenTtlSeconds: number;
  /** Rate stamped on minted tokens (requests/s). */
  readonly issuedRatePerSecond: number;
  /** Burst stamped on minted tokens. */
  readonly issuedBurst: number;
  readonly scopeMode: TsigScopeMode;
}

/** Defaults of the reference node. */
export const DEFAULT_REGISTRATION_POLICY: Omit<RegistrationPolicy, 'nodeHostname' | 'servedZone'> =
  {
    allowlist: [],
    tokenTtlSeconds: 7_776_000,
    issuedRatePerSecond: 10,
    issuedBurst: 50,
    scopeMode: 'default',
  };

/** State and stores the ceremony works on. */
export interface RegistrationDeps {
  readonly challenges: ChallengeBook;
  readonly tokens: TokenStore;
  /** Absent when DNS UPDATE is off: TSIG registration is then unavailable. */
  readonly tsigKeys?: TsigKeyStore | undefined;
  /** Randomness for tokens and TSIG secrets (default: the OS CSPRNG). */
  readonly random?: RandomBytes | undefined;
}

/**
 * The domains whose subjects may register. The reference allows every domain
 * when `DMP_REGISTRATION_ALLOWLIST` is empty; here the default is the served
 * zone, because a subject of any other domain has nothing to own on this node
 * but shared namespaces. An operator who wants strangers lists their domains
 * or `*`.
 */
export function registrationAllowlist(policy: RegistrationPolicy): readonly string[] {
  if (policy.allowlist.length > 0) return policy.allowlist;
  const zone = mintZone(policy.servedZone || policy.nodeHostname);
  return zone === '' ? [] : [zone];
}
