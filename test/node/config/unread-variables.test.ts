/** No silent configuration: every DMP_* variable the node does not read is reported at start. */
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../src/node/config/env.js';

const notices = (env: Record<string, string>) => configFromEnv(env).notices;

describe('unread DMP_* variables', () => {
  it('names a typo with the closest known variable', () => {
    expect(notices({ DMP_DNS_PROT: '53' })).toEqual([
      'DMP_DNS_PROT is set but dnsmesh-node does not read it — did you mean DMP_DNS_PORT? (every variable: docs/configuration.md)',
    ]);
  });

  it('reads the cluster sync settings (implemented: no notice)', () => {
    expect(
      notices({
        DMP_SYNC_PEERS: 'http://a',
        DMP_SYNC_PEER_TOKEN: 't',
        DMP_NODE_ID: 'n1',
        DMP_CLUSTER_FILE: '/etc/dmp/cluster.json',
      }),
    ).toEqual([]);
    expect(notices({ DMP_SYNC_PEER: 'http://a' })[0]).toMatch(/did you mean DMP_SYNC_PEERS/);
  });

  it('is quiet about variables it reads and about the CLI’s', () => {
    expect(
      notices({
        DMP_DNS_PORT: '53',
        DMP_SERVED_ZONE: 'mesh.test',
        DMP_PASSPHRASE: 'x',
        DMP_CONFIG_HOME: '/tmp/x',
        DMP_TSIG_TIGHT_SCOPE: '1',
        DMP_REGISTRATION_ENABLED: '1',
        DMP_HEARTBEAT_ENABLED: '1',
        DMP_HEARTBEAT_SEEDS: 'a.test',
        DMP_NODE_OPERATOR_KEY_PATH: '/etc/dnsmesh/operator.key',
      }),
    ).toEqual([]);
  });

  it('reports a shadowed variable and the registration names the reference reads', () => {
    expect(notices({ DMP_SERVED_ZONE: 'a.test', DMP_DOMAIN: 'b.test' })).toEqual([
      'DMP_DOMAIN ignored for the served zone: DMP_SERVED_ZONE is set and wins',
    ]);
    const ref = configFromEnv({
      DMP_REGISTRATION_ENDPOINT_RATE_BURST: '7',
      DMP_REGISTRATION_ISSUED_RATE_BURST: '9',
    });
    expect(ref.notices).toEqual([]);
    expect(ref.config.registration).toMatchObject({ endpointBurst: 7, issuedBurst: 9 });
    const old = configFromEnv({ DMP_REGISTRATION_ENDPOINT_BURST: '7' });
    expect(old.config.registration).toMatchObject({ endpointBurst: 7 });
    expect(old.notices).toEqual([
      "DMP_REGISTRATION_ENDPOINT_BURST is this node's old name for DMP_REGISTRATION_ENDPOINT_RATE_BURST (the reference's); use DMP_REGISTRATION_ENDPOINT_RATE_BURST",
    ]);
  });
});
