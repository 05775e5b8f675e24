import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLAIM_RECORD_PREFIX,
  CLUSTER_RECORD_PREFIX,
  type DmpRecordType,
  LEGACY_JSON_IDENTITY_PREFIX,
  RECORD_PREFIXES,
  recordTypeOf,
} from '../../../src/protocol/records/prefixes.js';

const entries = Object.entries(RECORD_PREFIXES) as [DmpRecordType, string][];

describe('record prefixes', () => {
  it('no prefix is a prefix of another, so dispatch is unambiguous', () => {
    for (const [a, pa] of entries) {
      for (const [b, pb] of entries)
        if (a !== b) expect(pb.startsWith(pa), `${a} vs ${b}`).toBe(false);
    }
  });

  it('dispatches on the exact, case-sensitive prefix', () => {
    fc.assert(
      fc.property(fc.constantFrom(...entries), fc.string(), ([type, prefix], rest) => {
        expect(recordTypeOf(prefix + rest)).toBe(type);
        expect(recordTypeOf(prefix.toUpperCase() + rest)).toBeUndefined();
        expect(recordTypeOf(` ${prefix}${rest}`)).toBeUndefined();
      }),
    );
  });

  it('tells claims from cluster manifests although both bodies start with DMPCL01', () => {
    const body = 'RE1QQ0wwMQ=='; // base64('DMPCL01')
    expect(recordTypeOf(CLAIM_RECORD_PREFIX + body)).toBe('claim');
    expect(recordTypeOf(CLUSTER_RECORD_PREFIX + body)).toBe('cluster');
  });

  it('classifies unrelated TXT data and the legacy JSON identity as nothing', () => {
    expect(recordTypeOf('v=spf1 -all')).toBeUndefined();
    expect(recordTypeOf('v=dmp1;t=chunk;')).toBeUndefined();
    expect(recordTypeOf(`${LEGACY_JSON_IDENTITY_PREFIX}{}`)).toBeUndefined();
    expect(recordTypeOf('')).toBeUndefined();
  });
});
