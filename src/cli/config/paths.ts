/**
 * Where the CLI keeps its files (cli spec §1.1–1.2): the config dir
 * (`--config-home`, else `DMP_CONFIG_HOME`, else `~/.dmp`) and the bearer
 * token dir (`--tokens-home`, else `DMP_TOKENS_HOME`, else
 * `<--config-home>/tokens` when only the flag moved the config dir, else
 * `~/.dmp/tokens`). Setting only the `DMP_CONFIG_HOME` variable does not
 * move the tokens dir — the reference behaves so, and a user switching
 * tools must find their saved tokens where the reference put them.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const CONFIG_FILENAME = 'config.yaml';

/** Resolved locations of every local file. */
export interface CliPaths {
  readonly configHome: string;
  readonly configPath: string;
  readonly tokensHome: string;
}

/** Global options that move the directories. */
export interface PathFlags {
  readonly configHome?: string | undefined;
  readonly tokensHome?: string | undefined;
}

/** `~` and `~/x` expanded against the home directory, as Python's `expanduser`. */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Resolves the config and token dirs from the global flags and the environment. */
export function resolveCliPaths(flags: PathFlags, env: NodeJS.ProcessEnv = process.env): CliPaths {
  const defaultHome = join(homedir(), '.dmp');
  const flagHome = nonEmpty(flags.configHome);
  const configHome = resolve(expandHome(flagHome ?? nonEmpty(env.DMP_CONFIG_HOME) ?? defaultHome));
  const tokensHome = resolve(
    expandHome(
      nonEmpty(flags.tokensHome) ??
        nonEmpty(env.DMP_TOKENS_HOME) ??
        (flagHome !== undefined ? join(flagHome, 'tokens') : join(defaultHome, 'tokens')),
    ),
  );
  return { configHome, configPath: join(configHome, CONFIG_FILENAME), tokensHome };
}
