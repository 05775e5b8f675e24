import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../src/node/config/env.js';
import { loadNodeConfig, NodeConfigError } from '../../../src/node/config/load.js';
import { DEFAULT_NODE_CONFIG } from '../../../src/node/config/node-config.js';

describe('node configuration', () => {
  it('starts from safe defaults: loopback, 5353/8053, ./dnsmesh-data', () => {
    const c = loadNodeConfig();
    expect(c.dns.hosts.every((h) => h === '127.0.0.1' || h === '::1')).toBe(true);
    expect(c.dns.port).toBe(5353);
    expect(c.http.port).toBe(8053);
    expect(c.dbPath).toBe(join('./dnsmesh-data', 'dnsmesh.db'));
    expect(c.auth.mode).toBe('open');
  });

  it('reads the reference DMP_* variables, with the served-zone chain', () => {
    const c = loadNodeConfig({
      env: {
        DMP_DNS_PORT: '5300',
        DMP_DNS_TTL: '30',
        DMP_DOMAIN: 'Mesh.Example.',
        DMP_NODE_HOSTNAME: 'node.example',
        DMP_MAX_VALUE_BYTES: '4096',
        DMP_DNS_UPDATE_ENABLED: 'off',
        DMP_OPERATOR_TOKEN: 'secret',
        DMP_REGISTRATION_ENDPOINT_RATE_PER_SEC: '5/3600',
        DMP_TSIG_TIGHT_SCOPE: 'yes',
      },
    });
    expect(c.dns.port).toBe(5300);
    expect(c.dns.ttl).toBe(30);
    expect(c.zone).toBe('mesh.example');
    expect(c.caps.maxValueBytes).toBe(4096);
    expect(c.update.enabled).toBe(false);
    expect(c.auth.mode).toBe('legacy');
    expect(c.registration.endpointRatePerSecond).toBeCloseTo(5 / 3600);
    expect(c.registration.scopeMode).toBe('tight');
    expect(loadNodeConfig({ env: { DMP_SERVED_ZONE: 'a.test', DMP_DOMAIN: 'b.test' } }).zone).toBe(
      'a.test',
    );
  });

  it('layers defaults < YAML < env < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmesh-config-'));
    const file = join(dir, 'node.yaml');
    writeFileSync(file, 'zone: yaml.test\ndataDir: /tmp/x\ndns:\n  port: 6000\n  ttl: 10\n');
    const c = loadNodeConfig({ file, env: { DMP_DNS_PORT: '6001' }, flags: { dns: { ttl: 5 } } });
    expect(c.zone).toBe('yaml.test');
    expect(c.dns.port).toBe(6001);
    expect(c.dns.ttl).toBe(5);
    expect(c.dns.hosts).toEqual(DEFAULT_NODE_CONFIG.dns.hosts);
    expect(c.dbPath).toBe(join('/tmp/x', 'dnsmesh.db'));
  });

  it('refuses public binds without the explicit flag, and reports every problem at once', () => {
    let error: unknown;
    try {
      loadNodeConfig({
        env: { DMP_DNS_HOST: '0.0.0.0', DMP_DNS_PORT: 'fifty', DMP_HTTP_PORT: '70000' },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NodeConfigError);
    const problems = (error as NodeConfigError).problems.join('\n');
    expect(problems).toMatch(/DMP_DNS_PORT: not a number/);
    expect(problems).toMatch(/http.port must be a port number/);
    expect(problems).toMatch(/refusing to bind non-loopback/);
    const ok = loadNodeConfig({
      env: {
        DMP_DNS_HOST: '0.0.0.0',
        DMP_ALLOW_PUBLIC_BIND: '1',
        DMP_OPERATOR_TOKEN: 'a-long-random-operator-token',
      },
      flags: { http: { host: '0.0.0.0' } },
    });
    expect(ok.dns.hosts).toEqual(['0.0.0.0']);
    expect(() =>
      loadNodeConfig({ env: { DMP_ALLOW_PUBLIC_BIND: '1' }, flags: { http: { host: '0.0.0.0' } } }),
    ).toThrow(/auth mode "open"/);
  });

  it('reports a broken YAML file and a bad zone clearly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmesh-config-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'dns: [unclosed\n');
    expect(() => loadNodeConfig({ file })).toThrow(/bad\.yaml/);
    expect(() => loadNodeConfig({ flags: { zone: 'bad zone!' } })).toThrow(/not a valid DNS name/);
  });

  it('never lets an unset variable override a default', () => {
    const { config, errors } = configFromEnv({ DMP_DNS_PORT: '' });
    expect(errors).toEqual([]);
    expect(config.dns).toBeUndefined();
  });

  it('DMP_DNS_RATE=0 / DMP_DNS_BURST=0 turn DNS rate limiting off, as in the reference', () => {
    for (const env of [{ DMP_DNS_RATE: '0' }, { DMP_DNS_BURST: '0' }]) {
      const notices: string[] = [];
      const c = loadNodeConfig({ env, onNotice: (n) => notices.push(n) });
      expect(c.dns.rrlResponsesPerSecond).toBe(0);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/rate limiting is off/);
    }
    // An explicit RRL rate still wins.
    const c = loadNodeConfig({ env: { DMP_DNS_RATE: '0', DMP_DNS_RRL_RATE: '50' } });
    expect(c.dns.rrlResponsesPerSecond).toBe(50);
  });

  it('reports other DMP_DNS_RATE/DMP_DNS_BURST values as not honoured, keeping RRL', () => {
    const notices: string[] = [];
    const c = loadNodeConfig({
      env: { DMP_DNS_RATE: '50', DMP_DNS_BURST: '200' },
      onNotice: (n) => notices.push(n),
    });
    expect(c.dns.rrlResponsesPerSecond).toBe(DEFAULT_NODE_CONFIG.dns.rrlResponsesPerSecond);
    expect(notices).toEqual([expect.stringMatching(/not honoured.*DMP_DNS_RRL_RATE/)]);
    expect(configFromEnv({}).notices).toEqual([]);
  });

  it('UDP amplification: a 1 MB/s response byte budget per network and cookies by default', () => {
    expect(loadNodeConfig().dns).toMatchObject({
      responseBytesPerNetwork: 1_000_000,
      cookies: true,
    });
    const c = loadNodeConfig({
      env: { DMP_DNS_RESPONSE_BYTES_PER_NETWORK: '250000', DMP_DNS_COOKIES: '0' },
    });
    expect(c.dns).toMatchObject({ responseBytesPerNetwork: 250_000, cookies: false });
    // DMP_DNS_RATE/BURST = 0 switch the byte budget off too, unless it is set itself.
    for (const env of [{ DMP_DNS_RATE: '0' }, { DMP_DNS_BURST: '0', DMP_DNS_RRL_RATE: '50' }]) {
      expect(loadNodeConfig({ env }).dns.responseBytesPerNetwork).toBe(0);
    }
    const own = { DMP_DNS_RATE: '0', DMP_DNS_RESPONSE_BYTES_PER_NETWORK: '5000' };
    expect(loadNodeConfig({ env: own }).dns.responseBytesPerNetwork).toBe(5000);
    expect(loadNodeConfig({ env: { DMP_DNS_RATE: '50' } }).dns.responseBytesPerNetwork).toBe(
      1_000_000,
    );
    expect(() => loadNodeConfig({ env: { DMP_DNS_RESPONSE_BYTES_PER_NETWORK: '-1' } })).toThrow(
      /DMP_DNS_RESPONSE_BYTES_PER_NETWORK/,
    );
    expect(() => loadNodeConfig({ env: { DMP_DNS_COOKIES: 'maybe' } })).toThrow(/DMP_DNS_COOKIES/);
  });

  it('refuses loose TSIG scope while self-service registration is on', () => {
    const env = {
      DMP_REGISTRATION_ENABLED: '1',
      DMP_NODE_HOSTNAME: 'node.mesh.test',
      DMP_TSIG_LOOSE_SCOPE: '1',
    };
    expect(() => loadNodeConfig({ env })).toThrow(/LOOSE_SCOPE .*refused while registration/);
    expect(() => loadNodeConfig({ env: { ...env, DMP_REGISTRATION_ENABLED: '0' } })).not.toThrow();
  });

  it('refuses a weak operator token on a public HTTP bind, not on loopback', () => {
    const pub = { DMP_HTTP_HOST: '0.0.0.0', DMP_ALLOW_PUBLIC_BIND: '1' };
    for (const token of ['change-me', 'short-token']) {
      expect(() => loadNodeConfig({ env: { ...pub, DMP_OPERATOR_TOKEN: token } })).toThrow(
        /DMP_OPERATOR_TOKEN is too weak/,
      );
      expect(() => loadNodeConfig({ env: { DMP_OPERATOR_TOKEN: token } })).not.toThrow();
    }
    const strong = 'a3f9c2e17b6d4058'.repeat(2);
    expect(() => loadNodeConfig({ env: { ...pub, DMP_OPERATOR_TOKEN: strong } })).not.toThrow();
  });
});
