/**
 * `DMP_SQLITE_SYNCHRONOUS` reaches sqlite: `PRAGMA synchronous` reads back
 * 1 (NORMAL, the default) or 2 (FULL) on a real database file, through
 * openNodeDatabase, the node's stores and the running node; any other value
 * is a typed configuration error. What each mode promises is in
 * docs/security.md; no timing is asserted here.
 */
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadNodeConfig, NodeConfigError } from '../../../src/node/config/load.js';
import { createNodeLogger } from '../../../src/node/log.js';
import { startNode } from '../../../src/node/node.js';
import { openNodeDatabase } from '../../../src/node/store/sqlite/database.js';
import { openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import type { SqliteSynchronous } from '../../../src/node/store/sqlite/synchronous.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => dir.remove());

const configError = (env: Record<string, string>, file?: string): NodeConfigError => {
  try {
    loadNodeConfig({ env, ...(file ? { file } : {}) });
  } catch (err) {
    if (err instanceof NodeConfigError) return err;
    throw err;
  }
  throw new Error('expected a NodeConfigError');
};

describe('the synchronous setting of the node database', () => {
  it.each([
    [undefined, 1],
    ['normal', 1],
    ['full', 2],
  ] as [SqliteSynchronous | undefined, number][])('%s reads back as %i', (mode, level) => {
    const path = dir.file('node.db');
    const db = openNodeDatabase(path, mode === undefined ? {} : { synchronous: mode });
    try {
      expect(db.connection.pragma('synchronous', { simple: true })).toBe(level);
      expect(db.synchronous).toBe(mode ?? 'normal');
      expect(db.journalMode).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('is applied on every open (the pragma belongs to the connection, not the file)', () => {
    const path = dir.file('node.db');
    for (const [mode, level] of [
      ['full', 2],
      ['normal', 1],
      ['full', 2],
    ] as const) {
      const stores = openNodeStores(path, { synchronous: mode });
      stores.records.apply([{ kind: 'add', name: 'a.mesh.test', value: mode, ttl: 60 }], 1);
      expect(stores.database.connection.pragma('synchronous', { simple: true })).toBe(level);
      stores.close();
    }
  });

  it('refuses other values at the store edge', () => {
    for (const bad of ['off', 'extra', 'FULL', '2', '']) {
      expect(() =>
        openNodeDatabase(dir.file('x.db'), { synchronous: bad as SqliteSynchronous }),
      ).toThrow(/synchronous must be "normal" or "full"/);
    }
  });
});

describe('DMP_SQLITE_SYNCHRONOUS', () => {
  it('defaults to normal and reads normal or full in any case', () => {
    expect(loadNodeConfig().store.synchronous).toBe('normal');
    expect(loadNodeConfig({ env: { DMP_SQLITE_SYNCHRONOUS: 'full' } }).store.synchronous).toBe(
      'full',
    );
    expect(loadNodeConfig({ env: { DMP_SQLITE_SYNCHRONOUS: ' FULL ' } }).store.synchronous).toBe(
      'full',
    );
    expect(loadNodeConfig({ env: { DMP_SQLITE_SYNCHRONOUS: 'Normal' } }).store.synchronous).toBe(
      'normal',
    );
  });

  it('refuses anything else with a typed configuration error naming the setting', () => {
    for (const bad of ['off', 'extra', '1', 'yes']) {
      expect(configError({ DMP_SQLITE_SYNCHRONOUS: bad }).problems).toEqual([
        `DMP_SQLITE_SYNCHRONOUS (store.synchronous) must be normal or full, got "${bad}"`,
      ]);
    }
    const yaml = dir.file('node.yaml');
    writeFileSync(yaml, 'store:\n  synchronous: always\n');
    // The YAML file's own check names the file and the key first.
    expect(configError({}, yaml).problems).toEqual([
      `${yaml}: store.synchronous: expected one of normal, full, got "always"`,
    ]);
  });

  it('reaches the running node’s database', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const config = loadNodeConfig({
      env: { DMP_SQLITE_SYNCHRONOUS: 'full', DMP_DNS_PORT: '0', DMP_HTTP_PORT: '0' },
      flags: { dataDir: dir.path },
    });
    const node = await startNode(config, {
      logger: createNodeLogger({ level: 'info', format: 'json', destination: sink }),
    });
    try {
      expect(lines.join('')).toContain('synchronous=full');
    } finally {
      await node.close();
    }
  });
});
