/**
 * Scenario: discovery through one seed. Three real nodes with heartbeats
 * on: the seed S harvests A and B (its seeds); A and B know only S. From
 * S's `_dnsmesh-seen` list, A learns B and B learns A — and each then
 * advertises the other in its own `_dnsmesh-seen`, next to S, so a client
 * asking A's zone finds B without ever having heard of it.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResolverPool } from '../../src/dns/client/resolver-pool.js';
import { toHex } from '../../src/protocol/bytes.js';
import { ed25519PublicKey } from '../../src/protocol/crypto/ed25519.js';
import { parseAndVerifyHeartbeat } from '../../src/protocol/records/heartbeat-record.js';
import { cleanup, freePort, type NodeProcess, startNode, tempDir, waitFor } from './harness.js';

const seeds = {
  s: Uint8Array.from({ length: 32 }, (_, i) => i + 7),
  a: Uint8Array.from({ length: 32 }, (_, i) => i + 50),
  b: Uint8Array.from({ length: 32 }, (_, i) => 255 - i),
};
const spk = (seed: Uint8Array) => toHex(ed25519PublicKey(seed));

let nodes: NodeProcess[] = [];
let pool: ResolverPool;

async function signersAt(name: string): Promise<string[]> {
  const answer = await pool.readTxt(name);
  if (answer.status !== 'found') return [];
  const now = Math.floor(Date.now() / 1000);
  return answer.values
    .flatMap((v) => {
      const r = parseAndVerifyHeartbeat(v, { now });
      return r.ok ? [toHex(r.value.operatorSpk)] : [];
    })
    .sort();
}

describe('heartbeats: A and B learn each other through the seed S', () => {
  beforeAll(async () => {
    const dir = await tempDir('dnsmesh-hb3-');
    const ports = [await freePort(), await freePort(), await freePort()];
    const resolvers = ports.map((p) => `127.0.0.1:${p}`).join(',');
    const start = async (name: 's' | 'a' | 'b', port: number, seedList: string) => {
      const key = join(dir, `${name}.key`);
      await writeFile(key, toHex(seeds[name]), { mode: 0o600 });
      await chmod(key, 0o600);
      return startNode({
        zone: `${name}.test`,
        port,
        env: {
          DMP_HEARTBEAT_ENABLED: '1',
          DMP_HEARTBEAT_SELF_ENDPOINT: `https://${name}.test`,
          DMP_HEARTBEAT_OPERATOR_KEY_PATH: key,
          DMP_HEARTBEAT_SEEDS: seedList,
          DMP_HEARTBEAT_INTERVAL_SECONDS: '1',
          DMP_HEARTBEAT_DNS_RESOLVERS: resolvers,
          DMP_HEARTBEAT_PUBLIC_SEED_URLS_DISABLED: '1',
        },
      });
    };
    nodes = await Promise.all([
      start('s', ports[0]!, 'a.test,b.test'),
      start('a', ports[1]!, 's.test'),
      start('b', ports[2]!, 's.test'),
    ]);
    pool = new ResolverPool(
      ports.map((p) => `127.0.0.1:${p}`),
      { timeoutMs: 2000, deadlineMs: 5000 },
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await cleanup();
  });

  it('each of A and B advertises S and the other', async () => {
    const wantA = [spk(seeds.s), spk(seeds.b)].sort();
    const wantB = [spk(seeds.s), spk(seeds.a)].sort();
    await waitFor(
      async () =>
        JSON.stringify(await signersAt('_dnsmesh-seen.a.test')) === JSON.stringify(wantA) &&
        JSON.stringify(await signersAt('_dnsmesh-seen.b.test')) === JSON.stringify(wantB),
      40_000,
      `A and B to advertise each other\n${nodes.map((n) => n.output()).join('\n---\n')}`,
      250,
    );
    expect(await signersAt('_dnsmesh-seen.s.test')).toEqual([spk(seeds.a), spk(seeds.b)].sort());
  }, 50_000);
});
