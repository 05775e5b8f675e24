/** Unit: configuration compilation and request parsing helpers. */
import { describe, expect, it } from 'vitest';
import { RRType } from '../../../src/dns/wire/constants.js';
import { encodeMessage } from '../../../src/dns/wire/message.js';
import { DEFAULT_NODE_CONFIG } from '../../../src/node/config/node-config.js';
import { dmpInteriorNames } from '../../../src/node/dns/interior-names.js';
import { parseRequest, suffixOffset } from '../../../src/node/dns/request.js';
import { compileResponderConfig } from '../../../src/node/dns/responder-config.js';
import { config, queryMessage } from './fixture.js';

describe('compileResponderConfig', () => {
  it('takes a whole NodeConfig and canonicalises the zone', () => {
    const c = compileResponderConfig({ ...DEFAULT_NODE_CONFIG, zone: 'Mesh.Local.' });
    expect([c.zone, c.zoneLabels, c.ttl]).toEqual(['mesh.local', 2, 60]);
    expect(c.apex).toEqual({});
  });

  it('pre-encodes the apex records', () => {
    const c = compileResponderConfig(config());
    expect(Array.from(c.apex.a!)).toEqual([192, 0, 2, 1]);
    expect(c.apex.aaaa!.length).toBe(16);
    expect(Array.from(c.apex.ns!.subarray(0, 4))).toEqual([3, 0x6e, 0x73, 0x31]);
    expect(c.apex.soaNames!.length).toBe(c.apex.ns!.length + 'hostmaster.mesh.test'.length + 2);
  });

  it('rejects unusable settings at start-up', () => {
    expect(() => compileResponderConfig(config({ zone: '' }))).toThrow(RangeError);
    expect(() => compileResponderConfig(config({ zone: '.' }))).toThrow(RangeError);
    expect(() => compileResponderConfig(config({ zone: `${'x'.repeat(64)}.test` }))).toThrow(
      RangeError,
    );
    expect(() => compileResponderConfig(config({ dns: { ttl: -1 } }))).toThrow(RangeError);
    expect(() => compileResponderConfig(config({ apex: { a: '300.1.1.1' } }))).toThrow(RangeError);
    expect(() => compileResponderConfig(config({ apex: { aaaa: 'nope' } }))).toThrow(RangeError);
    expect(() => compileResponderConfig(config({ apex: { ns: 'a..b' } }))).toThrow(RangeError);
  });
});

describe('request parsing', () => {
  it('finds the question end, EDNS and the zone suffix offset', () => {
    const wire = encodeMessage(
      queryMessage('a.B.mesh.test', RRType.TXT, { edns: 4096, dnssecOk: true }),
    );
    const req = parseRequest(wire)!;
    expect(req.questionEnd).toBe(12 + 'a.B.mesh.test'.length + 2 + 4);
    expect([req.hasEdns, req.ednsUdpSize, req.dnssecOk, req.hasTsig]).toEqual([
      true,
      4096,
      true,
      false,
    ]);
    expect(suffixOffset(wire, 2)).toBe(12 + 4);
    expect(suffixOffset(wire, 4)).toBe(12);
    expect(parseRequest(wire.subarray(0, 20))).toBeUndefined();
  });
});

describe('dmpInteriorNames', () => {
  const interior = dmpInteriorNames('mesh.test');
  it('knows the DMP naming scheme’s interior names directly under the zone', () => {
    for (const n of ['mb-0123456789ab', 'id-0123456789ab', 'id-0123456789abcdef', 'dmp']) {
      expect(interior.isInterior(`${n}.mesh.test`, 0)).toBe(true);
    }
    for (const n of ['mb-0123', 'x.mb-0123456789ab', 'slot-1', 'mb-0123456789ab.other']) {
      expect(interior.isInterior(`${n}.mesh.test`, 0)).toBe(false);
    }
  });
});
