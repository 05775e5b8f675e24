/** Re-verification of pulled values (node spec §5.5), one case per rule. */
import { describe, expect, it } from 'vitest';
import { verifyPulledValue } from '../../../src/node/sync/verify-record.js';
import { encodeBase64 } from '../../../src/protocol/base64.js';
import { wrapChunkBlock } from '../../../src/protocol/coding/chunk-block.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import { encodeChunkRecord } from '../../../src/protocol/records/chunk-record.js';
import { signClusterManifest } from '../../../src/protocol/records/cluster-manifest.js';
import { signIdentityRecord } from '../../../src/protocol/records/identity-record.js';

const NOW = 1_900_000_000;
const ctx = { now: NOW };
const seed = new Uint8Array(32).fill(9);
const identity = signIdentityRecord(
  {
    username: 'alice',
    x25519Pk: new Uint8Array(32).fill(3),
    ed25519Spk: ed25519PublicKey(seed),
    ts: NOW,
  },
  seed,
);

/** The value with one base64 character of its payload changed. */
function tamper(value: string, at = -10): string {
  const i = value.length + at;
  return value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
}

describe('verifyPulledValue', () => {
  it('accepts a signed record that verifies and refuses a tampered one as forged', () => {
    expect(verifyPulledValue('dmp.alice.mesh.test', identity, ctx)).toBe(true);
    expect(verifyPulledValue('dmp.alice.mesh.test', tamper(identity), ctx)).toBe('forged');
  });

  it('refuses heartbeats, seen lists and unknown v=dmp types as not replicable', () => {
    for (const v of ['v=dmp1;t=heartbeat;AAAA', 'v=dmp1;t=seen;AAAA', 'v=dmp2;t=new;x', 'v=dmpx']) {
      expect(verifyPulledValue('_dnsmesh-heartbeat.mesh.test', v, ctx)).toBe('not-replicable');
    }
  });

  it('accepts plain values except at DMP-reserved owners', () => {
    expect(verifyPulledValue('www.mesh.test', 'v=spf1 -all', ctx)).toBe(true);
    for (const owner of [
      'slot-1.mb-abcdef012345.mesh.test',
      'chunk-0-abcdef012345.mesh.test',
      'mb-abc.mesh.test',
      'ID-ABC.mesh.test',
      'prekeys.id-abc.mesh.test',
      '_dnsmesh-seen.mesh.test',
      'claim-1.mb-abc.mesh.test',
      'cluster.mesh.test',
      '_dmp.mesh.test',
      'dmp.alice.mesh.test',
      'rotate.x.mesh.test',
    ]) {
      expect(verifyPulledValue(owner, 'hello', ctx), owner).toBe('not-replicable');
    }
    expect(verifyPulledValue('www.mesh.test', '', ctx)).toBe('forged');
  });

  it('checks prekeys and bootstrap records structurally (strict base64, ≥ 65 bytes)', () => {
    const blob = encodeBase64(new Uint8Array(65).fill(1));
    expect(verifyPulledValue('pk-1.x', `v=dmp1;t=prekey;d=${blob}`, ctx)).toBe(true);
    expect(verifyPulledValue('pk-1.x', `v=dmp1;t=prekey;d=${blob.slice(0, -4)}`, ctx)).toBe(
      'forged',
    );
    expect(verifyPulledValue('b.x', `v=dmp1;t=bootstrap;${blob}`, ctx)).toBe(true);
    expect(verifyPulledValue('b.x', 'v=dmp1;t=bootstrap;!!!!', ctx)).toBe('forged');
  });

  it('verifies cluster manifests under the pinned key when there is one', () => {
    const wire = signClusterManifest(
      {
        clusterName: 'mesh.test',
        seq: 1,
        exp: NOW + 3600,
        nodes: [{ nodeId: 'a', httpEndpoint: 'http://a' }],
      },
      seed,
    );
    expect(verifyPulledValue('cluster.mesh.test', wire, ctx)).toBe(true);
    const pinned = { now: NOW, operatorSpk: ed25519PublicKey(seed) };
    expect(verifyPulledValue('cluster.mesh.test', wire, pinned)).toBe(true);
    const other = { now: NOW, operatorSpk: ed25519PublicKey(new Uint8Array(32).fill(1)) };
    expect(verifyPulledValue('cluster.mesh.test', wire, other)).toBe('forged');
  });

  it('accepts a chunk whose block unwraps and refuses one that does not', () => {
    const good = encodeChunkRecord(wrapChunkBlock(new Uint8Array(128).fill(5)));
    expect(verifyPulledValue('chunk-0-abcdef012345.mesh.test', good, ctx)).toBe(true);
    const junk = encodeChunkRecord(new Uint8Array(168).fill(5));
    expect(verifyPulledValue('chunk-0-abcdef012345.mesh.test', junk, ctx)).toBe('forged');
  });
});
