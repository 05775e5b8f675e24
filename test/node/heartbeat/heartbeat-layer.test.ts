/** startHeartbeatLayer: what it harvests from the node configuration, and when it stays off. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TxtAnswer } from '../../../src/dns/client/txt-answer.js';
import type { TxtReader } from '../../../src/dns/client/txt-reader.js';
import { DEFAULT_NODE_CONFIG, type NodeConfig } from '../../../src/node/config/node-config.js';
import { startHeartbeatLayer } from '../../../src/node/heartbeat/heartbeat-layer.js';
import { createNodeLogger } from '../../../src/node/log.js';
import {
  MEMORY_PATH,
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/node/store/sqlite/database.js';
import { SqliteRecordStore } from '../../../src/node/store/sqlite/record-store.js';

class AskedReader implements TxtReader {
  readonly asked: string[] = [];
  async readTxt(name: string): Promise<TxtAnswer> {
    this.asked.push(name);
    return { status: 'nxdomain' };
  }
}

let dir: string;
let db: NodeDatabase;
let records: SqliteRecordStore;
const errors: string[] = [];
const log = createNodeLogger({ level: 'silent', format: 'json' });
const capture = Object.assign(Object.create(log), {
  error: (msg: string) => errors.push(msg),
  info: () => {},
}) as typeof log;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dnsmesh-hblayer-'));
  db = openNodeDatabase(MEMORY_PATH);
  records = new SqliteRecordStore(db);
  errors.length = 0;
});
afterEach(() => {
  records.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(keyMode: number, over: Partial<NodeConfig> = {}): NodeConfig {
  const key = join(dir, 'op.key');
  writeFileSync(key, 'ab'.repeat(32), { mode: keyMode });
  return {
    ...DEFAULT_NODE_CONFIG,
    zone: 'self.example',
    heartbeat: {
      ...DEFAULT_NODE_CONFIG.heartbeat,
      enabled: true,
      selfEndpoint: 'https://self.example',
      operatorKeyPath: key,
      seeds: ['seed.example'],
      publicSeedsDisabled: true,
    },
    ...over,
  };
}

describe('startHeartbeatLayer', () => {
  it('harvests the seeds, then the hosts of DMP_SYNC_PEERS (IP and localhost URLs left out)', async () => {
    const reader = new AskedReader();
    const c = config(0o600);
    const layer = startHeartbeatLayer(
      {
        ...c,
        sync: {
          ...c.sync,
          peers: ['https://node-b.example:8053', 'http://127.0.0.1:8053', 'http://localhost:1'],
        },
      },
      { database: db, records, log: capture, now: () => 1_900_000_000, reader },
    );
    expect(errors).toEqual([]);
    expect(layer).toBeDefined();
    await layer!.worker.tick();
    await layer!.stop();
    expect([...new Set(reader.asked)].sort()).toEqual([
      '_dnsmesh-heartbeat.node-b.example',
      '_dnsmesh-heartbeat.seed.example',
      '_dnsmesh-seen.node-b.example',
      '_dnsmesh-seen.seed.example',
    ]);
    expect(records.query('_dnsmesh-heartbeat.self.example', 1_900_000_000)).toHaveLength(1);
  });

  it('stays off, saying why, for a key others can read, and when not enabled', () => {
    const reader = new AskedReader();
    expect(
      startHeartbeatLayer(config(0o644), {
        database: db,
        records,
        log: capture,
        now: () => 0,
        reader,
      }),
    ).toBeUndefined();
    expect(errors).toEqual([
      expect.stringMatching(/^heartbeats are off: operator key .* readable by others/),
    ]);
    const off = config(0o600);
    expect(
      startHeartbeatLayer(
        { ...off, heartbeat: { ...off.heartbeat, enabled: false } },
        { database: db, records, log: capture, now: () => 0, reader },
      ),
    ).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(reader.asked).toEqual([]);
  });
});
