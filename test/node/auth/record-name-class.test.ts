/** Record-name classification for user tokens (node spec §4.2, samples of §9). */
import { describe, expect, it } from 'vitest';
import { classifyRecordName } from '../../../src/node/auth/record-name-class.js';

describe('classifyRecordName', () => {
  it('matches the spec §9 samples', () => {
    expect(classifyRecordName('dmp.alice.example.com')).toEqual({
      kind: 'owner',
      rule: { by: 'subject', subject: 'alice@example.com' },
    });
    expect(classifyRecordName('id-2bd806c97f0e00af.example.com')).toEqual({
      kind: 'owner',
      rule: { by: 'local-hash', chars: 16, hash: '2bd806c97f0e00af', domain: 'example.com' },
    });
    expect(classifyRecordName('rotate.id-0123456789abcdef.example.com').kind).toBe('operator');
    expect(classifyRecordName('claim-3.mb-abcdefabcdef.example.com').kind).toBe('operator');
    expect(classifyRecordName('_dnsmesh-heartbeat.example.com').kind).toBe('unknown');
    expect(classifyRecordName('slot-3.mb-abcdefabcdef.example.com').kind).toBe('shared-pool');
  });

  it.each([
    [
      'prekeys.id-2bd806c97f0e.mesh.test',
      { by: 'local-hash', chars: 12, hash: '2bd806c97f0e', domain: 'mesh.test' },
    ],
    ['rotate.dmp.alice.mesh.test', { by: 'subject', subject: 'alice@mesh.test' }],
    ['pk-7.0123456789ab.mesh.test', { by: 'subject-hash12', hash12: '0123456789ab' }],
    ['DMP.Alice.Mesh.Test..', { by: 'subject', subject: 'alice@mesh.test' }],
  ])('%s is an owner name', (name, rule) => {
    expect(classifyRecordName(name)).toEqual({ kind: 'owner', rule });
  });

  it.each(['chunk-0001-0123456789ab.mesh.test', 'slot-0.mb-0123456789ab.a.b.c'])(
    '%s is a shared-pool name',
    (name) => {
      expect(classifyRecordName(name).kind).toBe('shared-pool');
    },
  );

  it.each([
    'rotate.dmp.id-0123456789ab.mesh.test', // hashed rotation: operator only
    'cluster.mesh.test',
    'dmp.mesh.test', // zone-anchored identity: domain would be one label
    'dmp.alice.test', // one-label domain
    'id-2bd806c97f0e.mesh.test', // 12 hex is not an identity name
    'chunk-0001-0123456789ab.test',
    'slot-x.mb-0123456789ab.mesh.test',
    'dmp.-alice.mesh.test',
  ])('%s is operator-only', (name) => {
    expect(classifyRecordName(name).kind).toBe('operator');
  });

  it.each(['', '.', 'localhost', 'a..b.test', '.a.test', 'a_b.test', 'ålice.test', 'a b.test'])(
    '%j is unknown',
    (name) => {
      expect(classifyRecordName(name).kind).toBe('unknown');
    },
  );
});
