/**
 * Durability: a child process publishing in a loop is killed with SIGKILL;
 * every record it acknowledged (printed after `publish` returned) must be
 * in the file when it is reopened — WAL + synchronous=NORMAL puts each
 * commit in the OS page cache before the statement returns.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '../../..');
const CHILD = resolve(HERE, 'fixtures/publish-loop.ts');
const KILL_AFTER_ACKS = 300;
const DEADLINE_MS = 30_000;

interface Outcome {
  readonly acked: string[];
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
  readonly walAtKill: boolean;
}

/** Runs the child until it has acknowledged `KILL_AFTER_ACKS` names, then SIGKILLs it. */
function runAndKill(child: ChildProcess, dbPath: string): Promise<Outcome> {
  return new Promise((resolvePromise, reject) => {
    const acked: string[] = [];
    let partial = '';
    let stderr = '';
    let killed = false;
    let walAtKill = false;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`child acknowledged only ${acked.length} records in time; stderr: ${stderr}`),
      );
    }, DEADLINE_MS);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (killed) return;
      const lines = (partial + chunk).split('\n');
      // Only complete lines are acknowledgements.
      partial = lines.pop()!;
      acked.push(...lines);
      if (acked.length >= KILL_AFTER_ACKS) {
        killed = true;
        walAtKill = existsSync(`${dbPath}-wal`);
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      resolvePromise({ acked, signal, code, stderr, walAtKill });
    });
  });
}

describe('record store durability', () => {
  let dir: TempDir;
  let child: ChildProcess | undefined;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    dir.remove();
  });

  it('keeps every acknowledged record after kill -9 of the writing process', async () => {
    const dbPath = dir.file('node.db');
    child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = await runAndKill(child, dbPath);

    expect(out.signal, `child exited on its own (code ${out.code}): ${out.stderr}`).toBe('SIGKILL');
    expect(out.acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    // The writes were still in the WAL, so reopening exercises WAL recovery.
    expect(out.walAtKill).toBe(true);
    expect(existsSync(`${dbPath}-wal`)).toBe(true);

    const stores = openNodeStores(dbPath, { records: { readCache: false } });
    try {
      const now = Math.floor(Date.now() / 1000);
      const missing = out.acked.filter((name) => {
        const i = name.slice('ack-'.length, name.indexOf('.'));
        const values = stores.records.query(name, now);
        return values.length !== 1 || values[0] !== `value-${i}`;
      });
      expect(missing).toEqual([]);
      expect(out.acked[0]).toBe('ack-0.mesh.example');
      expect(stores.records.liveCount(now)).toBeGreaterThanOrEqual(out.acked.length);
    } finally {
      stores.close();
    }
  });
});
