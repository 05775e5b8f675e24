/** Public seed lists: the SSRF guards, the parsing, the 6-hour refresh and keeping zones on failure. */
import { describe, expect, it } from 'vitest';
import {
  fetchSeedList,
  MAX_SEED_LIST_BYTES,
  PUBLIC_SEED_REFRESH_SECONDS,
  PublicSeeds,
  parseSeedList,
  type SeedFetchDeps,
} from '../../../src/node/heartbeat/public-seeds.js';

const text = (s: string) => new TextEncoder().encode(s);

/** Fakes: `host` resolves to `addresses`; the download answers `status`/`body` and records where it went. */
function fake(addresses: string[], status = 200, body = 'a.example\n') {
  const calls: { url: string; address: string }[] = [];
  const deps: SeedFetchDeps = {
    resolve: async () => addresses,
    download: async (url, address, maxBytes) => {
      calls.push({ url: url.href, address });
      return { status, body: text(body).subarray(0, maxBytes) };
    },
  };
  return { deps, calls };
}

describe('fetchSeedList guards', () => {
  it('fetches https from a public host, connecting to the checked address', async () => {
    const f = fake(['93.184.216.34'], 200, '# seeds\n\nA.example.\nb.example\n  c.example  \n');
    expect(await fetchSeedList('https://seeds.example/list.txt', f.deps)).toEqual([
      'a.example',
      'b.example',
      'c.example',
    ]);
    expect(f.calls).toEqual([{ url: 'https://seeds.example/list.txt', address: '93.184.216.34' }]);
  });

  it.each([
    ['http://seeds.example/list.txt', /only https/],
    ['ftp://seeds.example/list.txt', /only https/],
    ['https://user:pw@seeds.example/', /userinfo/],
    ['not a url', /not a URL/],
  ])('refuses %s before any network', async (url, message) => {
    const f = fake(['93.184.216.34']);
    await expect(fetchSeedList(url, f.deps)).rejects.toThrow(message);
    expect(f.calls).toEqual([]);
  });

  it.each([
    [['127.0.0.1']],
    [['10.1.2.3']],
    [['93.184.216.34', '192.168.1.1']],
    [['::1']],
    [['fe80::1']],
    [['169.254.169.254']],
  ])('refuses a host resolving to %j (every address must be public)', async (addresses) => {
    const f = fake(addresses);
    await expect(fetchSeedList('https://seeds.example/', f.deps)).rejects.toThrow(/non-public/);
    expect(f.calls).toEqual([]);
  });

  it('refuses a non-public IP literal host without resolving', async () => {
    const f = fake(['93.184.216.34']);
    await expect(fetchSeedList('https://127.0.0.1/seeds', f.deps)).rejects.toThrow(/non-public/);
    await expect(fetchSeedList('https://[::1]/seeds', f.deps)).rejects.toThrow(/non-public/);
    expect(f.calls).toEqual([]);
  });

  it('does not follow redirects and needs a 200', async () => {
    await expect(
      fetchSeedList('https://seeds.example/', fake(['93.184.216.34'], 302).deps),
    ).rejects.toThrow(/redirect 302 not followed/);
    await expect(
      fetchSeedList('https://seeds.example/', fake(['93.184.216.34'], 404).deps),
    ).rejects.toThrow(/HTTP 404/);
  });

  it('reads at most 64 KiB', async () => {
    const line = 'z.example\n';
    const big = `${'x'.repeat(MAX_SEED_LIST_BYTES - 1)}\n${line}`;
    const f = fake(['93.184.216.34'], 200, big);
    // The zone after the cut is not seen.
    expect(await fetchSeedList('https://seeds.example/', f.deps)).toEqual([]);
  });
});

describe('parseSeedList', () => {
  it('skips blanks, comments, IPs and junk; de-duplicates', () => {
    expect(
      parseSeedList('# c\n\n1.2.3.4\nbad zone\nx.example\nX.example\nhttps://y.example/z\n'),
    ).toEqual(['x.example', 'y.example']);
  });
});

describe('PublicSeeds', () => {
  it('refreshes at most every 6 h; a failing URL keeps its previous zones', async () => {
    let fail = false;
    let fetches = 0;
    const errors: string[] = [];
    const seeds = new PublicSeeds({
      urls: ['https://one.example/', 'https://two.example/'],
      deps: {
        resolve: async () => ['93.184.216.34'],
        download: async (url) => {
          fetches++;
          if (fail && url.hostname === 'one.example') return { status: 500, body: text('') };
          return { status: 200, body: text(`${url.hostname.replace('.example', '')}.zone\n`) };
        },
      },
      onError: (url) => errors.push(url),
    });
    await seeds.maybeRefresh(1000);
    expect(seeds.zones()).toEqual(['one.zone', 'two.zone']);
    await seeds.maybeRefresh(1000 + PUBLIC_SEED_REFRESH_SECONDS - 1);
    expect(fetches).toBe(2);
    fail = true;
    await seeds.maybeRefresh(1000 + PUBLIC_SEED_REFRESH_SECONDS);
    expect(fetches).toBe(4);
    expect(errors).toEqual(['https://one.example/']);
    expect(seeds.zones()).toEqual(['one.zone', 'two.zone']);
  });
});
