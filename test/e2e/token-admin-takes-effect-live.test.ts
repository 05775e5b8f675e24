/**
 * Scenario: an operator manages bearer tokens of a running multi-tenant node
 * with `dnsmesh-node token …` / `audit tail` and the `dnsmesh-node-admin`
 * bin, on the node's own database, while the node serves. A token issued by
 * the CLI writes through POST /v1/records at once; `token list` shows it
 * without the secret (and the database holds only its hash); after `token
 * revoke` (by subject or by hash prefix) it gets 401 at once; an ambiguous
 * prefix revokes nothing (exit 2); `token rotate` makes the old token 401 and
 * the new one work; `audit tail` shows the lifecycle, filtered by --event and
 * cut by --limit, in text and --json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MeshNode, startMeshNode } from './cli-harness.js';
import { cleanEnv, cleanup, type ExecResult, NODE_MAIN, REPO, run, tempDir } from './harness.js';

const ZONE = 'mesh.test';
const TOKEN = /^dmp_v1_[A-Z2-7]{52}$/;
const ADMIN_MAIN = join(REPO, 'src/cli/node-admin-main.ts');

interface ListedToken {
  token_hash: string;
  subject: string;
  subject_hash12: string | null;
  revoked_at: number | null;
  issuer: string;
  note: string;
  live: boolean;
}

interface AuditRow {
  ts: number;
  event: string;
  token_hash: string | null;
  subject: string | null;
  remote_addr: string | null;
  detail: string | null;
}

describe('token-admin-takes-effect-live', () => {
  let node: MeshNode;
  /** `dnsmesh-node <args>` on the node's data directory (state options first). */
  let nodeCli: (args: readonly string[]) => Promise<ExecResult>;
  /** `dnsmesh-node-admin <args>` on the node's database (`--db`, the reference's option). */
  let adminCli: (args: readonly string[]) => Promise<ExecResult>;

  const publish = async (token: string, name: string, value = 'v=dmp1;t=test') => {
    const res = await fetch(`${node.endpoint}/v1/records/${name}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value, ttl: 60 }),
    });
    return res.status;
  };
  const issue = async (subject: string, ...extra: string[]) => {
    const r = await nodeCli(['token', 'issue', subject, '--json', ...extra]);
    expect(r, r.stderr).toMatchObject({ code: 0 });
    const shown = JSON.parse(r.stdout) as { token: string };
    expect(shown.token).toMatch(TOKEN);
    return shown.token;
  };
  const list = async (...extra: string[]) => {
    const r = await adminCli(['token', 'list', '--json', ...extra]);
    expect(r, r.stderr).toMatchObject({ code: 0 });
    return JSON.parse(r.stdout) as ListedToken[];
  };
  const audit = async (...extra: string[]) => {
    const r = await adminCli(['audit', 'tail', '--json', ...extra]);
    expect(r, r.stderr).toMatchObject({ code: 0 });
    return JSON.parse(r.stdout) as AuditRow[];
  };
  const hashOf = async (subject: string) => {
    const [t] = await list('--subject', subject);
    return t!.token_hash;
  };

  beforeAll(async () => {
    node = await startMeshNode(ZONE);
    const env = cleanEnv({ USER: 'ops' });
    nodeCli = (args) =>
      run(
        process.execPath,
        ['--import', 'tsx', NODE_MAIN, '--data-dir', node.dataDir, '--zone', ZONE, ...args],
        { timeoutMs: 20_000, env },
      );
    adminCli = (args) =>
      run(process.execPath, ['--import', 'tsx', ADMIN_MAIN, '--db', node.dbPath, ...args], {
        timeoutMs: 20_000,
        env,
      });
  });
  afterAll(cleanup);

  it('an issued token writes its owner names at once, and nothing outside them', async () => {
    const r = await nodeCli(['token', 'issue', 'Alice@Mesh.Test', '--note', 'ops ticket 7']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  subject:    alice@mesh.test\n');
    expect(r.stdout).toContain('  rate:       10.0 req/s  burst=50\n');
    expect(r.stdout).toContain('  expires:    -\n');
    expect(r.stdout).toContain('copy this NOW');
    expect(r.stdout).toContain('  note: ops ticket 7\n');
    const token = /^ {6}(dmp_v1_\S+)$/m.exec(r.stdout)?.[1];
    expect(token).toMatch(TOKEN);
    expect(await publish(token!, `dmp.alice.${ZONE}`)).toBe(201);
    expect(await publish(token!, `dmp.bob.${ZONE}`)).toBe(401);
  });

  it('issue --json has the reference fields; --expires, --rate, --burst and the prekey scope land', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await nodeCli([
      'token',
      'issue',
      'erin@mesh.test',
      '--json',
      '--expires',
      '2h',
      '--rate',
      '2.5',
      '--burst',
      '7',
      '--with-prekey-scope',
      '11'.repeat(32),
    ]);
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(shown)).toEqual([
      'token',
      'subject',
      'subject_hash12',
      'expires_at',
      'rate_per_sec',
      'rate_burst',
    ]);
    expect(shown).toMatchObject({ subject: 'erin@mesh.test', rate_per_sec: 2.5, rate_burst: 7 });
    expect(shown.expires_at as number).toBeGreaterThanOrEqual(before + 7200);
    expect(shown.expires_at as number).toBeLessThanOrEqual(before + 7200 + 30);
    // The prekey names of that X25519 key are the token's to write.
    const h12 = shown.subject_hash12 as string;
    expect(h12).toMatch(/^[0-9a-f]{12}$/);
    expect(await publish(shown.token as string, `pk-1.${h12}.${ZONE}`)).toBe(201);
    expect(await publish(shown.token as string, `pk-1.${'0'.repeat(12)}.${ZONE}`)).toBe(401);
  });

  it('list shows tokens without the secret; the database holds only hashes', async () => {
    const token = await issue('carol@mesh.test');
    const listed = await list();
    expect(listed.map((t) => t.subject)).toEqual(
      expect.arrayContaining(['alice@mesh.test', 'carol@mesh.test', 'erin@mesh.test']),
    );
    const carol = listed.find((t) => t.subject === 'carol@mesh.test')!;
    expect(carol).toMatchObject({ live: true, revoked_at: null, issuer: 'admin:ops', note: '' });
    expect(carol.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await list('--subject', 'CAROL@mesh.test')).toHaveLength(1);
    expect(await list('--subject', 'nobody@mesh.test')).toEqual([]);
    const text = await adminCli(['token', 'list']);
    expect(text.stdout.split('\n')[0]).toMatch(
      /^HASH-PREFIX\s+SUBJECT\s+ISSUED\s+EXPIRES\s+REVOKED\s+STATUS/,
    );
    expect(text.stdout).toContain(carol.token_hash.slice(0, 16));
    for (const out of [JSON.stringify(listed), text.stdout]) expect(out).not.toContain(token);
    for (const file of readdirSync(node.dataDir)) {
      expect(readFileSync(join(node.dataDir, file)).includes(token), file).toBe(false);
    }
  });

  it('revoke by an unambiguous hash prefix: 401 at once; an ambiguous prefix revokes nothing', async () => {
    const token = await issue('dave@mesh.test');
    expect(await publish(token, `dmp.dave.${ZONE}`)).toBe(201);
    const hash = await hashOf('dave@mesh.test');
    // A second live token whose hash shares dave's first 8 hex digits.
    const db = new Database(node.dbPath);
    try {
      const twin = hash.slice(0, 8) + (hash[8] === '0' ? '1' : '0') + hash.slice(9);
      db.prepare(
        `INSERT INTO tokens (token_hash, subject, subject_type, rate_per_sec, rate_burst, issued_at, issuer, note)
         VALUES (?, 'twin@mesh.test', 1, 10, 50, 0, 'test', '')`,
      ).run(twin);
    } finally {
      db.close();
    }
    const ambiguous = await adminCli(['token', 'revoke', hash.slice(0, 8)]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('is ambiguous — matches 2 tokens');
    expect(ambiguous.stdout).toBe('');
    expect(await publish(token, `dmp.dave.${ZONE}`, 'still live')).toBe(201);

    const revoked = await adminCli(['token', 'revoke', hash.slice(0, 16).toUpperCase()]);
    expect(revoked).toMatchObject({
      code: 0,
      stdout: `revoked token ${hash.slice(0, 16)}… (subject dave@mesh.test)\n`,
    });
    expect(await publish(token, `dmp.dave.${ZONE}`, 'after revoke')).toBe(401);
    expect(await list('--subject', 'dave@mesh.test')).toEqual([]);
    const withRevoked = await list('--subject', 'dave@mesh.test', '--include-revoked');
    expect(withRevoked).toMatchObject([{ live: false, token_hash: hash }]);
    expect(withRevoked[0]!.revoked_at).toEqual(expect.any(Number));

    const missing = await adminCli(['token', 'revoke', 'ffffffffffffffffffff']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no live token found for subject or hash-prefix');
  });

  it('revoke by subject revokes every live token of it', async () => {
    const [one, two] = [await issue('frank@mesh.test'), await issue('frank@mesh.test')];
    const r = await nodeCli(['token', 'revoke', 'Frank@mesh.test']);
    expect(r).toMatchObject({
      code: 0,
      stdout: "revoked 2 token(s) for subject 'frank@mesh.test'\n",
    });
    for (const t of [one, two]) expect(await publish(t, `dmp.frank.${ZONE}`)).toBe(401);
  });

  it('rotate: the old token is refused, the new one works', async () => {
    const old = await issue('gina@mesh.test');
    expect(await publish(old, `dmp.gina.${ZONE}`)).toBe(201);
    const r = await adminCli(['token', 'rotate', 'gina@mesh.test', '--burst', '9']);
    expect(r.code).toBe(0);
    const m =
      /^revoked 1 old token\(s\) for 'gina@mesh.test'\nnew token:\n {2}(dmp_v1_\S+)\n$/.exec(
        r.stdout,
      );
    expect(m, r.stdout).not.toBeNull();
    expect(await publish(old, `dmp.gina.${ZONE}`, 'old')).toBe(401);
    expect(await publish(m![1]!, `dmp.gina.${ZONE}`, 'new')).toBe(201);
    expect(await list('--subject', 'gina@mesh.test')).toMatchObject([
      { live: true, issuer: 'admin:ops:rotate', note: 'rotation' },
    ]);
  });

  it('audit tail shows the lifecycle, filtered by --event and cut by --limit', async () => {
    const all = await audit('--limit', '500');
    const gina = all.filter((e) => e.subject === 'gina@mesh.test').map((e) => e.event);
    // Newest first: the new token's use, its issue, the old one's revocation, use and issue.
    expect(gina).toEqual(['used', 'issued', 'revoked', 'used', 'issued']);
    expect(all.every((e) => e.token_hash === null || /^[0-9a-f]{64}$/.test(e.token_hash))).toBe(
      true,
    );
    const used = all.find((e) => e.event === 'used' && e.subject === 'alice@mesh.test')!;
    expect(used).toMatchObject({ remote_addr: expect.stringMatching(/127\.0\.0\.1/) });
    expect(Object.keys(used)).toEqual([
      'ts',
      'event',
      'token_hash',
      'subject',
      'remote_addr',
      'detail',
    ]);

    const revoked = await audit('--event', 'revoked');
    expect(revoked.length).toBeGreaterThanOrEqual(4); // dave, frank ×2, gina
    expect(revoked.every((e) => e.event === 'revoked')).toBe(true);
    expect(await audit('--event', 'revoked', '--limit', '1')).toEqual([revoked[0]]);
    expect(revoked[0]).toMatchObject({ subject: 'gina@mesh.test', detail: 'rotated' });

    const text = await nodeCli(['audit', 'tail', '--event', 'issued', '--limit', '2']);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}issued {6}subject=gina@mesh.test\s+hash=[0-9a-f]{12}… {2}addr=-\s+admin:ops:rotate$/,
    );
  });

  it('refuses bad input with the reference exit codes, and a missing database', async () => {
    const badExpires = await nodeCli(['token', 'issue', 'h@mesh.test', '--expires', '1.5h']);
    expect(badExpires.code).toBe(2);
    expect(badExpires.stderr).toContain('--expires: bad duration');
    const badScope = await nodeCli([
      'token',
      'issue',
      'h@mesh.test',
      '--with-prekey-scope',
      'abcd',
    ]);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('expected 32-byte x25519 pubkey, got 2 bytes');
    expect((await adminCli(['audit', 'tail', '--event', 'nope'])).code).toBe(2);
    expect((await adminCli(['token', 'frob'])).code).toBe(2);
    expect(await list('--subject', 'h@mesh.test')).toEqual([]);

    const empty = await tempDir();
    const none = await run(
      process.execPath,
      ['--import', 'tsx', ADMIN_MAIN, '--data-dir', empty, 'token', 'list'],
      { timeoutMs: 20_000 },
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`no node database at ${join(empty, 'dnsmesh.db')}`);
    expect(readdirSync(empty)).toEqual([]);
  });
});
