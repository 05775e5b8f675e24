/** The landing page lists known peers when heartbeats are on, escaped; without them it has no list. */
import { afterEach, describe, expect, it } from 'vitest';
import type { LandingPeer } from '../../../src/node/http/deps.js';
import { type ApiHarness, call, startApi } from './harness.js';

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const peer = (over: Partial<LandingPeer> = {}): LandingPeer => ({
  endpoint: 'https://b.example',
  operatorSpkHex: 'ab'.repeat(32),
  version: '0.1.0',
  claimProviderZone: 'b.example',
  ts: 1_893_456_000,
  ...over,
});

describe('landing page peers', () => {
  it('lists each peer, with text escaped, asking for at most 50', async () => {
    const limits: number[] = [];
    h = await startApi(
      {},
      {
        peers: (limit) => {
          limits.push(limit);
          return [peer(), peer({ endpoint: 'https://c.example', version: '<script>x</script>' })];
        },
      },
    );
    const r = await call(h.url('/'));
    expect(r.status).toBe(200);
    expect(r.text).toContain('<h2>Known peers</h2>');
    expect(r.text).toContain('<code>https://b.example</code>');
    expect(r.text).toContain(`<code>${'ab'.repeat(8)}</code>`);
    expect(r.text).toContain('2030-01-01T00:00:00.000Z');
    expect(r.text).not.toContain('<script>');
    expect(r.text).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(limits).toEqual([50]);
  });

  it('says so when none is known yet', async () => {
    h = await startApi({}, { peers: () => [] });
    expect((await call(h.url('/'))).text).toContain('No peers seen yet.');
  });

  it('has no peer section when heartbeats are off', async () => {
    h = await startApi();
    expect((await call(h.url('/'))).text).not.toContain('Known peers');
  });
});
