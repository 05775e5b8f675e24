import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DnsEncodeError } from '../../src/dns/wire/errors.js';
import { frameTcp, TcpDeframer } from '../../src/dns/wire/tcp.js';
import { concatBytes, toHex } from '../../src/protocol/bytes.js';

/** Cuts `stream` at the given (sorted, deduplicated) points. */
function segment(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, stream.length]) {
    out.push(stream.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('TCP framing', () => {
  it('prefixes the 16-bit length', () => {
    expect(toHex(frameTcp(Uint8Array.from([1, 2, 3])))).toBe('0003010203');
    expect(frameTcp(new Uint8Array(65535)).length).toBe(65537);
    expect(() => frameTcp(new Uint8Array(0))).toThrow(DnsEncodeError);
    expect(() => frameTcp(new Uint8Array(65536))).toThrow(DnsEncodeError);
  });

  it('any segmentation of a frame stream yields the same frames', () => {
    const frames = fc.array(fc.uint8Array({ minLength: 1, maxLength: 700 }), { maxLength: 8 });
    fc.assert(
      fc.property(frames, fc.array(fc.nat(), { maxLength: 30 }), (msgs, cuts) => {
        const stream = concatBytes(...msgs.map(frameTcp));
        const d = new TcpDeframer();
        const got: Uint8Array[] = [];
        for (const part of segment(stream, cuts)) {
          const res = d.push(part);
          if (!res.ok) throw new Error(res.detail);
          got.push(...res.value);
        }
        expect(got.map(toHex)).toEqual(msgs.map(toHex));
        expect(d.buffered).toBe(0);
      }),
    );
  });

  it('handles a maximum-size frame dribbled one octet at a time', () => {
    const msg = new Uint8Array(65535).map((_, i) => i & 0xff);
    const stream = frameTcp(msg);
    const d = new TcpDeframer();
    const frames: Uint8Array[] = [];
    let completedEarly = 0;
    for (let i = 0; i < stream.length; i++) {
      const res = d.push(stream.subarray(i, i + 1));
      if (!res.ok) throw new Error(res.detail);
      if (i < stream.length - 1) completedEarly += res.value.length;
      frames.push(...res.value);
    }
    expect(completedEarly).toBe(0);
    expect(frames).toHaveLength(1);
    expect(toHex(frames[0]!)).toBe(toHex(msg));
  });

  it('rejects zero-length and oversize frames and stays failed', () => {
    const zero = new TcpDeframer();
    expect(zero.push(Uint8Array.from([0, 0, 0, 1]))).toMatchObject({ ok: false, code: 'length' });
    expect(zero.push(frameTcp(Uint8Array.from([1]))).ok).toBe(false);

    const small = new TcpDeframer({ maxMessageSize: 512 });
    const first = small.push(concatBytes(frameTcp(new Uint8Array(512)), Uint8Array.from([2])));
    expect(first.ok && first.value.length).toBe(1);
    expect(small.push(Uint8Array.from([1]))).toMatchObject({ ok: false, code: 'too-long' });
    expect(small.push(frameTcp(Uint8Array.from([1]))).ok).toBe(false);
  });
});
