/** RecordReadCache: validity window, LRU order, name and size bounds. */
import { describe, expect, it } from 'vitest';
import { RecordReadCache } from '../../../src/node/store/sqlite/record-cache.js';

describe('RecordReadCache', () => {
  it('serves an entry only inside [validFrom, validUntil)', () => {
    const c = new RecordReadCache();
    c.set('a', ['v'], 100, 110);
    expect(c.get('a', 99)).toBeUndefined();
    // A miss outside the window drops the entry.
    expect(c.get('a', 100)).toBeUndefined();
    c.set('a', ['v'], 100, 110);
    expect(c.get('a', 100)).toEqual(['v']);
    expect(c.get('a', 109)).toEqual(['v']);
    expect(c.get('a', 110)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('caches empty answers until invalidated', () => {
    const c = new RecordReadCache();
    c.set('none', [], 5, Number.POSITIVE_INFINITY);
    expect(c.get('none', 1e12)).toEqual([]);
    c.invalidate('none');
    expect(c.get('none', 6)).toBeUndefined();
  });

  it('returns frozen arrays', () => {
    const c = new RecordReadCache();
    const out = c.set('a', ['x'], 0, 10);
    expect(Object.isFrozen(out)).toBe(true);
    expect(Object.isFrozen(c.get('a', 1))).toBe(true);
  });

  it('evicts the least recently used name beyond maxNames', () => {
    const c = new RecordReadCache({ maxNames: 2 });
    c.set('a', ['1'], 0, 100);
    c.set('b', ['2'], 0, 100);
    expect(c.get('a', 1)).toEqual(['1']); // a is now the most recent
    c.set('c', ['3'], 0, 100);
    expect(c.size).toBe(2);
    expect(c.get('b', 1)).toBeUndefined();
    expect(c.get('a', 1)).toEqual(['1']);
    expect(c.get('c', 1)).toEqual(['3']);
  });

  it('bounds the total value characters, skipping an answer larger than the bound', () => {
    const c = new RecordReadCache({ maxChars: 10 });
    c.set('a', ['12345'], 0, 100);
    c.set('b', ['1234'], 0, 100);
    c.set('c', ['123'], 0, 100); // 12 chars > 10: 'a' goes
    expect(c.get('a', 1)).toBeUndefined();
    expect(c.get('b', 1)).toEqual(['1234']);
    expect(c.set('huge', ['x'.repeat(11)], 0, 100)).toEqual(['x'.repeat(11)]);
    expect(c.get('huge', 1)).toBeUndefined();
    // Replacing an entry releases the old size.
    c.set('b', ['1'], 0, 100);
    c.set('d', ['123456'], 0, 100);
    expect(c.get('b', 1)).toEqual(['1']);
    expect(c.get('c', 1)).toEqual(['123']);
  });

  it('clear forgets everything', () => {
    const c = new RecordReadCache();
    c.set('a', ['1'], 0, 100);
    c.clear();
    expect(c.size).toBe(0);
    expect(c.get('a', 1)).toBeUndefined();
  });

  it('rejects nonsensical bounds', () => {
    expect(() => new RecordReadCache({ maxNames: 0 })).toThrow(RangeError);
    expect(() => new RecordReadCache({ maxChars: -1 })).toThrow(RangeError);
  });
});
