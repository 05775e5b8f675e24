/**
 * `dnsmesh config get <key> [--json] [--show-secrets]`: prints one key of
 * config.yaml as a script would want it — text as is, a list one entry per
 * line, null as an empty line; `--json` gives the typed value. A secret
 * (`tsig_secret_hex`, `http_token`, `cluster_node_token`) is refused
 * without `--show-secrets` rather than printed as a placeholder a script
 * could mistake for the value.
 */
import { loadConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { userError } from '../errors.js';
import { printJson, println } from '../output.js';
import { jsonValue, resolveKey, secretIsSet } from './config-keys.js';

export interface ConfigGetOptions {
  json?: boolean;
  showSecrets?: boolean;
}

export async function runConfigGet(
  ctx: CliContext,
  name: string,
  opts: ConfigGetOptions,
): Promise<number> {
  const key = resolveKey(name);
  const config = await loadConfig(ctx.paths);
  const value = config[key];
  const showSecrets = opts.showSecrets === true;
  if (secretIsSet(key, value) && !showSecrets) {
    throw userError(
      `${key} is a secret (set, ${String(value).length} characters) and is printed only with --show-secrets`,
    );
  }
  if (opts.json) {
    printJson(jsonValue(key, value, showSecrets));
  } else if (value instanceof Map) {
    printJson(Object.fromEntries(value));
  } else if (Array.isArray(value)) {
    if (value.length > 0) println(...value);
  } else {
    println(value === null ? '' : String(value));
  }
  return 0;
}
