/**
 * `dnsmesh recv [--primary-only | --skip-primary] [--watch] [--json]` (cli spec
 * §5.9): one receive pass — own-zone claims, slot walk, provider claims —
 * printing delivered messages oldest first (message-format.ts; `--json`
 * keeps the order the pass delivered them in); unpinned senders go to the
 * intro queue.
 * `--watch` repeats the pass every `--interval` seconds (default
 * `recv_primary_interval_seconds`) with ±20% jitter, so many clients do not
 * poll in lockstep, until SIGINT/SIGTERM.
 */
import { setMaxListeners } from 'node:events';
import type { ReceiveOptions, ReceiveProgress, ReceiveResult } from '../../client/receive.js';
import type { ClaimProvider } from '../../client/send.js';
import { asCliError } from '../client-errors.js';
import { type ClientSession, openClientSession } from '../client-session.js';
import type { CliContext } from '../context.js';
import { messageJson, messageLines, oldestFirst } from '../message-format.js';
import { eprintln, println, progress, trace } from '../output.js';

export interface RecvOptions {
  primaryOnly?: boolean;
  skipPrimary?: boolean;
  watch?: boolean;
  interval?: number;
  json?: boolean;
}

function phases(
  session: ClientSession,
  opts: RecvOptions,
): Pick<ReceiveOptions, 'primaryOnly' | 'skipPrimary'> {
  let primaryOnly = opts.primaryOnly === true;
  const skipPrimary = opts.skipPrimary === true;
  if (session.config.recv_secondary_disable && !primaryOnly && !skipPrimary) {
    if (session.client.contacts.some((c) => c.ed25519Spk !== undefined)) {
      primaryOnly = true;
    } else {
      eprintln(
        '  note: recv_secondary_disable is set but no contact is pinned yet, so the slot walk ' +
          'stays on (otherwise trust-on-first-use messages would be missed). Pin a contact to engage it.',
      );
    }
  }
  return { primaryOnly, skipPrimary };
}

function report(result: ReceiveResult, opts: RecvOptions, quietWhenEmpty: boolean): void {
  if (opts.json) {
    if (opts.watch) {
      for (const m of result.messages) println(JSON.stringify(messageJson(m)));
    } else {
      println(
        JSON.stringify(
          { messages: result.messages.map(messageJson), new_intros: result.intros.length },
          null,
          2,
        ),
      );
    }
    return;
  }
  if (result.messages.length === 0 && result.intros.length === 0) {
    if (!quietWhenEmpty) println('(no new messages)');
    return;
  }
  for (const m of oldestFirst(result.messages)) println(...messageLines(m), '');
  if (result.intros.length > 0) {
    println(
      `(${result.intros.length} new intro(s) from un-pinned senders — review with \`dnsmesh intro list\`)`,
    );
  }
}

/** One TTY progress line per finished phase: what was checked, what arrived so far. */
function phaseDone(p: ReceiveProgress, zones: number): string {
  const what =
    p.phase === 'own-zone-claims'
      ? 'own zone checked'
      : p.phase === 'slot-walk'
        ? `${zones} contact zone(s) walked`
        : 'claim providers checked';
  return `${what}; ${p.delivered} message(s), ${p.queued} intro(s), ${p.queries} queries`;
}

function jittered(seconds: number): number {
  return seconds * 1000 * (0.8 + Math.random() * 0.4);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * The seed provider does not answer through the user's resolvers (a local
 * demo, a closed network): its claims would fail every pass, so the pass
 * leaves it out and this says so once, with the fix, instead of a warning
 * about unanswered lookups on every `recv` and every `--watch` pass.
 */
async function unreachableProviderNotice(
  ctx: CliContext,
  unreachable: readonly ClaimProvider[],
): Promise<void> {
  const zones = unreachable.map((p) => p.zone).join(', ');
  const { shouldShowOnce } = await import('../notices.js');
  if (!(await shouldShowOnce(ctx.paths, `provider-unreachable:${zones}`))) return;
  eprintln(
    `  note: the first-contact provider ${zones} does not answer through your resolvers, so recv ` +
      "skips it: a stranger's first message reaches you only through a provider you both use. " +
      'If you and your contacts use one node, make it your provider: set ' +
      'claim_provider_override: <its URL> and claim_provider_zone: <its zone> in ' +
      `${ctx.paths.configPath} (said once; \`dnsmesh doctor\` checks it any time).`,
  );
}

export async function runRecv(ctx: CliContext, opts: RecvOptions): Promise<number> {
  const session = await openClientSession(ctx, { network: true });
  const stop = new AbortController();
  // Every parallel lookup of a pass listens on this one signal.
  setMaxListeners(0, stop.signal);
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bar = progress();
  try {
    const { buildClaimProviderList } = await import('../claim-providers.js');
    const { providers, unreachable } = await buildClaimProviderList(session.config, session.reader);
    trace(`claim providers: ${providers.map((p) => p.zone).join(', ') || 'none'}`);
    if (unreachable.length > 0) await unreachableProviderNotice(ctx, unreachable);
    const zones = new Set(session.client.contacts.map((c) => c.domain || session.config.domain))
      .size;
    const options: ReceiveOptions = {
      ...phases(session, opts),
      claimProviders: providers,
      signal: stop.signal,
      onProgress: (p) => {
        trace(`receive: ${p.phase} done (${p.queries} queries)`);
        bar.update(`checking for messages… ${phaseDone(p, zones)}`);
      },
    };
    const interval = opts.interval ?? Math.max(1, session.config.recv_primary_interval_seconds);
    for (let pass = 0; ; pass++) {
      bar.update(
        opts.watch ? `checking for messages (pass ${pass + 1})…` : 'checking for messages…',
      );
      let result: ReceiveResult;
      try {
        result = await session.client.receive(options);
      } catch (err) {
        if (stop.signal.aborted) break;
        if (!opts.watch) throw asCliError(err);
        bar.done();
        eprintln(
          `  warning: receive pass failed (${(err as Error).message}); retrying in ~${interval}s`,
        );
        await sleep(jittered(interval), stop.signal);
        continue;
      }
      bar.done();
      const { unanswered } = result.stats;
      if (unanswered.names > 0) {
        eprintln(
          `  warning: ${unanswered.names} lookup(s) got no answer, so mail there was not checked: ` +
            unanswered.reasons.join('; '),
        );
      }
      const cut = result.stats.dropped['stranger-timeout'] ?? 0;
      if (cut > 0) {
        eprintln(
          `  note: ${cut} message(s) from unknown senders not fetched: their zones did not answer ` +
            'in time; they stay on the claim provider and are tried again next pass',
        );
      }
      const full =
        (result.stats.dropped['intro-queue-full'] ?? 0) +
        (result.stats.dropped['intro-sender-full'] ?? 0);
      if (full > 0) {
        eprintln(
          `  note: the intro queue is full, ${full} new intro(s) wait on the claim provider — ` +
            'make room with `dnsmesh intro list`, then accept, trust or block',
        );
      }
      report(result, opts, opts.watch === true);
      if (!opts.watch || stop.signal.aborted) break;
      bar.update(`waiting ~${interval}s (Ctrl-C to stop)`);
      await sleep(jittered(interval), stop.signal);
      bar.done();
      if (stop.signal.aborted) break;
    }
    return 0;
  } finally {
    bar.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    session.close();
  }
}
