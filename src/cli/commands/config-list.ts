/**
 * `dnsmesh config list [--json] [--show-secrets]`: every key of config.yaml
 * with its value, in the file's (sorted) order — missing keys show their
 * defaults, as every command reads them. Secrets are shown only as
 * `<hidden, N characters>` unless `--show-secrets`.
 */
import { SORTED_FIELD_NAMES } from '../config/fields.js';
import { loadConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { printJson, println } from '../output.js';
import { displayValue, jsonValue } from './config-keys.js';

export interface ConfigListOptions {
  json?: boolean;
  showSecrets?: boolean;
}

export async function runConfigList(ctx: CliContext, opts: ConfigListOptions): Promise<number> {
  const config = await loadConfig(ctx.paths);
  const show = opts.showSecrets === true;
  if (opts.json) {
    printJson(
      Object.fromEntries(SORTED_FIELD_NAMES.map((k) => [k, jsonValue(k, config[k], show)])),
    );
  } else {
    println(...SORTED_FIELD_NAMES.map((k) => `${k}: ${displayValue(k, config[k], show)}`));
  }
  return 0;
}
