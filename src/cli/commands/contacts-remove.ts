/**
 * `dnsmesh contacts remove <name>`: deletes a contact (this CLI's addition;
 * the reference has no remove verb, and editing YAML by hand to do it risks
 * the `kdf_salt`). An unknown label changes nothing and exits 1.
 */
import { loadConfig, saveConfig } from '../config/store.js';
import type { CliContext } from '../context.js';
import { userError } from '../errors.js';
import { println } from '../output.js';

export async function runContactsRemove(ctx: CliContext, name: string): Promise<number> {
  const config = await loadConfig(ctx.paths);
  if (!config.contacts.delete(name)) {
    throw userError(`unknown contact \`${name}\` — \`dnsmesh contacts list\` shows the labels`);
  }
  await saveConfig(ctx.paths, config);
  println(`removed contact ${name}`);
  return 0;
}
