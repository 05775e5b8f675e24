/**
 * Scenario: two real `dnsmesh-node` processes with heartbeats on, each
 * given the other's zone as its only seed and both DNS listeners as its
 * harvest resolvers. Each publishes its signed `_dnsmesh-heartbeat.<zone>`,
 * harvests the other over DNS and advertises it in `_dnsmesh-seen.<zone>`;
 * the landing page lists the peer; `dnsmesh peers <zone>` shows the zone's
 * own heartbeat and the other node, verified. A node whose operator key is
 * world-readable runs without heartbeats and says why.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResolverPool } from '../../src/dns/client/resolver-pool.js';
import { toHex } from '../../src/protocol/bytes.js';
import { ed25519PublicKey } from '../../src/protocol/crypto/ed25519.js';
import {
  CAP_CLAIM_PROVIDER,
  parseAndVerifyHeartbeat,
} from '../../src/protocol/records/heartbeat-record.js';
import { makeUser } from './cli-harness.js';
import { cleanup, freePort, type NodeProcess, startNode, tempDir, waitFor } from './harness.js';

const seedA = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const seedB = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
const spkA = toHex(ed25519PublicKey(seedA));
const spkB = toHex(ed25519PublicKey(seedB));

let a: NodeProcess;
let b: NodeProcess;
let pool: ResolverPool;

async function keyFile(dir: string, name: string, seed: Uint8Array, mode = 0o600) {
  const path = join(dir, name);
  await writeFile(path, `${toHex(seed)}\n`, { mode: 0o600 });
  await chmod(path, mode);
  return path;
}

/** Verified operator keys (hex) of the wires at `name`, read through our resolver pool. */
async function signersAt(name: string): Promise<string[]> {
  const answer = await pool.readTxt(name);
  if (answer.status !== 'found') return [];
  const now = Math.floor(Date.now() / 1000);
  return answer.values.flatMap((v) => {
    const r = parseAndVerifyHeartbeat(v, { now });
    return r.ok ? [toHex(r.value.operatorSpk)] : [];
  });
}

describe('heartbeats: two nodes discover each other from one seed', () => {
  beforeAll(async () => {
    const dir = await tempDir('dnsmesh-hb-');
    const [portA, portB] = [await freePort(), await freePort()];
    const resolvers = `127.0.0.1:${portA},127.0.0.1:${portB}`;
    const env = (zone: string, seed: string, key: string) => ({
      DMP_HEARTBEAT_ENABLED: '1',
      DMP_HEARTBEAT_SELF_ENDPOINT: `https://${zone}`,
      DMP_HEARTBEAT_OPERATOR_KEY_PATH: key,
      DMP_HEARTBEAT_SEEDS: seed,
      DMP_HEARTBEAT_INTERVAL_SECONDS: '1',
      DMP_HEARTBEAT_DNS_RESOLVERS: resolvers,
      // No fetch of the reference's GitHub seed list from a test.
      DMP_HEARTBEAT_PUBLIC_SEED_URLS_DISABLED: '1',
    });
    [a, b] = await Promise.all([
      startNode({
        zone: 'a.test',
        port: portA,
        http: true,
        env: env('a.test', 'b.test', await keyFile(dir, 'a.key', seedA)),
      }),
      startNode({
        zone: 'b.test',
        port: portB,
        // B takes no claims: its heartbeat must not advertise the capability.
        env: {
          ...env('b.test', 'https://a.test:8443/', await keyFile(dir, 'b.key', seedB)),
          DMP_CLAIM_PROVIDER: '0',
        },
      }),
    ]);
    pool = new ResolverPool([`127.0.0.1:${portA}`, `127.0.0.1:${portB}`], {
      timeoutMs: 2000,
      deadlineMs: 4000,
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await cleanup();
  });

  it('each publishes its own signed heartbeat, with the claim bit only where claims are taken', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [node, spk, caps] of [
      [a, spkA, CAP_CLAIM_PROVIDER],
      [b, spkB, 0],
    ] as const) {
      const answer = await pool.readTxt(`_dnsmesh-heartbeat.${node.zone}`);
      expect(answer.status, node.output()).toBe('found');
      const values = answer.status === 'found' ? answer.values : [];
      expect(values).toHaveLength(1);
      const r = parseAndVerifyHeartbeat(values[0]!, { now });
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(toHex(r.value.operatorSpk)).toBe(spk);
      expect(r.value.endpoint).toBe(`https://${node.zone}`);
      expect(r.value.claimProviderZone).toBe(node.zone);
      expect(r.value.capabilities & CAP_CLAIM_PROVIDER).toBe(caps);
    }
  });

  it('each advertises the other, and only the other, in _dnsmesh-seen', async () => {
    await waitFor(
      async () =>
        (await signersAt('_dnsmesh-seen.a.test')).includes(spkB) &&
        (await signersAt('_dnsmesh-seen.b.test')).includes(spkA),
      30_000,
      `both seen lists\n--- a ---\n${a.output()}\n--- b ---\n${b.output()}`,
      250,
    );
    expect(await signersAt('_dnsmesh-seen.a.test')).toEqual([spkB]);
    expect(await signersAt('_dnsmesh-seen.b.test')).toEqual([spkA]);
  }, 40_000);

  it('the landing page lists the peer', async () => {
    const page = await (await fetch(`http://127.0.0.1:${a.httpPort}/`)).text();
    expect(page).toContain('Known peers');
    expect(page).toContain('https://b.test');
    expect(page).toContain(spkB.slice(0, 16));
  });

  it('dnsmesh peers shows the zone itself and the node it has seen', async () => {
    const user = await makeUser('peers');
    await mkdir(user.configHome, { recursive: true, mode: 0o700 });
    await writeFile(
      user.configPath,
      `dns_resolvers:\n- 127.0.0.1:${a.port}\n- 127.0.0.1:${b.port}\n`,
      { mode: 0o600 },
    );
    const json = await user.ok(['peers', 'a.test', '--json']);
    const out = JSON.parse(json.stdout) as {
      zone: string;
      self: { endpoint: string; operator_spk_hex: string; wire: string } | null;
      seen: { endpoint: string; operator_spk_hex: string; claim_provider_zone: string }[];
    };
    expect(out.zone).toBe('a.test');
    expect(out.self).toMatchObject({ endpoint: 'https://a.test', operator_spk_hex: spkA });
    expect(out.seen).toEqual([
      expect.objectContaining({
        endpoint: 'https://b.test',
        operator_spk_hex: spkB,
        claim_provider_zone: 'b.test',
      }),
    ]);
    const text = await user.ok(['peers', 'https://B.test/']);
    expect(text.stdout).toContain('zone: b.test');
    expect(text.stdout).toContain('self: https://b.test');
    expect(text.stdout).toContain(`operator:   ${spkB}`);
    expect(text.stdout).toMatch(/peers \(1\):\n {2}https:\/\/a\.test {2}spk [0-9a-f]{16}/);
    const refused = await user.cli(['peers', 'http://127.0.0.1:8053']);
    expect(refused.code).toBe(1);
  }, 60_000);

  it('a world-readable operator key keeps heartbeats off, with the reason logged', async () => {
    const dir = await tempDir('dnsmesh-hb-open-');
    const node = await startNode({
      zone: 'c.test',
      env: {
        DMP_HEARTBEAT_ENABLED: '1',
        DMP_HEARTBEAT_SELF_ENDPOINT: 'https://c.test',
        DMP_HEARTBEAT_OPERATOR_KEY_PATH: await keyFile(dir, 'c.key', seedA, 0o644),
        DMP_HEARTBEAT_DNS_RESOLVERS: '127.0.0.1:9',
        DMP_HEARTBEAT_PUBLIC_SEED_URLS_DISABLED: '1',
      },
    });
    try {
      expect(node.output()).toMatch(/heartbeats are off: operator key .* readable by others/);
      const direct = new ResolverPool([`127.0.0.1:${node.port}`], { timeoutMs: 2000 });
      const answer = await direct.readTxt('_dnsmesh-heartbeat.c.test');
      expect(answer.status).not.toBe('found');
    } finally {
      await node.stop();
    }
  }, 30_000);
});
