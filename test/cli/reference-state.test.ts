/**
 * Switching from the reference CLI: its `intros.db` (and prekeys / replay
 * cache) are carried into this CLI's state the first time a command opens
 * the state, so pending intros are still there to review.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { makeCliHome } from './harness.js';

describe('reference client state', () => {
  it('intro list shows intros queued by the reference client', async () => {
    const home = await makeCliHome();
    try {
      expect((await home.run(['init', 'alice', '--no-probe-local-dns'])).code).toBe(0);
      const db = new Database(join(home.configHome, 'intros.db'));
      db.exec(`
        CREATE TABLE intros (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_spk BLOB NOT NULL,
          msg_id BLOB NOT NULL, plaintext BLOB NOT NULL, sender_mailbox_domain TEXT NOT NULL,
          sender_label TEXT NOT NULL DEFAULT '', received_at INTEGER NOT NULL,
          msg_exp INTEGER NOT NULL, UNIQUE(sender_spk, msg_id));
        CREATE TABLE denylist (sender_spk BLOB PRIMARY KEY, blocked_at INTEGER NOT NULL,
          note TEXT NOT NULL DEFAULT '');
        PRAGMA user_version = 1;`);
      const now = Math.floor(Date.now() / 1000);
      db.prepare(
        'INSERT INTO intros (sender_spk, msg_id, plaintext, sender_mailbox_domain, received_at, msg_exp) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(
        Buffer.alloc(32, 7),
        Buffer.alloc(16, 1),
        Buffer.from('queued by the reference'),
        'carol.test',
        now,
        now + 300,
      );
      db.close();
      await mkdir(home.configHome, { recursive: true });
      await writeFile(join(home.configHome, 'replay_cache.json'), '[]');

      const r = await home.run(['intro', 'list', '--json'], { DMP_PASSPHRASE: 'pw' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject([
        {
          sender_spk: '07'.repeat(32),
          from_zone: 'carol.test',
          text: 'queued by the reference',
          fresh: true,
        },
      ]);
      expect(await home.mode(join(home.configHome, 'state.db'))).toBe(0o600);
    } finally {
      await home.cleanup();
    }
  });
});
