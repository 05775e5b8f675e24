/** Unit: operator caps on UPDATE ops (node spec §2.4). */
import { describe, expect, it } from 'vitest';
import { withinCaps } from '../../../src/node/dns/caps.js';
import type { RecordStore, StoreOp } from '../../../src/node/store/types.js';

/** A store that only answers `query` from a fixed table. */
function store(table: Record<string, string[]>): RecordStore {
  return { query: (name: string) => table[name] ?? [] } as unknown as RecordStore;
}

const caps = { maxTtl: 100, maxValueBytes: 4, maxValuesPerName: 2 };
const add = (value: string, ttl = 10, name = 'n'): StoreOp => ({ kind: 'add', name, value, ttl });

describe('withinCaps', () => {
  it('checks value bytes (UTF-8) and TTL per add', () => {
    expect(withinCaps([add('abcd')], caps, store({}), 0)).toBe(true);
    expect(withinCaps([add('abcde')], caps, store({}), 0)).toBe(false);
    expect(withinCaps([add('éé')], caps, store({}), 0)).toBe(true);
    expect(withinCaps([add('ééé')], caps, store({}), 0)).toBe(false);
    expect(withinCaps([add('a', 101)], caps, store({}), 0)).toBe(false);
  });

  it('counts the resulting RRset per name', () => {
    const s = store({ n: ['x'] });
    expect(withinCaps([add('y')], caps, s, 0)).toBe(true);
    expect(withinCaps([add('y'), add('z')], caps, s, 0)).toBe(false);
    expect(withinCaps([add('x'), add('y')], caps, s, 0)).toBe(true);
    expect(
      withinCaps([{ kind: 'delete-value', name: 'n', value: 'x' }, add('y'), add('z')], caps, s, 0),
    ).toBe(true);
    expect(withinCaps([{ kind: 'delete-name', name: 'n' }, add('y'), add('z')], caps, s, 0)).toBe(
      true,
    );
    expect(withinCaps([add('y'), add('z', 10, 'other')], caps, s, 0)).toBe(true);
  });

  it('treats caps ≤ 0 as disabled', () => {
    const off = { maxTtl: 0, maxValueBytes: -1, maxValuesPerName: 0 };
    expect(withinCaps([add('x'.repeat(9999), 1e9), add('y'), add('z')], off, store({}), 0)).toBe(
      true,
    );
  });
});
