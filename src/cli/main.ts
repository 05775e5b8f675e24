#!/usr/bin/env node
/**
 * `dnsmesh` entry point. Parses the command line, runs one command, and
 * turns every failure into `dnsmesh: <message>` on stderr with the spec's
 * exit code (cli spec §1.3): 1 user/config error, 2 network/backend error
 * and usage errors (the reference's argparse convention).
 */
import { CommanderError } from 'commander';
import { CliError, describeError, ExitCode } from './errors.js';
import { exitQuietlyOnBrokenPipe, trace } from './output.js';
import { buildProgram } from './program.js';

function report(message: string): void {
  process.stderr.write(`dnsmesh: ${message}\n`);
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      // A group without its subcommand prints help on stderr; like any usage error, exit 2.
      return err.exitCode === 0 ? 0 : ExitCode.network;
    }
    if (err instanceof CliError) {
      report(err.message);
      return err.exitCode;
    }
    report(`unexpected error: ${describeError(err)} — please report this with the command you ran`);
    if (process.env.DNSMESH_DEBUG === '1' && err instanceof Error) {
      process.stderr.write(`${err.stack ?? ''}\n`);
    }
    return ExitCode.user;
  }
}

/**
 * Exits as soon as stdout and stderr are flushed. Waiting for the event loop
 * to drain instead would let idle sockets and retry timers of the network
 * libraries hold a finished command open for tens of milliseconds.
 */
function exitWhenFlushed(code: number): void {
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  if (pending.length === 0) process.exit(code);
  let left = pending.length;
  for (const stream of pending) {
    stream.once('drain', () => {
      if (--left === 0) process.exit(code);
    });
  }
}

exitQuietlyOnBrokenPipe();
const args = process.argv.slice(2);
if (args[0] === 'node') {
  // `dnsmesh node …` is the daemon: it must keep running, not exit when flushed.
  void import('./node-program.js').then((m) => m.runNodeCli(args.slice(1)));
} else {
  runCommand(args);
}

function runCommand(argv: string[]): void {
  main(argv).then(
    (code) => {
      trace(`done (exit ${code})`);
      exitWhenFlushed(code);
    },
    (err: unknown) => {
      report(`unexpected error: ${describeError(err)}`);
      exitWhenFlushed(ExitCode.user);
    },
  );
}
