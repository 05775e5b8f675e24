import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  signMessage,
  signResponse,
  signWire,
  tsigFailureStub,
  verifyRequest,
  verifyResponse,
} from '../../src/dns/tsig.js';
import { createTsigKeyring, type TsigKey, tsigMacInput } from '../../src/dns/tsig-key.js';
import { Opcode, RRClass, RRType } from '../../src/dns/wire/constants.js';
import { DnsEncodeError } from '../../src/dns/wire/errors.js';
import { makeHeader } from '../../src/dns/wire/header.js';
import {
  type DnsMessage,
  type DnsRecord,
  decodeMessage,
  encodeMessage,
} from '../../src/dns/wire/message.js';
import { canonicalName } from '../../src/dns/wire/name.js';
import { lastRecordOffset } from '../../src/dns/wire/scan.js';
import { txtAdd, updateMessage } from '../../src/dns/wire/update.js';
import { fromHex, toHex, utf8 } from '../../src/protocol/bytes.js';
import { hmacSha256 } from '../../src/protocol/crypto/hash.js';
import { messageArb } from './arbitraries.js';

const NOW = 1_893_456_000;
const key: TsigKey = {
  name: 'alice-1.mesh.test.',
  algorithm: 'hmac-sha256',
  secret: fromHex('1aafdd5358e41507a3485200f1b5e055f942049441e2f27d77bbe34219806af9'),
};
const keyring = createTsigKeyring([key]);

function request(id = 4242): DnsMessage {
  return updateMessage({
    id,
    zone: 'mesh.test',
    updates: [txtAdd('id-1.mesh.test', 300, 'v=dmp1;t=identity;d=AAAA')],
  });
}

/** Re-encodes `wire` with its last additional record replaced via `edit`. */
function editTsig(wire: Uint8Array, edit: (rr: DnsRecord) => DnsRecord | DnsRecord[]): Uint8Array {
  const res = decodeMessage(wire);
  if (!res.ok) throw new Error(res.detail);
  const msg = res.value;
  const last = msg.additionals.pop()!;
  msg.additionals.push(...[edit(last)].flat());
  return encodeMessage(msg);
}

describe('TSIG sign and verify', () => {
  it('a signed request verifies and exposes what the response needs', () => {
    const signed = signMessage(request(), key, { timeSigned: NOW });
    const v = verifyRequest(signed.wire, keyring, NOW);
    expect(v.status).toBe('ok');
    if (v.status !== 'ok') return;
    expect(toHex(v.mac)).toBe(toHex(signed.mac));
    expect(v.keyName).toBe('alice-1.mesh.test');
    expect(v.fudge).toBe(300);
    expect(v.originalId).toBe(4242);
    // The MAC is HMAC-SHA256 over the documented input.
    const unsigned = encodeMessage(request());
    const input = tsigMacInput(unsigned, {
      keyName: key.name,
      algorithm: 'hmac-sha256',
      timeSigned: NOW,
      fudge: 300,
      originalId: 4242,
      error: 0,
      other: new Uint8Array(0),
    });
    expect(toHex(hmacSha256(key.secret, input))).toBe(toHex(signed.mac));
    expect(toHex(signWire(unsigned, key, { timeSigned: NOW }).wire)).toBe(toHex(signed.wire));
  });

  it('any modified octet outside the message ID breaks verification', () => {
    const signed = signMessage(request(), key, { timeSigned: NOW }).wire;
    const tsigStart = lastRecordOffset(signed)!;
    // The MAC covers the TSIG owner and algorithm in canonical form, so only
    // edits that leave that form unchanged (case, another pointer to the same
    // suffix) may still verify.
    const canonicalTsig = (wire: Uint8Array) => {
      const res = decodeMessage(wire);
      if (!res.ok) return undefined;
      const rr = res.value.additionals.at(-1)!;
      const data =
        rr.data.kind === 'TSIG'
          ? { ...rr.data, algorithm: canonicalName(rr.data.algorithm) }
          : rr.data;
      return { ...res.value, additionals: [{ ...rr, name: canonicalName(rr.name), data }] };
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: signed.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, xor) => {
          const bytes = signed.slice();
          bytes[at]! ^= xor;
          if (verifyRequest(bytes, keyring, NOW).status !== 'ok') return;
          expect(at).toBeGreaterThan(tsigStart);
          expect(canonicalTsig(bytes)).toEqual(canonicalTsig(signed));
        },
      ),
      { numRuns: 2000 },
    );
    const upper = signed.slice();
    upper[tsigStart + 1]! ^= 0x20;
    expect(verifyRequest(upper, keyring, NOW).status).toBe('ok');
  });

  it('signs and verifies arbitrary messages', () => {
    fc.assert(
      fc.property(messageArb, fc.integer({ min: 0, max: 2 ** 48 - 1 }), (msg, time) => {
        const clean = {
          ...msg,
          additionals: msg.additionals.filter((rr) => rr.type !== RRType.TSIG),
        };
        const signed = signMessage(clean, key, { timeSigned: time });
        expect(verifyRequest(signed.wire, keyring, time).status).toBe('ok');
      }),
      { numRuns: 200 },
    );
  });

  it('applies the time window with the request fudge, after the MAC check', () => {
    const wire = signMessage(request(), key, { timeSigned: NOW, fudge: 10 }).wire;
    expect(verifyRequest(wire, keyring, NOW + 10).status).toBe('ok');
    expect(verifyRequest(wire, keyring, NOW - 10).status).toBe('ok');
    expect(verifyRequest(wire, keyring, NOW + 11).status).toBe('BADTIME');
    expect(verifyRequest(wire, keyring, NOW - 11).status).toBe('BADTIME');
    const forged = createTsigKeyring([{ ...key, secret: utf8('other') }]);
    expect(verifyRequest(wire, forged, NOW + 11).status).toBe('BADSIG');
  });

  it('looks keys up case-insensitively and refuses unknown keys and other algorithms', () => {
    const wire = signMessage(
      request(),
      { ...key, name: 'ALICE-1.Mesh.Test' },
      { timeSigned: NOW },
    ).wire;
    expect(verifyRequest(wire, keyring, NOW).status).toBe('ok');
    expect(verifyRequest(wire, createTsigKeyring([]), NOW)).toMatchObject({
      status: 'BADKEY',
      reason: 'unknown-key',
    });
    const sha512 = createTsigKeyring([{ ...key, algorithm: 'hmac-sha512' }]);
    expect(verifyRequest(wire, sha512, NOW)).toMatchObject({
      status: 'BADKEY',
      reason: 'algorithm-mismatch',
    });
    const md5 = editTsig(wire, (rr) => ({
      ...rr,
      data:
        rr.data.kind === 'TSIG' ? { ...rr.data, algorithm: 'hmac-md5.sig-alg.reg.int' } : rr.data,
    }));
    expect(verifyRequest(md5, keyring, NOW)).toMatchObject({
      status: 'BADKEY',
      reason: 'unsupported-algorithm',
    });
    expect(() =>
      signMessage(request(), { ...key, algorithm: 'hmac-sha1' }, { timeSigned: NOW }),
    ).toThrow(DnsEncodeError);
  });

  it('reports malformed or misplaced TSIG records as FORMERR', () => {
    const wire = signMessage(request(), key, { timeSigned: NOW }).wire;
    const opt: DnsRecord = {
      name: '.',
      type: RRType.OPT,
      class: 512,
      ttl: 0,
      data: { kind: 'OPT', options: [] },
    };
    const cases = [
      editTsig(wire, (rr) => [rr, opt]),
      editTsig(wire, (rr) => [rr, rr]),
      editTsig(wire, (rr) => ({ ...rr, class: RRClass.IN })),
      editTsig(wire, (rr) => ({ ...rr, ttl: 1 })),
      editTsig(wire, (rr) => ({
        ...rr,
        data: rr.data.kind === 'TSIG' ? { ...rr.data, mac: rr.data.mac.subarray(0, 8) } : rr.data,
      })),
      wire.subarray(0, wire.length - 1),
    ];
    for (const bad of cases) expect(verifyRequest(bad, keyring, NOW).status).toBe('FORMERR');
    const truncated = editTsig(wire, (rr) => ({
      ...rr,
      data: rr.data.kind === 'TSIG' ? { ...rr.data, mac: rr.data.mac.subarray(0, 16) } : rr.data,
    }));
    expect(verifyRequest(truncated, keyring, NOW).status).toBe('BADSIG');
    expect(verifyRequest(encodeMessage(request()), keyring, NOW).status).toBe('unsigned');
  });

  it('chains the request MAC into the response MAC', () => {
    const req = signMessage(request(), key, { timeSigned: NOW });
    const v = verifyRequest(req.wire, keyring, NOW);
    if (v.status !== 'ok') throw new Error(v.status);
    const response: DnsMessage = {
      ...request(),
      header: makeHeader({ id: 4242, qr: true, opcode: Opcode.UPDATE, aa: true, rcode: 5 }),
      authorities: [],
    };
    const resp = signResponse(response, v, NOW + 1);
    expect(verifyResponse(resp.wire, key, req.mac, NOW + 1).status).toBe('ok');
    const otherMac = signMessage(request(1), key, { timeSigned: NOW }).mac;
    expect(verifyResponse(resp.wire, key, otherMac, NOW + 1).status).toBe('BADSIG');
    // A response is not a valid request: without the chained MAC it does not verify.
    expect(verifyRequest(resp.wire, keyring, NOW + 1).status).toBe('BADSIG');
    expect(toHex(signResponse(encodeMessage(response), v, NOW + 1).wire)).toBe(toHex(resp.wire));
    expect(verifyResponse(tsigFailureStub(4242, Opcode.UPDATE), key, req.mac, NOW).status).toBe(
      'unsigned',
    );
    const peerError = signMessage(response, key, {
      timeSigned: NOW,
      error: 16,
      requestMac: req.mac,
    });
    expect(verifyResponse(peerError.wire, key, req.mac, NOW).status).toBe('BADSIG');
  });

  it('signWire keeps unusual layouts intact and still verifies', () => {
    const uncompressed = encodeMessage(request(), { compress: false });
    const signed = signWire(uncompressed, key, { timeSigned: NOW });
    expect(toHex(signed.wire.subarray(0, 10))).toBe(toHex(uncompressed.subarray(0, 10)));
    expect(toHex(signed.wire.subarray(12, uncompressed.length))).toBe(
      toHex(uncompressed.subarray(12)),
    );
    expect(verifyRequest(signed.wire, keyring, NOW).status).toBe('ok');
    expect(() => signWire(signed.wire, key, { timeSigned: NOW })).toThrow(DnsEncodeError);
    expect(() => signWire(Uint8Array.from([1, 2, 3]), key, { timeSigned: NOW })).toThrow(
      DnsEncodeError,
    );
  });

  it('builds the 12-octet NOTAUTH stub', () => {
    expect(toHex(tsigFailureStub(0xdd7c, Opcode.UPDATE))).toBe('dd7ca8090000000000000000');
    expect(toHex(tsigFailureStub(1, Opcode.QUERY))).toBe('000180090000000000000000');
  });
});
