/**
 * Passphrase files must be private (hardening, as ssh treats private keys):
 * a file its group or others may read or write is refused with exit 1 and
 * the `chmod 600` that fixes it, before any key is derived; 0600 and 0400
 * work. Checked for `--passphrase-file` and for config `passphrase_file`,
 * with real files through the real CLI.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../../src/cli/config/yaml-read.js';
import { configToYaml } from '../../src/cli/config/yaml-write.js';
import { type CliHome, makeCliHome } from './harness.js';

const PASSPHRASE = 'file mode test passphrase';

describe.skipIf(process.platform === 'win32')('passphrase file permissions', () => {
  let home: CliHome;
  let spk: string;
  beforeAll(async () => {
    home = await makeCliHome();
    expect((await home.run(['init', 'alice', '--no-probe-local-dns'])).code).toBe(0);
    const first = await home.run(['identity', 'show', '--json'], { DMP_PASSPHRASE: PASSPHRASE });
    expect(first.code).toBe(0);
    spk = JSON.parse(first.stdout).signing_public_key;
  });
  afterAll(async () => home?.cleanup());

  /** A passphrase file with exactly `mode` (chmod after writing: the umask does not apply). */
  const passFile = async (name: string, mode: number): Promise<string> => {
    const file = join(home.root, name);
    await writeFile(file, `${PASSPHRASE}\n`);
    await chmod(file, mode);
    return file;
  };

  /** Test names show modes in octal. */
  const octal = (modes: number[]) => modes.map((m) => [m.toString(8), m] as const);

  it.each(octal([0o644, 0o640, 0o604, 0o660, 0o606, 0o620, 0o602, 0o610, 0o601]))(
    'refuses mode 0%s with exit 1, naming chmod 600',
    async (_, mode) => {
      const file = await passFile(`pass-${mode.toString(8)}`, mode);
      const r = await home.run(['--passphrase-file', file, 'identity', 'show', '--json']);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `dnsmesh: passphrase file ${file} is accessible by other users ` +
          `(mode 0${mode.toString(8)}) — refusing to use it; run \`chmod 600 ${file}\`\n`,
      );
    },
  );

  it.each(octal([0o600, 0o400]))('accepts mode 0%s', async (_, mode) => {
    const file = await passFile(`ok-${mode.toString(8)}`, mode);
    const r = await home.run(['--passphrase-file', file, 'identity', 'show', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).signing_public_key).toBe(spk);
  });

  it('checks the config passphrase_file too, and works again after chmod 600', async () => {
    const file = await passFile('config-pass', 0o644);
    const config = await parseConfigYaml(await home.readConfig());
    config.passphrase_file = file;
    await writeFile(home.configPath, configToYaml(config));

    const refused = await home.run(['identity', 'show', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is accessible by other users \(mode 0644\).*chmod 600/);

    await chmod(file, 0o600);
    const fixed = await home.run(['identity', 'show', '--json']);
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout).signing_public_key).toBe(spk);
  });
});
