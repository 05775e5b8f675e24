/**
 * Runs the real `dnsmesh` CLI as a child process (`node --import tsx
 * src/cli/main.ts`) against a temporary config home, with an environment
 * stripped of the caller's DMP_* variables and HOME pointed at the temp
 * dir, so no test can touch a real ~/.dmp.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
const MAIN = join(REPO, 'src/cli/main.ts');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliHome {
  /** Temp dir used as HOME; the config home is `<root>/dmp`. */
  readonly root: string;
  readonly configHome: string;
  readonly configPath: string;
  /** Runs `dnsmesh --config-home <configHome> …args`. */
  run(args: readonly string[], env?: Record<string, string>): Promise<CliResult>;
  /** Runs `dnsmesh …args` without adding --config-home. */
  runRaw(args: readonly string[], env?: Record<string, string>): Promise<CliResult>;
  /** The environment `run` uses (plus `env`). */
  env(env?: Record<string, string>): Record<string, string>;
  readConfig(): Promise<string>;
  mode(path: string): Promise<number>;
  cleanup(): Promise<void>;
}

function baseEnv(root: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('DMP_') && k !== 'NO_COLOR') env[k] = v;
  }
  env.HOME = root;
  return env;
}

/** Starts the CLI without waiting (for `recv --watch` and signal tests). */
export function spawnCli(args: readonly string[], env: Record<string, string>) {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runCliProcess(
  args: readonly string[],
  env: Record<string, string>,
  input?: string,
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: REPO,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    // EPIPE when the CLI exits before reading its stdin: not a test error.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

export async function makeCliHome(): Promise<CliHome> {
  const root = await mkdtemp(join(tmpdir(), 'dnsmesh-cli-'));
  const configHome = join(root, 'dmp');
  const configPath = join(configHome, 'config.yaml');
  return {
    root,
    configHome,
    configPath,
    run: (args, env = {}) =>
      runCliProcess(['--config-home', configHome, ...args], { ...baseEnv(root), ...env }),
    runRaw: (args, env = {}) => runCliProcess(args, { ...baseEnv(root), ...env }),
    env: (env = {}) => ({ ...baseEnv(root), ...env }),
    readConfig: () => readFile(configPath, 'utf8'),
    mode: async (path) => (await stat(path)).mode & 0o777,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A 64-hex key made of one repeated byte, for contact fixtures. */
export const hexKey = (byte: string): string => byte.repeat(32);
