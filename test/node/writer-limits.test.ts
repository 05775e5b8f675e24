/**
 * checkWriterLimits on a real (in-memory sqlite) store: what counts against
 * a writer, and what does not.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MEMORY_PATH,
  type NodeDatabase,
  openNodeDatabase,
} from '../../src/node/store/sqlite/database.js';
import { SqliteRecordStore } from '../../src/node/store/sqlite/record-store.js';
import type { StoreOp } from '../../src/node/store/types.js';
import {
  attributed,
  checkWriterLimits,
  DEFAULT_WRITER_LIMITS,
  networkWriter,
  subjectWriter,
  type WriterLimits,
} from '../../src/node/writer-limits.js';

const NOW = 1_700_000_000;
const SLOT = 'slot-2.mb-0123456789ab.mesh.test';
const ALICE = subjectWriter('alice@mesh.test');
const LIMITS: WriterLimits = {
  maxRecordsPerWriter: 3,
  maxBytesPerWriter: 30,
  maxValuesPerNamePerWriter: 2,
  maxAnonymousClaimRecords: 2,
};

const add = (name: string, value: string): StoreOp => ({ kind: 'add', name, value, ttl: 60 });

describe('checkWriterLimits', () => {
  let db: NodeDatabase;
  let store: SqliteRecordStore;
  beforeEach(() => {
    db = openNodeDatabase(MEMORY_PATH);
    store = new SqliteRecordStore(db);
  });
  afterEach(() => db.close());

  const write = (ops: StoreOp[], writer: string) => {
    const verdict = checkWriterLimits(ops, writer, LIMITS, store, NOW);
    if (verdict === 'ok') store.apply(attributed(ops, writer), NOW);
    return verdict;
  };

  it('limits values per writer in a shared RRset, not in the writer’s own names', () => {
    expect(write([add(SLOT, 'a'), add(SLOT, 'b')], ALICE)).toBe('ok');
    expect(write([add(SLOT, 'c')], ALICE)).toBe('writer-rrset');
    expect(write([add(SLOT, 'c')], subjectWriter('bob@mesh.test'))).toBe('ok');
    expect(write([add('prekeys.id-x.mesh.test', 'p')], ALICE)).toBe('ok');
  });

  it('a refresh of a live value and a repeated op count nothing', () => {
    expect(write([add(SLOT, 'a'), add(SLOT, 'a')], ALICE)).toBe('ok');
    expect(store.writerUsage(ALICE).rows).toBe(1);
    expect(write([add(SLOT, 'a'), add(SLOT, 'b')], ALICE)).toBe('ok');
  });

  it('refuses rows or bytes beyond the quota, all or nothing', () => {
    expect(write([add('a.mesh.test', '1'), add('b.mesh.test', '2')], ALICE)).toBe('ok');
    expect(write([add('c.mesh.test', '3'), add('d.mesh.test', '4')], ALICE)).toBe('writer-quota');
    expect(store.writerUsage(ALICE).rows).toBe(2);
    expect(write([add('c.mesh.test', 'x'.repeat(29))], ALICE)).toBe('writer-quota');
    expect(write([add('c.mesh.test', 'x'.repeat(28))], ALICE)).toBe('ok');
  });

  it('caps every anonymous network together, and never the operator', () => {
    expect(write([add('claim-0.mb-0123456789ab.mesh.test', 'c1')], networkWriter('192.0.2'))).toBe(
      'ok',
    );
    expect(
      write([add('claim-0.mb-0123456789ab.mesh.test', 'c2')], networkWriter('198.51.100')),
    ).toBe('ok');
    expect(
      write([add('claim-1.mb-0123456789ab.mesh.test', 'c3')], networkWriter('203.0.113')),
    ).toBe('writer-quota');
    const many = Array.from({ length: 10 }, (_, i) => add(SLOT, `op-${i}`));
    expect(write(many, '')).toBe('ok');
  });

  it('defaults leave room for a heavy user', () => {
    expect(DEFAULT_WRITER_LIMITS.maxRecordsPerWriter).toBeGreaterThanOrEqual(10_000);
    expect(DEFAULT_WRITER_LIMITS.maxValuesPerNamePerWriter).toBeLessThan(64);
  });
});
