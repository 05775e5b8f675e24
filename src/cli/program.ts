/**
 * The command tree: the reference's verbs and flags (cli spec §5), wired
 * to one module per command under `commands/`. Every action imports its
 * module on demand, so `--help` or `contacts list` never loads crypto, DNS
 * or HTTP code, and `send` loads only what sending needs.
 */
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '../version.js';
import { resolveCliPaths } from './config/paths.js';
import type { CliContext } from './context.js';
import { userError } from './errors.js';
import { parseIntroRef } from './intro-ref.js';

/** What an action resolves to: an exit code, or nothing for success. */
export type ActionResult = number | undefined;

/** Receives each action's exit code (main sets `process.exitCode`). */
export type ResultSink = (code: number) => void;

function intArg(what: string, min = Number.MIN_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^[-+]?[0-9]+$/.test(value.trim())) {
      throw new InvalidArgumentError(`${what} must be an integer, got ${JSON.stringify(value)}`);
    }
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`${what} must be an integer ≥ ${min}, got ${value}`);
    }
    return n;
  };
}

function floatArg(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(
        `${what} must be a positive number, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  };
}

const jsonOption = () => new Option('--json', 'print JSON instead of text');

/** Builds the `dnsmesh` program; `sink` receives each action's exit code. */
export function buildProgram(sink: ResultSink, env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('dnsmesh')
    .description('DNS Mesh Protocol client: end-to-end encrypted messaging over DNS')
    .option('--config-home <dir>', 'config dir (overrides DMP_CONFIG_HOME; default ~/.dmp)')
    .option(
      '--tokens-home <dir>',
      'per-node token dir (overrides DMP_TOKENS_HOME; default <config-home>/tokens)',
    )
    .option('--passphrase-file <file>', 'read the identity passphrase from this file for this run')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    // Set before any subcommand exists: commander copies these settings at creation.
    .exitOverride()
    .configureOutput({
      // Commander's own messages start with "error: "; keep one prefix style.
      outputError: (text, write) => write(`dnsmesh: ${text.replace(/^error: /, '')}`),
    });

  const context = (): CliContext => {
    const opts = program.opts<{
      configHome?: string;
      tokensHome?: string;
      passphraseFile?: string;
    }>();
    return {
      paths: resolveCliPaths(opts, env),
      passphraseFile: opts.passphraseFile,
      env,
    };
  };
  const done = async (result: Promise<ActionResult>) => sink((await result) ?? 0);

  program
    .command('init')
    .description('create a fresh config (new identity salt) in the config dir')
    .argument('<username>', 'your username, or user@domain')
    .option('--domain <zone>', 'mesh zone for your records', 'mesh.local')
    .option('--endpoint <url>', "your node's HTTP API (bare host means https://host)")
    .option('--http-token <token>', 'bearer token for the HTTP API')
    .option('--dns-host <host>', 'single DNS resolver (default: system resolver)')
    .option('--dns-port <port>', 'port for --dns-host', intArg('--dns-port', 1), 5353)
    .option('--dns-resolvers <list>', 'comma list of resolver IPs (ip, ip:port, [ipv6]:port)')
    .option('--no-default-resolvers', 'do not default to the 1.1.1.1, 8.8.8.8 pool')
    .option('--identity-domain <zone>', 'zone you control; identity goes to dmp.<zone>')
    .option('--force', 'overwrite an existing config (abandons the old identity)')
    .option('--no-probe-local-dns', "skip probing the endpoint host for the node's DNS port")
    .option('--allow-tofu', 'deliver signature-valid messages while no contact is pinned')
    .option('--require-dnssec', 'drop DNS answers without the AD bit')
    .option(
      '--claim-provider <url|self>',
      'first-contact provider: `self` = your own node (--endpoint), or its URL',
    )
    .action((username, opts) =>
      done(import('./commands/init.js').then((m) => m.runInit(context(), username, opts))),
    );

  const identity = program.command('identity').description('your identity and other people’s');
  identity
    .command('show')
    .description('print your username, domain, keys and fingerprint (local only)')
    .addOption(jsonOption())
    .option('--qr', 'also print the fingerprint as a QR code (default on a terminal)')
    .option('--no-qr', 'never print the QR code')
    .action((opts) =>
      done(import('./commands/identity-show.js').then((m) => m.runIdentityShow(context(), opts))),
    );
  identity
    .command('publish')
    .description('publish your signed identity record')
    .option('--ttl <seconds>', 'TXT record TTL', intArg('--ttl', 1), 86400)
    .option('--advertise-v2', 'advertise DMPv2 envelope support in the record')
    .action((opts) =>
      done(
        import('./commands/identity-publish.js').then((m) => m.runIdentityPublish(context(), opts)),
      ),
    );
  identity
    .command('refresh-prekeys')
    .description('generate and publish a fresh pool of one-time prekeys')
    .option('--count <n>', 'prekeys to generate', intArg('--count', 1), 25)
    .option('--ttl <seconds>', 'per-prekey TTL', intArg('--ttl', 1), 86400)
    .action((opts) =>
      done(
        import('./commands/identity-refresh-prekeys.js').then((m) =>
          m.runRefreshPrekeys(context(), opts),
        ),
      ),
    );
  identity
    .command('fetch')
    .description("resolve someone's identity record (user or user@host)")
    .argument('<name>', 'bare username or user@host')
    .option('--domain <zone>', 'zone for a bare username (default: your own)')
    .option('--add', 'save the identity as a contact (pins both keys)')
    .option('--accept-fingerprint <hex16>', 'pick this record when several are published')
    .addOption(jsonOption())
    .option('--via-bootstrap', 'resolve through the pinned bootstrap signer')
    .action((name, opts) =>
      done(
        import('./commands/identity-fetch.js').then((m) =>
          m.runIdentityFetch(context(), name, opts),
        ),
      ),
    );

  const contacts = program.command('contacts').description('manage contacts (local only)');
  contacts
    .command('add')
    .description('add or replace a contact by its X25519 key')
    .argument('<name>', 'local label')
    .argument('<pubkey>', 'X25519 public key (64 hex)')
    .option('--signing-key <spk>', 'Ed25519 signing key (64 hex) — pins the contact')
    .action((name, pubkey, opts) =>
      done(
        import('./commands/contacts-add.js').then((m) =>
          m.runContactsAdd(context(), name, pubkey, opts),
        ),
      ),
    );
  contacts
    .command('list')
    .description('list contacts')
    .addOption(jsonOption())
    .action((opts) =>
      done(import('./commands/contacts-list.js').then((m) => m.runContactsList(context(), opts))),
    );
  contacts
    .command('remove')
    .description('delete a contact')
    .argument('<name>', 'label as shown by `contacts list`')
    .action((name) =>
      done(
        import('./commands/contacts-remove.js').then((m) => m.runContactsRemove(context(), name)),
      ),
    );

  program
    .command('send')
    .description('send a message to a contact')
    .argument('<recipient>', 'contact label (or user@host)')
    .argument('<message>', 'message text, or - to read it from stdin (ends at EOF, Ctrl-D)')
    .action((recipient, message) =>
      done(import('./commands/send.js').then((m) => m.runSend(context(), recipient, message))),
    );

  program
    .command('recv')
    .description('fetch new messages')
    .addOption(
      new Option('--primary-only', 'phase 1 only (claims on your own zone)').conflicts(
        'skipPrimary',
      ),
    )
    .addOption(new Option('--skip-primary', 'skip phase 1 (slot walk + providers only)'))
    .option(
      '--watch',
      'keep polling until interrupted (Ctrl-C); with --json, one JSON line per message',
    )
    .option(
      '--interval <seconds>',
      'base poll interval for --watch (default: recv_primary_interval_seconds)',
      intArg('--interval', 1),
    )
    .addOption(jsonOption())
    .action((opts) => done(import('./commands/recv.js').then((m) => m.runRecv(context(), opts))));

  const intro = program
    .command('intro')
    .description('first-contact messages from unpinned senders');
  intro
    .command('list')
    .description('list pending intros')
    .addOption(jsonOption())
    .action((opts) =>
      done(import('./commands/intro-list.js').then((m) => m.runIntroList(context(), opts))),
    );
  intro
    .command('accept')
    .description('deliver an intro without pinning the sender')
    .argument('<intro>', 'intro number, or the label `intro list` shows', parseIntroRef)
    .action((id) =>
      done(import('./commands/intro-accept.js').then((m) => m.runIntroAccept(context(), id))),
    );
  intro
    .command('trust')
    .description('deliver an intro and pin its sender as a contact')
    .argument('<intro>', 'intro number, or the label `intro list` shows', parseIntroRef)
    .option('--label <label>', 'contact label (default: --username or intro-<spk12>)')
    .option('--username <name>', "sender's username on their node")
    .action((id, opts) =>
      done(import('./commands/intro-trust.js').then((m) => m.runIntroTrust(context(), id, opts))),
    );
  intro
    .command('block')
    .description('drop an intro and deny its sender')
    .argument('<intro>', 'intro number, or the label `intro list` shows', parseIntroRef)
    .option('--note <text>', 'reason kept with the denylist entry', '')
    .action((id, opts) =>
      done(import('./commands/intro-block.js').then((m) => m.runIntroBlock(context(), id, opts))),
    );

  program
    .command('doctor')
    .description('check what send and recv need: node, resolvers, TSIG key, identity, providers')
    .option('--repair', 're-probe and pin the local node DNS endpoint')
    .addOption(jsonOption())
    .action((opts) =>
      done(import('./commands/doctor.js').then((m) => m.runDoctor(context(), opts))),
    );

  program
    .command('register')
    .description('get a per-user bearer token from a multi-tenant node')
    .option('--node <url>', 'node URL or host[:port] (default: endpoint in config.yaml)')
    .option('--subject <user@domain>', 'subject (default: <username>@<your domain>)')
    .addOption(
      new Option('--scheme <scheme>', 'URL scheme when --node has none (default https)').choices([
        'https',
        'http',
      ]),
    )
    .action((opts) =>
      done(import('./commands/register.js').then((m) => m.runRegister(context(), opts))),
    );

  const tsig = program.command('tsig').description('DNS UPDATE credentials');
  tsig
    .command('register')
    .description('get a TSIG key from a node and store it in config.yaml')
    .option('--node <url>', 'node URL or host[:port] (default: endpoint in config.yaml)')
    .option('--subject <user@domain>', 'subject (default: <username>@<your domain>)')
    .addOption(
      new Option('--scheme <scheme>', 'URL scheme when --node has none (default https)').choices([
        'https',
        'http',
      ]),
    )
    .option('--dns-server <host>', 'UPDATE target (default: the node host)')
    .option(
      '--dns-port <port>',
      'UPDATE target port (default: the port init probed, else probed now: 5353, then 53)',
      intArg('--dns-port', 1),
    )
    .action((opts) =>
      done(import('./commands/tsig-register.js').then((m) => m.runTsigRegister(context(), opts))),
    );

  const token = program.command('token').description('bearer tokens saved by `register`');
  token
    .command('list')
    .description('list saved tokens (never prints them)')
    .addOption(jsonOption())
    .action((opts) =>
      done(import('./commands/token-list.js').then((m) => m.runTokenList(context(), opts))),
    );
  token
    .command('forget')
    .description("delete a node's saved token")
    .argument('<node>', 'node host as listed')
    .action((node) =>
      done(import('./commands/token-forget.js').then((m) => m.runTokenForget(context(), node))),
    );

  const resolvers = program.command('resolvers').description('upstream DNS resolvers');
  resolvers
    .command('discover')
    .description('probe well-known public resolvers')
    .option('--save', 'store the working ones as dns_resolvers')
    .option('--timeout <seconds>', 'per-resolver probe timeout', floatArg('--timeout'), 2.0)
    .addOption(jsonOption())
    .action((opts) =>
      done(
        import('./commands/resolvers-discover.js').then((m) =>
          m.runResolversDiscover(context(), opts),
        ),
      ),
    );
  resolvers
    .command('list')
    .description('print the configured dns_resolvers')
    .addOption(jsonOption())
    .action((opts) =>
      done(import('./commands/resolvers-list.js').then((m) => m.runResolversList(context(), opts))),
    );

  program
    .command('peers')
    .description("a zone's own heartbeat and the nodes it has seen, verified")
    .argument('<zone>', "the node's zone (or its URL)")
    .addOption(jsonOption())
    .option('--timeout <seconds>', 'accepted for compatibility; unused', floatArg('--timeout'))
    .action((zone, opts) =>
      done(import('./commands/peers.js').then((m) => m.runPeers(context(), zone, opts))),
    );

  const config = program.command('config').description('read and change config.yaml settings');
  config
    .command('get')
    .description('print one setting (secrets only with --show-secrets)')
    .argument('<key>', 'a config.yaml key, e.g. endpoint')
    .addOption(jsonOption())
    .option('--show-secrets', 'print tsig_secret_hex, http_token and cluster_node_token')
    .action((key, opts) =>
      done(import('./commands/config-get.js').then((m) => m.runConfigGet(context(), key, opts))),
    );
  config
    .command('set')
    .description('change one setting, checked against its type')
    .argument('<key>', 'a config.yaml key, e.g. endpoint')
    .argument('<value>', "new value: lists comma-separated, '' clears, - reads stdin")
    .option('--force', 'also change kdf_salt, verify_pubkey or username (changes your identity)')
    .action((key, value, opts) =>
      done(
        import('./commands/config-set.js').then((m) => m.runConfigSet(context(), key, value, opts)),
      ),
    );
  config
    .command('list')
    .description('print every setting (secrets hidden unless --show-secrets)')
    .addOption(jsonOption())
    .option('--show-secrets', 'print tsig_secret_hex, http_token and cluster_node_token')
    .action((opts) =>
      done(import('./commands/config-list.js').then((m) => m.runConfigList(context(), opts))),
    );

  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      '\nbash: add `source <(dnsmesh completion bash)` to ~/.bashrc\n' +
        'zsh:  add `source <(dnsmesh completion zsh)` to ~/.zshrc, after compinit\n' +
        'fish: dnsmesh completion fish > ~/.config/fish/completions/dnsmesh.fish',
    )
    .action((shell) =>
      done(import('./commands/completion.js').then((m) => m.runCompletion(program, shell))),
    );

  // Reference verbs this CLI does not implement yet: listed, and failing with
  // a clear message instead of "unknown command".
  const notYet = (parent: Command, verb: string, what: string) =>
    parent
      .command(verb)
      .description(`${what} (not supported by this dnsmesh yet)`)
      .argument('[args...]')
      .allowUnknownOption()
      .action(() =>
        done(
          Promise.reject(
            userError(
              `\`${parent === program ? '' : `${parent.name()} `}${verb}\` is not supported by this dnsmesh yet — use the reference dnsmesh for it; both read the same config.yaml`,
            ),
          ),
        ),
      );
  program
    .command('node')
    .description('run a DMP node (same options as dnsmesh-node; `dnsmesh node --help`)')
    .argument('[args...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[]) => {
      const { runNodeCli } = await import('./node-program.js');
      await runNodeCli(args);
    });
  notYet(identity, 'rotate', 'rotate to a new identity key (experimental)');
  notYet(program, 'cluster', 'pin / fetch / enable cluster mode');
  notYet(program, 'bootstrap', 'bootstrap-record discovery');

  return program;
}
