/** DMP_HEARTBEAT_* as the node reads them, and what keeps the layer off. */
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../src/node/config/env.js';
import { mergeConfig } from '../../../src/node/config/load.js';
import { DEFAULT_NODE_CONFIG, type NodeConfig } from '../../../src/node/config/node-config.js';
import { heartbeatProblems } from '../../../src/node/heartbeat/heartbeat-layer.js';

const fromEnv = (env: Record<string, string>): NodeConfig =>
  mergeConfig(DEFAULT_NODE_CONFIG, configFromEnv(env).config);

describe('heartbeat variables', () => {
  it('reads every variable the reference has, as typed settings', () => {
    const c = fromEnv({
      DMP_HEARTBEAT_ENABLED: 'true',
      DMP_HEARTBEAT_SELF_ENDPOINT: 'https://a.example',
      DMP_HEARTBEAT_OPERATOR_KEY_PATH: '/k',
      DMP_HEARTBEAT_VERSION: 'v9',
      DMP_HEARTBEAT_SEEDS: 'b.example, https://c.example/ ,',
      DMP_HEARTBEAT_INTERVAL_SECONDS: '60',
      DMP_HEARTBEAT_TTL_SECONDS: '3600',
      DMP_HEARTBEAT_MAX_PEERS: '5',
      DMP_HEARTBEAT_SEEN_MAX_ROWS: '100',
      DMP_HEARTBEAT_RETENTION_HOURS: '1',
      DMP_HEARTBEAT_GOSSIP_LIMIT: '10',
      DMP_HEARTBEAT_DNS_RESOLVERS: '9.9.9.9,[2620:fe::fe]:53',
      DMP_HEARTBEAT_DNSSEC_REQUIRED: 'yes',
      DMP_HEARTBEAT_PUBLIC_SEED_URLS: 'https://s.example/a.txt',
      DMP_HEARTBEAT_PUBLIC_SEED_URLS_DISABLED: '1',
    });
    expect(c.heartbeat).toEqual({
      enabled: true,
      selfEndpoint: 'https://a.example',
      operatorKeyPath: '/k',
      version: 'v9',
      seeds: ['b.example', 'https://c.example/'],
      publicSeedUrls: ['https://s.example/a.txt'],
      publicSeedsDisabled: true,
      intervalSeconds: 60,
      ttlSeconds: 3600,
      maxPeers: 5,
      seenMaxRows: 100,
      retentionHours: 1,
      gossipLimit: 10,
      dnsResolvers: ['9.9.9.9', '[2620:fe::fe]:53'],
      dnssecRequired: true,
    });
    expect(configFromEnv({ DMP_HEARTBEAT_ENABLED: '1' }).notices).toEqual([]);
  });

  it('compares DMP_HEARTBEAT_ENABLED case-sensitively, as the reference', () => {
    expect(fromEnv({ DMP_HEARTBEAT_ENABLED: 'TRUE' }).heartbeat.enabled).toBe(false);
    expect(fromEnv({ DMP_HEARTBEAT_ENABLED: 'on' }).heartbeat.enabled).toBe(true);
    expect(DEFAULT_NODE_CONFIG.heartbeat.enabled).toBe(false);
  });

  it('takes DMP_NODE_OPERATOR_KEY_PATH too; the reference name wins, with a notice', () => {
    expect(fromEnv({ DMP_NODE_OPERATOR_KEY_PATH: '/n' }).heartbeat.operatorKeyPath).toBe('/n');
    const both = configFromEnv({
      DMP_HEARTBEAT_OPERATOR_KEY_PATH: '/h',
      DMP_NODE_OPERATOR_KEY_PATH: '/n',
    });
    expect(both.config.heartbeat?.operatorKeyPath).toBe('/h');
    expect(both.notices).toEqual([
      'DMP_NODE_OPERATOR_KEY_PATH ignored for the heartbeat operator key: DMP_HEARTBEAT_OPERATOR_KEY_PATH is set and wins',
    ]);
  });
});

describe('heartbeatProblems', () => {
  const ok = {
    DMP_HEARTBEAT_ENABLED: '1',
    DMP_HEARTBEAT_SELF_ENDPOINT: 'https://a.example',
    DMP_HEARTBEAT_OPERATOR_KEY_PATH: '/k',
  };

  it('is empty for a complete setup', () => {
    expect(heartbeatProblems(fromEnv(ok))).toEqual([]);
  });

  it('names what is missing or out of range', () => {
    expect(heartbeatProblems(fromEnv({ DMP_HEARTBEAT_ENABLED: '1' }))).toEqual([
      'DMP_HEARTBEAT_SELF_ENDPOINT is not set',
      'DMP_HEARTBEAT_OPERATOR_KEY_PATH is not set',
    ]);
    const bad = heartbeatProblems(
      fromEnv({
        ...ok,
        DMP_HEARTBEAT_SELF_ENDPOINT: 'https://127.0.0.1:8053',
        DMP_HEARTBEAT_GOSSIP_LIMIT: '51',
        DMP_HEARTBEAT_INTERVAL_SECONDS: '0',
        DMP_HEARTBEAT_VERSION: 'x'.repeat(33),
      }),
    );
    expect(bad).toHaveLength(4);
    expect(bad[0]).toMatch(/^DMP_HEARTBEAT_SELF_ENDPOINT: /);
    expect(bad.join('\n')).toMatch(/DMP_HEARTBEAT_INTERVAL_SECONDS must be an integer 1\.\./);
    expect(bad.join('\n')).toMatch(/DMP_HEARTBEAT_GOSSIP_LIMIT must be an integer 0\.\.50/);
    expect(bad.join('\n')).toMatch(/DMP_HEARTBEAT_VERSION must be printable ASCII/);
  });
});
