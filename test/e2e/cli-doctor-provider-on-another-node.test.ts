/**
 * Scenario: doctor checks a first-contact provider on another node, the
 * way send and recv reach it — its zone through the user's resolver (a
 * real unbound with a stub zone per node) and its claim UPDATE target on
 * the provider host at DMP_PROVIDER_DNS_PORT. Healthy: every line PASS
 * through the recursor. A wrong DMP_PROVIDER_DNS_PORT, then a provider
 * zone the resolver cannot reach: WARN, each naming its fix.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type CliUser,
  type MeshNode,
  makeUser,
  type Recursor,
  setupUser,
  startMeshNode,
  startUnbound,
} from './cli-harness.js';
import { cleanup, describeWith, freePort } from './harness.js';

interface DoctorLine {
  readonly status: 'PASS' | 'WARN' | 'FAIL';
  readonly check: string;
  readonly detail: string;
}

async function doctor(user: CliUser, env: Record<string, string> = {}) {
  const r = await user.cli(['doctor', '--json'], { env });
  const checks = JSON.parse(r.stdout).checks as DoctorLine[];
  return {
    code: r.code,
    lines: checks.map((c) => `${c.status} ${c.check}`),
    detail: (check: string) => checks.find((c) => c.check === check)?.detail ?? '',
  };
}

describeWith(['unbound'], 'cli-doctor-provider-on-another-node', () => {
  let home: MeshNode;
  let provider: MeshNode;
  let unbound: Recursor;
  let alice: CliUser;

  beforeAll(async () => {
    [home, provider] = await Promise.all([
      startMeshNode('home.test'),
      startMeshNode('provider.test'),
    ]);
    unbound = await startUnbound([
      { zone: 'home.test', port: home.port },
      { zone: 'provider.test', port: provider.port },
    ]);
    alice = await makeUser('alice');
    await setupUser(alice, home, { resolvers: [`127.0.0.1:${unbound.port}`], provider });
  });
  afterAll(cleanup);

  it('healthy through a recursor: the provider zone answers and its node takes claims', async () => {
    const d = await doctor(alice);
    expect(d.lines).toEqual([
      'PASS endpoint reachable',
      'PASS local DNS endpoint responds',
      'PASS resolvers answer',
      'PASS TSIG registered',
      'PASS TSIG UPDATE target accepts the key',
      'PASS identity published and matching',
      'PASS claim providers answer',
    ]);
    expect(d.code).toBe(0);
    expect(d.detail('claim providers answer')).toBe(
      `provider.test via ${provider.endpoint}: zone answers; claims to 127.0.0.1:${provider.port}`,
    );
  });

  it('a wrong DMP_PROVIDER_DNS_PORT: WARN naming it', async () => {
    const wrong = await freePort();
    const d = await doctor(alice, { DMP_PROVIDER_DNS_PORT: String(wrong) });
    expect(d.code).toBe(0);
    expect(d.lines.filter((l) => !l.startsWith('PASS'))).toEqual([
      'WARN first-contact provider unreachable',
    ]);
    const detail = d.detail('first-contact provider unreachable');
    expect(detail).toContain(`claims to 127.0.0.1:${wrong}, which does not answer like a DMP node`);
    expect(detail).toContain('set DMP_PROVIDER_DNS_PORT=<port>');
  });

  it('a provider zone the resolver refuses, or that does not exist: WARN with the setting to change', async () => {
    const original = await alice.readConfig();
    try {
      for (const [zone, said] of [
        ['nowhere.example', 'zone does not answer through your resolvers'],
        // unbound answers the special-use .test names itself: NXDOMAIN.
        ['nowhere.test', 'no such zone through your resolvers (NXDOMAIN at its apex)'],
      ] as const) {
        await alice.editConfig((c) => {
          c.claim_provider_zone = zone;
        });
        const d = await doctor(alice);
        expect(d.code).toBe(0);
        expect(d.lines.filter((l) => !l.startsWith('PASS'))).toEqual([
          'WARN first-contact provider unreachable',
        ]);
        const detail = d.detail('first-contact provider unreachable');
        expect(detail).toContain(`${zone} via ${provider.endpoint}: ${said};`);
        expect(detail).toContain('claim_provider_zone: <its zone>');
      }
    } finally {
      await alice.editConfig((c) => {
        c.claim_provider_zone = original.claim_provider_zone;
      });
    }
  });
});
