/**
 * What every command receives from `main`: resolved paths and the global
 * options. Commands read the environment through it so tests can run them
 * in-process with an isolated environment.
 */
import type { CliPaths } from './config/paths.js';

export interface CliContext {
  readonly paths: CliPaths;
  /** Global `--passphrase-file`, if given. */
  readonly passphraseFile: string | undefined;
  readonly env: NodeJS.ProcessEnv;
}
