/**
 * The cluster file's manifest (node spec §5.3): raw wire or {"wire": …},
 * a peer-list JSON is no manifest, anything else is malformed; a wire is
 * verified under a pinned key, decoded structurally without one. The
 * DMP_SYNC_OPERATOR_SPK setting (64 hex, else treated as unset).
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkClusterWire,
  decodeClusterManifestStructure,
  parseOperatorSpkSetting,
  readClusterFileWire,
  wireFromClusterText,
} from '../../../src/node/cluster/manifest-source.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { makeTempDir, type TempDir } from '../store/temp-dir.js';
import { manifestWire, OPERATOR_SPK, OTHER_SEED } from './fixtures.js';

const NOW = 1_893_456_000;
const WIRE = manifestWire({ now: NOW, seq: 3 });

let dir: TempDir | undefined;
afterEach(() => {
  dir?.remove();
  dir = undefined;
});

describe('wireFromClusterText', () => {
  it('takes the raw wire or {"wire": …}, white space around it ignored', () => {
    expect(wireFromClusterText(`\n${WIRE}\n`)).toEqual({ kind: 'wire', wire: WIRE });
    expect(wireFromClusterText(JSON.stringify({ wire: WIRE, note: 'x' }))).toEqual({
      kind: 'wire',
      wire: WIRE,
    });
  });

  it('calls a JSON object without "wire" a peer list', () => {
    expect(wireFromClusterText('{"nodes": []}')).toEqual({ kind: 'peer-list' });
  });

  it('calls everything else malformed', () => {
    for (const text of ['', 'garbage', '{not json', '[1]', '{"wire": 5}', '{"wire": "x"}']) {
      expect(wireFromClusterText(text).kind).toBe('malformed');
    }
  });
});

describe('readClusterFileWire', () => {
  it('absent file, unreadable path, file with a wire', () => {
    dir = makeTempDir();
    expect(readClusterFileWire(dir.file('none.json'))).toEqual({ kind: 'absent' });
    expect(readClusterFileWire(dir.path).kind).toBe('unreadable');
    writeFileSync(dir.file('c.json'), JSON.stringify({ wire: WIRE }));
    expect(readClusterFileWire(dir.file('c.json'))).toEqual({ kind: 'wire', wire: WIRE });
  });
});

describe('checkClusterWire', () => {
  it('verifies under a pinned key: the good wire passes, a forged one does not', () => {
    const good = checkClusterWire(WIRE, { now: NOW, operatorSpk: OPERATOR_SPK });
    expect(good).toMatchObject({ ok: true, verified: true });
    expect(good.ok && good.manifest.clusterName).toBe('mesh.example');
    const forged = manifestWire({ now: NOW, seq: 3, seed: OTHER_SEED });
    expect(checkClusterWire(forged, { now: NOW, operatorSpk: OPERATOR_SPK }).ok).toBe(false);
    expect(
      checkClusterWire(WIRE, { now: NOW, operatorSpk: OPERATOR_SPK, expectedClusterName: 'x.y' })
        .ok,
    ).toBe(false);
  });

  it('without a key, decodes the structure only', () => {
    const forged = manifestWire({ now: NOW, seq: 3, seed: OTHER_SEED });
    expect(checkClusterWire(forged, { now: NOW })).toMatchObject({ ok: true, verified: false });
    for (const bad of ['v=dmp1;t=cluster;AAAA', 'v=dmp1;t=cluster;!!', 'hello']) {
      expect(checkClusterWire(bad, { now: NOW }).ok).toBe(false);
      expect(typeof decodeClusterManifestStructure(bad)).toBe('string');
    }
    // The real wire decodes structurally too.
    expect(typeof decodeClusterManifestStructure(WIRE)).toBe('object');
  });
});

describe('parseOperatorSpkSetting', () => {
  it('64 hex characters in either case; anything else is invalid; blank is unset', () => {
    const hex = toHex(OPERATOR_SPK);
    expect(parseOperatorSpkSetting(` ${hex.toUpperCase()} `)).toEqual({
      kind: 'key',
      spk: OPERATOR_SPK,
    });
    expect(parseOperatorSpkSetting(undefined)).toEqual({ kind: 'unset' });
    expect(parseOperatorSpkSetting('  ')).toEqual({ kind: 'unset' });
    for (const bad of [hex.slice(2), `${hex}00`, `zz${hex.slice(2)}`]) {
      expect(parseOperatorSpkSetting(bad).kind).toBe('invalid');
    }
  });
});
