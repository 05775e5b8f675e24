/** The YAML file's schema check (file-check.ts) and its "did you mean" distance (edit-distance.ts). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestKeys, editDistance } from '../../../src/node/config/edit-distance.js';
import { checkConfigFile } from '../../../src/node/config/file-check.js';
import { loadNodeConfig } from '../../../src/node/config/load.js';
import { DEFAULT_NODE_CONFIG } from '../../../src/node/config/node-config.js';

describe('editDistance (optimal string alignment)', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions as one edit', () => {
    expect(editDistance('port', 'port')).toBe(0);
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('hots', 'host')).toBe(1);
    expect(editDistance('host', 'hosts')).toBe(1);
    expect(editDistance('ttl', 'tll')).toBe(1);
    expect(editDistance('port', 'host')).toBe(2);
    expect(editDistance('', 'zone')).toBe(4);
    expect(editDistance('ca', 'abc')).toBe(3);
  });

  it('is symmetric, zero only on equal strings, and at most the longer length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(editDistance(b, a)).toBe(d);
        expect(d === 0).toBe(a === b);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
      }),
    );
  });

  it('suggests only slips, forgiving case, _ and -', () => {
    expect(closestKeys('prot', ['hosts', 'port', 'ttl'])).toEqual(['port']);
    expect(closestKeys('max_ttl', ['maxTtl', 'maxRecords'])).toEqual(['maxTtl']);
    expect(closestKeys('Allow-Public-Bind', ['allowPublicBind'])).toEqual(['allowPublicBind']);
    expect(closestKeys('port', ['host'])).toEqual([]);
    expect(closestKeys('x', ['a', 'ns'])).toEqual(['a']);
    expect(closestKeys('registration', ['zone', 'dns'])).toEqual([]);
  });
});

describe('checkConfigFile', () => {
  it('accepts every key of a complete configuration, unchanged', () => {
    const full = {
      ...structuredClone(DEFAULT_NODE_CONFIG),
      apex: { a: '192.0.2.1', aaaa: '2001:db8::1', ns: 'ns1.x.test', soaRname: 'h.x.test' },
      http: { ...DEFAULT_NODE_CONFIG.http, trustedProxies: ['127.0.0.1'], allowedHosts: ['x'] },
      auth: { ...DEFAULT_NODE_CONFIG.auth, operatorToken: 'a-long-operator-token' },
      registration: { ...DEFAULT_NODE_CONFIG.registration, nodeHostname: 'x.test' },
    };
    const r = checkConfigFile(full);
    expect(r.problems).toEqual([]);
    expect(r.config).toEqual(full);
  });

  it('names the key, the type and the value of each wrong one, and keeps only the right ones', () => {
    const r = checkConfigFile({
      zone: 42,
      dns: { hosts: ['127.0.0.1', 53], port: 5300, cookies: 'on' },
      registration: { allowlist: 'a.test, b.test', enabled: null },
      caps: { maxTtl: Number.POSITIVE_INFINITY },
      auth: { mode: 'closed' },
      update: { budgets: { perKey: { burst: '10' } } },
    });
    expect(r.problems).toEqual([
      'zone: expected a string, got 42 (quote it if you mean the text: "42")',
      'dns.hosts: expected a list of strings, got the list ["127.0.0.1",53] (item 2, 53, is not a string: quote it)',
      'dns.cookies: expected true or false, got "on" (a string: write true)',
      'registration.allowlist: expected a list of strings, got "a.test, b.test" (write a list: ["a.test", "b.test"])',
      'registration.enabled: expected true or false, got nothing (an empty value)',
      'caps.maxTtl: expected a number, got null',
      'auth.mode: expected one of open, legacy, multi-tenant, got "closed"',
      'update.budgets.perKey.burst: expected a number, got "10" (a quoted string: write 10 without quotes)',
    ]);
    expect(r.config).toEqual({ dns: { port: 5300 } });
  });

  it('refuses unknown keys: the closest sibling, the same name elsewhere, or the keys there are', () => {
    const r = checkConfigFile({
      dns: { prot: 1, enabled: true, wibble: 1 },
      hosts: ['::1'],
      ...JSON.parse('{"__proto__": {"zone": "x"}}'),
    });
    expect(r.problems).toEqual([
      'dns.prot: unknown key; did you mean dns.port?',
      'dns.enabled: unknown key; did you mean http.enabled, update.enabled, registration.enabled or heartbeat.enabled?',
      'dns.wibble: unknown key (keys of dns: hosts, port, ttl, rrlResponsesPerSecond, rrlSlip, ' +
        'responseBytesPerNetwork, cookies, maxTcpConnections, tcpIdleTimeoutMs)',
      'hosts: unknown key; did you mean dns.hosts?',
      expect.stringMatching(/^__proto__: unknown key \(top-level keys: dataDir, dbPath, store, /),
    ]);
  });

  it('takes an empty section as empty, and refuses a value where a section belongs', () => {
    expect(checkConfigFile({ apex: null })).toEqual({ config: {}, problems: [] });
    expect(checkConfigFile({ dns: [1] }).problems).toEqual([
      'dns: expected a section (keys hosts, port, ttl, rrlResponsesPerSecond, rrlSlip, ' +
        'responseBytesPerNetwork, cookies, maxTcpConnections, tcpIdleTimeoutMs), got the list [1]',
    ]);
  });
});

describe('loadNodeConfig with a file', () => {
  const write = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'dnsmesh-config-')), 'node.yaml');
    writeFileSync(file, text);
    return file;
  };

  it('prefixes each problem with the file and still checks the other layers', () => {
    const file = write('http:\n  enabled: "false"\n');
    expect(() => loadNodeConfig({ file, env: { DMP_DNS_PORT: 'x' } })).toThrow(
      new RegExp(
        `${file}: http\\.enabled: expected true or false.*\\n.*DMP_DNS_PORT: not a number`,
      ),
    );
  });

  it('loads the example of docs/configuration.md', () => {
    const doc = readFileSync(
      resolve(import.meta.dirname, '../../../docs/configuration.md'),
      'utf8',
    );
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const c = loadNodeConfig({ file: write(example) });
    expect(c.zone).toBe('mesh.example.com');
    expect(c.dns).toMatchObject({ hosts: ['0.0.0.0', '::'], port: 53 });
    expect(c.registration).toMatchObject({ enabled: true, nodeHostname: 'mesh.example.com' });
  });
});
