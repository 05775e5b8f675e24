/**
 * The passphrase typo tripwire (cli spec §1.4) through the real CLI: a
 * different passphrase is refused with exit 1 before anything is written;
 * DMP_PASSPHRASE_OVERRIDE_VERIFY=1 (exactly) lets one run through; the
 * passphrase sources apply in the spec's order.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../../src/cli/config/yaml-read.js';
import { configToYaml } from '../../src/cli/config/yaml-write.js';
import { type CliHome, makeCliHome } from './harness.js';

describe('passphrase tripwire', () => {
  let home: CliHome;
  let spk: string;
  beforeAll(async () => {
    home = await makeCliHome();
    expect((await home.run(['init', 'alice', '--no-probe-local-dns'])).code).toBe(0);
    const first = await home.run(['identity', 'show', '--json'], { DMP_PASSPHRASE: 'right' });
    expect(first.code).toBe(0);
    spk = JSON.parse(first.stdout).signing_public_key;
  });
  afterAll(async () => {
    await home.cleanup();
  });

  it('refuses a different passphrase with exit 1 and changes nothing', async () => {
    const before = await home.readConfig();
    const filesBefore = await readdir(home.configHome);
    const r = await home.run(['identity', 'show'], { DMP_PASSPHRASE: 'wrong' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^dnsmesh: passphrase mismatch: /);
    expect(r.stderr).toContain(`  expected: ${spk}\n`);
    expect(r.stderr).toMatch(/ {2}derived: {2}[0-9a-f]{64}\n/);
    expect(r.stderr).toContain('DMP_PASSPHRASE_OVERRIDE_VERIFY=1');
    expect(await home.readConfig()).toBe(before);
    expect(await readdir(home.configHome)).toEqual(filesBefore);
  });

  it('DMP_PASSPHRASE is used verbatim: surrounding spaces make it a different passphrase', async () => {
    const r = await home.run(['identity', 'show'], { DMP_PASSPHRASE: ' right ' });
    expect(r.code).toBe(1);
  });

  it('DMP_PASSPHRASE_OVERRIDE_VERIFY=1 lets one run through with a warning, keeping verify_pubkey', async () => {
    const before = await home.readConfig();
    const r = await home.run(['identity', 'show', '--json'], {
      DMP_PASSPHRASE: 'wrong',
      DMP_PASSPHRASE_OVERRIDE_VERIFY: '1',
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^dnsmesh: warning: this passphrase derives a different identity/);
    expect(JSON.parse(r.stdout).signing_public_key).not.toBe(spk);
    expect(await home.readConfig()).toBe(before);
    const loose = await home.run(['identity', 'show'], {
      DMP_PASSPHRASE: 'wrong',
      DMP_PASSPHRASE_OVERRIDE_VERIFY: 'true',
    });
    expect(loose.code).toBe(1);
  });

  it('config passphrase_file is stripped and used when DMP_PASSPHRASE is unset', async () => {
    const file = join(home.root, 'passphrase');
    await writeFile(file, '  right\n\n', { mode: 0o600 });
    const config = await parseConfigYaml(await home.readConfig());
    config.passphrase_file = file;
    await writeFile(home.configPath, configToYaml(config));
    const r = await home.run(['identity', 'show', '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).signing_public_key).toBe(spk);
    // DMP_PASSPHRASE comes first.
    const env = await home.run(['identity', 'show'], { DMP_PASSPHRASE: 'wrong' });
    expect(env.code).toBe(1);
  });

  it('contacts commands need no passphrase at all', async () => {
    const r = await home.run(['contacts', 'list']);
    expect(r.code).toBe(0);
  });
});
