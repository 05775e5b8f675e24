/**
 * Scenario: `dnsmesh doctor` exercises the paths send and recv use (issue
 * 14). A healthy user gets PASS on every line and exit 0, and the node's
 * store is unchanged (the TSIG probe is a prerequisite-only UPDATE). Then
 * one thing breaks at a time and doctor names it, with the fix, exiting 1
 * on a FAIL: a wrong tsig_dns_port, a revoked key (BADKEY), a corrupted
 * secret (BADSIG), an unpublished identity, an identity record with other
 * keys, dead resolvers, a lying resolver, the unreachable seed provider,
 * and the HTTP path's token (accepted, expiring, expired).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { identityFingerprint } from '../../src/client/fingerprints.js';
import { fromHex } from '../../src/protocol/bytes.js';
import {
  type CliUser,
  FAKE_CLOCK,
  type Liar,
  type MeshNode,
  makeUser,
  setupUser,
  startLiar,
  startMeshNode,
  storeFingerprint,
} from './cli-harness.js';
import { cleanup, describeWith, freePort, nodeCli } from './harness.js';

interface DoctorLine {
  readonly status: 'PASS' | 'WARN' | 'FAIL';
  readonly check: string;
  readonly detail: string;
}

interface Doctor {
  readonly code: number;
  readonly checks: DoctorLine[];
  readonly ms: number;
  /** `STATUS check` per line. */
  readonly lines: string[];
  /** The lines that are not PASS: what doctor says is broken. */
  readonly broken: string[];
  /** The line whose title is `check`; throws when absent. */
  line(check: string): DoctorLine;
}

async function doctor(user: CliUser, env?: Record<string, string>): Promise<Doctor> {
  const r = await user.cli(['doctor', '--json'], env === undefined ? {} : { env });
  const doc = JSON.parse(r.stdout) as { checks: DoctorLine[]; fails: number };
  expect(r.code, r.stderr).toBe(doc.fails > 0 ? 1 : 0);
  return {
    code: r.code ?? -1,
    checks: doc.checks,
    ms: r.ms,
    lines: doc.checks.map((c) => `${c.status} ${c.check}`),
    broken: doc.checks.filter((c) => c.status !== 'PASS').map((c) => `${c.status} ${c.check}`),
    line(check) {
      const found = doc.checks.find((c) => c.check === check);
      if (found === undefined) {
        throw new Error(`no "${check}" line in:\n${JSON.stringify(doc.checks, null, 2)}`);
      }
      return found;
    },
  };
}

/** Runs `body` on `user` with its config as edited, then puts the file back. */
async function withConfig(
  user: CliUser,
  edit: Parameters<CliUser['editConfig']>[0],
  body: () => Promise<void>,
): Promise<void> {
  const original = await readFile(user.configPath);
  await user.editConfig(edit);
  try {
    await body();
  } finally {
    await writeFile(user.configPath, original, { mode: 0o600 });
  }
}

const HEALTHY = [
  'PASS endpoint reachable',
  'PASS local DNS endpoint responds',
  'PASS resolvers answer',
  'PASS TSIG registered',
  'PASS TSIG UPDATE target accepts the key',
  'PASS identity published and matching',
  'PASS claim providers answer',
];

describeWith([], 'cli-doctor-names-what-breaks', () => {
  let node: MeshNode;
  let liar: Liar;
  let alice: CliUser;
  let carol: CliUser;
  let dave: CliUser;
  let erin: CliUser;
  let aliceKeys: { spk: string; x25519: string };

  beforeAll(async () => {
    [node, liar] = await Promise.all([startMeshNode('mesh.test'), startLiar()]);
    [alice, carol, dave, erin] = await Promise.all([
      makeUser('alice'),
      makeUser('carol'),
      makeUser('dave'),
      makeUser('erin'),
    ]);
    [aliceKeys] = await Promise.all([
      setupUser(alice, node),
      setupUser(carol, node),
      setupUser(dave, node, { skipPublish: true }),
      setupUser(erin, node, { skipPublish: true }),
    ]);
  });
  afterAll(async () => {
    await liar?.close();
    await cleanup();
  });

  it('a healthy user: every line PASS, exit 0, nothing written, well under 10 s', async () => {
    const before = storeFingerprint(node);
    const d = await doctor(alice);
    expect(d.lines).toEqual(HEALTHY);
    expect(d.code).toBe(0);
    expect(d.line('TSIG UPDATE target accepts the key').detail).toContain('is in use');
    const fingerprint = identityFingerprint(fromHex(aliceKeys.x25519), fromHex(aliceKeys.spk));
    expect(d.line('identity published and matching').detail).toContain(
      `fingerprint ${fingerprint}`,
    );
    expect(storeFingerprint(node)).toEqual(before);
    expect(d.ms).toBeLessThan(10_000);
    const text = await alice.cli(['doctor']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/DOCTOR: clean\n$/);
  });

  it('wrong tsig_dns_port: the target does not answer, and doctor finds the right port', async () => {
    const wrong = await freePort();
    await withConfig(
      alice,
      (c) => {
        c.tsig_dns_port = wrong;
      },
      async () => {
        const d = await doctor(alice);
        expect(d.code).toBe(1);
        expect(d.broken).toEqual(['FAIL TSIG UPDATE target unreachable']);
        const line = d.line('TSIG UPDATE target unreachable');
        expect(line.status).toBe('FAIL');
        expect(line.detail).toContain(`127.0.0.1:${wrong}`);
        expect(line.detail).toContain(
          `your node answers at 127.0.0.1:${node.port} and accepts the key — set tsig_dns_port: ${node.port} in ${alice.configPath}`,
        );
      },
    );
  });

  it('a corrupted secret: BADSIG, fix tsig register', async () => {
    await withConfig(
      alice,
      (c) => {
        c.tsig_secret_hex = 'ab'.repeat(32);
      },
      async () => {
        const before = storeFingerprint(node);
        const d = await doctor(alice);
        expect(d.code).toBe(1);
        expect(d.broken).toEqual(['FAIL TSIG key rejected']);
        const line = d.line('TSIG key rejected');
        expect(line.status).toBe('FAIL');
        expect(line.detail).toContain('BADSIG');
        expect(line.detail).toContain('run `dnsmesh tsig register`');
        expect(storeFingerprint(node)).toEqual(before);
      },
    );
  });

  it('a clock an hour fast: BADTIME with the measured skew, fix the clock', async () => {
    const r = await alice.cli(['doctor', '--json'], {
      preload: [FAKE_CLOCK],
      env: { DNSMESH_TEST_NOW_MS: String(Date.now() + 3_600_000) },
    });
    expect(r.code).toBe(1);
    const checks = JSON.parse(r.stdout).checks as DoctorLine[];
    const line = checks.find((c) => c.check === 'TSIG key rejected');
    expect(line?.detail).toMatch(
      /BADTIME: more than 300 s from the node's clock; yours is 3[56]\d\d s off/,
    );
    expect(line?.detail).toContain('enable NTP');
  });

  it('a revoked key: BADKEY, fix tsig register', async () => {
    expect((await doctor(carol)).lines).toEqual(HEALTHY);
    const { tsig_key_name } = await carol.readConfig();
    const revoke = await nodeCli([
      'key',
      'revoke',
      tsig_key_name,
      '--data-dir',
      node.dataDir,
      '--zone',
      node.zone,
    ]);
    expect(revoke.code, revoke.stderr).toBe(0);
    const d = await doctor(carol);
    expect(d.code).toBe(1);
    expect(d.broken).toEqual(['FAIL TSIG key rejected']);
    const line = d.line('TSIG key rejected');
    expect(line.status).toBe('FAIL');
    expect(line.detail).toContain(`does not know key ${tsig_key_name} (BADKEY)`);
    expect(line.detail).toContain('run `dnsmesh tsig register`');
  });

  it('identity not published: FAIL, fix identity publish', async () => {
    const d = await doctor(dave);
    expect(d.code).toBe(1);
    expect(d.broken).toEqual(['FAIL identity not published']);
    const line = d.line('identity not published');
    expect(line.status).toBe('FAIL');
    expect(line.detail).toContain('run `dnsmesh identity publish`');
    expect(d.line('TSIG UPDATE target accepts the key').detail).toContain('holds nothing yet');
  });

  it('an identity record with other keys: FAIL naming both fingerprints', async () => {
    const other = {
      DMP_PASSPHRASE: 'erin, a different passphrase',
      DMP_PASSPHRASE_OVERRIDE_VERIFY: '1',
    };
    await erin.ok(['identity', 'publish'], { env: other });
    const theirs = JSON.parse(
      (await erin.ok(['identity', 'show', '--json'], { env: other })).stdout,
    );
    const mine = JSON.parse((await erin.ok(['identity', 'show', '--json'])).stdout);
    const d = await doctor(erin);
    expect(d.code).toBe(1);
    expect(d.broken).toEqual(['FAIL published identity has other keys']);
    const line = d.line('published identity has other keys');
    expect(line.status).toBe('FAIL');
    expect(line.detail).toContain(`fingerprint ${theirs.fingerprint}`);
    expect(line.detail).toContain(`this config's identity is fingerprint ${mine.fingerprint}`);
    expect(line.detail).toContain('run `dnsmesh identity publish`');
    // Without a passphrase, verify_pubkey still tells the records apart.
    const locked = await doctor(erin, { DMP_PASSPHRASE: '' });
    expect(locked.line('published identity has other keys').detail).toContain(
      `signing key ${mine.signing_public_key.slice(0, 16)}… (verify_pubkey)`,
    );
  });

  it('every resolver dead: FAIL per resolver, fix resolvers discover', async () => {
    await withConfig(
      alice,
      (c) => {
        c.dns_resolvers = ['127.0.0.1:9'];
      },
      async () => {
        const d = await doctor(alice);
        expect(d.code).toBe(1);
        expect(d.broken).toEqual(['FAIL no resolver answers', 'WARN identity not checked']);
        const line = d.line('no resolver answers');
        expect(line.status).toBe('FAIL');
        expect(line.detail).toContain('127.0.0.1:9  unreachable: nothing listens there');
        expect(line.detail).toContain('`dnsmesh resolvers discover --save`');
        expect(line.detail).toContain(`your node's DNS answers at 127.0.0.1:${node.port}`);
        expect(d.ms).toBeLessThan(10_000);
      },
    );
  });

  it('a lying resolver next to a good one: WARN naming the liar', async () => {
    await withConfig(
      alice,
      (c) => {
        c.dns_resolvers = [`127.0.0.1:${node.port}`, `127.0.0.1:${liar.port}`];
      },
      async () => {
        const d = await doctor(alice);
        expect(d.code).toBe(0);
        expect(d.broken).toEqual(['WARN 1 of 2 resolvers lie']);
        const line = d.line('1 of 2 resolvers lie');
        expect(line.status).toBe('WARN');
        expect(line.detail).toContain(`127.0.0.1:${node.port}  ok`);
        expect(line.detail).toContain(`127.0.0.1:${liar.port}  lying`);
        expect(d.line('identity published and matching').status).toBe('PASS');
      },
    );
  });

  it('the seed provider unreachable (override cleared): WARN with the setting, never init --force', async () => {
    await withConfig(
      alice,
      (c) => {
        c.claim_provider_override = '';
        c.claim_provider_zone = '';
      },
      async () => {
        const d = await doctor(alice);
        expect(d.code).toBe(0);
        expect(d.broken).toEqual(['WARN first-contact provider unreachable']);
        const line = d.line('first-contact provider unreachable');
        expect(line.status).toBe('WARN');
        expect(line.detail).toContain('dmp.dnsmesh.io');
        expect(line.detail).toContain('claim_provider_override: <its URL>');
        expect(line.detail).toContain(`your own node: ${node.endpoint} and mesh.test`);
        for (const c of d.checks) expect(c.detail).not.toContain('--force');
      },
    );
  });

  it('HTTP writes: the saved token is checked on a no-op delete, and its expiry', async () => {
    const frank = await makeUser('frank');
    await frank.ok([
      'init',
      'frank',
      '--domain',
      node.zone,
      '--endpoint',
      node.endpoint,
      '--dns-resolvers',
      `127.0.0.1:${node.port}`,
      '--claim-provider',
      'self',
    ]);
    await frank.ok(['register', '--node', `127.0.0.1:${node.httpPort}`, '--scheme', 'http']);
    await frank.ok(['identity', 'publish']);
    const before = storeFingerprint(node);
    const ok = await doctor(frank);
    expect(ok.line('HTTP writes accepted').status).toBe('PASS');
    expect(ok.line('saved tokens valid').status).toBe('PASS');
    expect(ok.line('identity published and matching').status).toBe('PASS');
    expect(storeFingerprint(node)).toEqual(before);

    const tokenFile = join(frank.configHome, 'tokens', '127.0.0.1.json');
    const saved = JSON.parse(await readFile(tokenFile, 'utf8'));
    const now = Math.floor(Date.now() / 1000);
    await writeFile(tokenFile, JSON.stringify({ ...saved, expires_at: now + 3 * 86_400 }));
    const soon = await doctor(frank);
    expect(soon.code).toBe(0);
    const expiring = soon.line('saved token expired or expiring');
    expect(expiring.status).toBe('WARN');
    expect(expiring.detail).toContain('`dnsmesh register --node 127.0.0.1`');

    await writeFile(tokenFile, JSON.stringify({ ...saved, expires_at: now - 86_400 }));
    const gone = await doctor(frank);
    expect(gone.code).toBe(1);
    expect(gone.line('saved token expired').status).toBe('FAIL');
    const refused = gone.line('HTTP writes refused');
    expect(refused.status).toBe('FAIL');
    expect(refused.detail).toContain('run `dnsmesh register`');
  });
});
