/**
 * Builds a {@link DmpClient} from config.yaml for one command (cli spec
 * §3.3): loads the config, derives the identity (with the typo tripwire,
 * before any state is touched), selects transports, opens the local state
 * (`state.db`, importing a reference client's `prekeys.db` / `intros.db` /
 * `replay_cache.json` the first time) and loads the contacts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DmpClient } from '../client/client.js';
import type { ContactInit } from '../client/contacts.js';
import type { SqliteClientState } from '../client/state/sqlite-state.js';
import type { ClientState } from '../client/state/types.js';
import type { TxtReader } from '../dns/client/txt-reader.js';
import { tryFromHex } from '../protocol/bytes.js';
import type { IdentityKeys } from '../protocol/crypto/identity.js';
import { type CliConfig, clusterModeEnabled, effectiveDomain } from './config/fields.js';
import { loadConfig } from './config/store.js';
import type { CliContext } from './context.js';
import { describeError, noEndpointError, userError } from './errors.js';
import { offlineReader, offlineWriter } from './offline-transports.js';
import { trace, warn } from './output.js';
import type { DescribedWriter } from './transports.js';
import { unlockIdentityWhile } from './unlock.js';

/** Reference state files imported into `state.db` when it is first created. */
const REFERENCE_STATE_FILES = ['prekeys.db', 'intros.db', 'replay_cache.json'];

export interface ClientSession {
  readonly config: CliConfig;
  readonly keys: IdentityKeys;
  readonly client: DmpClient;
  /** The reader (for claim-provider discovery); the offline stand-in for local commands. */
  readonly reader: TxtReader;
  readonly writer: DescribedWriter | undefined;
  readonly state: SqliteClientState;
  close(): void;
}

export interface SessionOptions {
  /** Build real transports (exit 1 without an endpoint); else local-only stand-ins. */
  readonly network: boolean;
  /** Resolve the own node's DNS listener (only `send` needs it). */
  readonly localNodeDns?: boolean;
  /** The config, when the command already loaded it. */
  readonly config?: CliConfig;
}

function keyOrUndefined(hex: string): Uint8Array | undefined {
  if (hex === '') return undefined;
  const bytes = tryFromHex(hex);
  return bytes !== undefined && bytes.length === 32 ? bytes : undefined;
}

/** Config contacts as the client takes them; malformed ones are skipped with a warning. */
export function contactInits(config: CliConfig): [string, ContactInit][] {
  const out: [string, ContactInit][] = [];
  for (const [label, entry] of config.contacts) {
    const x25519Pub = keyOrUndefined(entry.pub);
    const ed25519Spk = keyOrUndefined(entry.spk);
    const badPub = entry.pub !== '' && x25519Pub === undefined;
    const badSpk = entry.spk !== '' && ed25519Spk === undefined;
    if (badPub || badSpk || (x25519Pub === undefined && ed25519Spk === undefined)) {
      warn(`ignoring contact ${JSON.stringify(label)}: its keys are not 64-hex values`);
      continue;
    }
    const remote = entry.remote_username ?? '';
    // An intro-trust placeholder (spk only) has no protocol username unless one was recorded.
    const placeholder = x25519Pub === undefined;
    out.push([
      label,
      {
        username: remote !== '' ? remote : placeholder ? '' : label,
        x25519Pub,
        ed25519Spk,
        domain: entry.domain !== '' ? entry.domain : undefined,
        domainExplicit: entry.domain !== '',
      },
    ]);
  }
  return out;
}

async function openState(ctx: CliContext): Promise<SqliteClientState> {
  // sqlite is loaded only by the commands that keep state.
  const { openClientState, STATE_FILE_NAME } = await import('../client/state/sqlite-state.js');
  const dir = ctx.paths.configHome;
  const fresh = !existsSync(join(dir, STATE_FILE_NAME));
  let state: SqliteClientState;
  try {
    state = openClientState(dir);
  } catch (err) {
    throw userError(describeError(err), { cause: err });
  }
  if (fresh && REFERENCE_STATE_FILES.some((f) => existsSync(join(dir, f)))) {
    try {
      const { importReferenceState } = await import('../client/state/reference-import.js');
      await importReferenceState(state, dir, Math.floor(Date.now() / 1000));
    } catch (err) {
      warn(`could not import the reference client's state files: ${describeError(err)}`);
    }
  }
  return state;
}

/** A store whose every method fails: lookups must never reach local state. */
function unusableStore<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: (_target, prop) => () => {
      throw new Error(`lookup-only client: ${what}.${String(prop)} must not be used`);
    },
  });
}

/** Local state for a client that must never touch it (lookups only). */
const NO_STATE: ClientState = {
  prekeys: unusableStore('prekeys'),
  seen: unusableStore('seen'),
  intros: unusableStore('intros'),
  close: () => {},
};

/**
 * A client for read-only lookups (`identity fetch`): needs no passphrase —
 * the keys are a throwaway identity that nothing signs with — and no local
 * state.
 */
export async function openLookupClient(
  ctx: CliContext,
): Promise<{ config: CliConfig; client: DmpClient; reader: TxtReader }> {
  const config = await loadConfig(ctx.paths);
  if (clusterModeEnabled(config)) {
    throw userError(
      'cluster mode (cluster_enabled: true) is not supported by this dnsmesh yet — set ' +
        `cluster_enabled: false in ${ctx.paths.configPath} to read through your resolvers`,
    );
  }
  const { buildReader } = await import('./transports.js');
  const [reader, { DmpClient }, { identityFromPrivateKey }, { installNodeCrypto }] =
    await Promise.all([
      buildReader(ctx, config),
      import('../client/client.js'),
      import('../protocol/crypto/identity.js'),
      import('../runtime/node-crypto-provider.js'),
    ]);
  installNodeCrypto();
  const client = new DmpClient({
    identity: identityFromPrivateKey(randomBytes(32)),
    username: config.username || 'anonymous',
    domain: effectiveDomain(config) || 'mesh.local',
    reader,
    writer: offlineWriter,
    state: NO_STATE,
  });
  return { config, client, reader };
}

/** Opens a client session; callers must `close()` it. */
export async function openClientSession(
  ctx: CliContext,
  options: SessionOptions,
): Promise<ClientSession> {
  const config = options.config ?? (await loadConfig(ctx.paths));
  trace('config loaded');
  if (options.network && clusterModeEnabled(config)) {
    throw userError(
      'cluster mode (cluster_enabled: true) is not supported by this dnsmesh yet — set ' +
        `cluster_enabled: false in ${ctx.paths.configPath} to use the endpoint directly`,
    );
  }
  if (options.network && config.endpoint === '' && config.tsig_key_name === '') {
    throw noEndpointError(ctx.paths.configPath);
  }
  // While Argon2id runs on the thread pool, load the client code and sqlite
  // and build the transports, instead of after it.
  const [keys, [{ DmpClient }, , [reader, writer, nodeDns]]] = await unlockIdentityWhile(
    ctx,
    config,
    { tripwire: true },
    () =>
      Promise.all([
        import('../client/client.js'),
        import('../client/state/sqlite-state.js'),
        (async () => {
          if (!options.network) return [offlineReader, undefined, undefined] as const;
          const t = await import('./transports.js');
          return Promise.all([
            t.buildReader(ctx, config),
            t.buildWriter(ctx, config),
            options.localNodeDns ? t.localNodeDns(config) : Promise.resolve(undefined),
          ]);
        })(),
      ]),
  );
  trace('client code and transports ready');
  const state = await openState(ctx);
  trace('state opened');
  try {
    const client = new DmpClient({
      identity: keys,
      username: config.username,
      domain: effectiveDomain(config),
      identityDomain: config.identity_domain || undefined,
      contacts: contactInits(config),
      allowTofu: config.allow_tofu,
      reader,
      writer: writer?.writer ?? offlineWriter,
      localNodeDns: nodeDns,
      state,
      claimTransport: await claimTransportFor(ctx, reader),
    });
    return { config, keys, client, reader, writer, state, close: () => state.close() };
  } catch (err) {
    state.close();
    throw userError(describeError(err), { cause: err });
  }
}

/**
 * Claim UPDATE targets are resolved through the configured resolvers (the
 * pool can resolve addresses), so a claim to `bob.test` goes where the rest
 * of this user's DNS goes; the system resolver only when the reader cannot
 * resolve addresses, or as the opt-in fallback (`DMP_ALLOW_SYSTEM_DNS_FALLBACK`).
 */
async function claimTransportFor(
  ctx: CliContext,
  reader: TxtReader,
): Promise<import('../client/claim-transport.js').ClaimTransport> {
  const [{ UnsignedClaimTransport }, { SystemAddressResolver }] = await Promise.all([
    import('../client/claim-transport.js'),
    import('../client/system-resolver.js'),
  ]);
  const canResolve = typeof (reader as { resolveAddress?: unknown }).resolveAddress === 'function';
  const fallback = /^(1|true|yes|on)$/i.test(ctx.env.DMP_ALLOW_SYSTEM_DNS_FALLBACK ?? '');
  return new UnsignedClaimTransport({
    resolver: canResolve
      ? (reader as unknown as import('../client/claim-target.js').AddressResolver)
      : new SystemAddressResolver(),
    ...(fallback ? { fallbackResolver: new SystemAddressResolver() } : {}),
  });
}
