/**
 * Scenario: a TSIG-signed query (dig -y, kdig -y with a key from
 * `dnsmesh-node key add`) gets a TSIG-signed answer that the tool verifies,
 * whatever the outcome — data, NODATA, NXDOMAIN, REFUSED — over UDP and TCP
 * (RFC 8945 §5.3: the request MAC is chained into the response MAC).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  describeWith,
  dig,
  type KeyMaterial,
  kdigRun,
  mintKey,
  type NodeProcess,
  nsupdate,
  startNode,
  tempDir,
} from './harness.js';

const ZONE = 'mesh.test';
const QUERIES: [string, string, string][] = [
  [`data.${ZONE}`, 'TXT', 'NOERROR'],
  [`data.${ZONE}`, 'A', 'NOERROR'],
  [`none.${ZONE}`, 'TXT', 'NXDOMAIN'],
  ['example.com', 'TXT', 'REFUSED'],
  [ZONE, 'SOA', 'NOERROR'],
];
/** What dig / kdig print when a response's TSIG does not verify. */
const VERIFY_FAILURE =
  /couldn't verify|could not be validated|tsig verify failure|expected a TSIG|failed to verify/i;

describeWith(['dig', 'kdig', 'nsupdate'], 'signed-queries-get-verified-answers', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'reader');
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(node.port, ZONE, [`update add data.${ZONE} 300 TXT "signed"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
  });
  afterAll(cleanup);

  for (const transport of ['+notcp', '+tcp']) {
    for (const [name, type, status] of QUERIES) {
      it(`dig -y ${name} ${type} ${transport}: ${status}, signed and verified`, async () => {
        const m = await dig(node.port, ['-y', key.y, name, type, transport]);
        expect(m.status).toBe(status);
        expect(m.tsig).toBeDefined();
        expect(m.tsig!.type).toBe('TSIG');
        expect(m.tsig!.rdata).toMatch(/ NOERROR 0\s*$/);
        expect(m.text).not.toMatch(VERIFY_FAILURE);
      });

      it(`kdig -y ${name} ${type} ${transport}: verified`, async () => {
        const r = await kdigRun(node.port, ['-y', key.y, name, type, transport]);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`status: ${status}`);
        expect(r.stdout).toMatch(/TSIG PSEUDOSECTION/);
        expect(r.stdout + r.stderr).not.toMatch(VERIFY_FAILURE);
      });
    }

    it(`control: a wrong secret is caught by the same check (${transport})`, async () => {
      const wrong = key.y.replace(/:[^:]+$/, `:${Buffer.alloc(32, 7).toString('base64')}`);
      const m = await dig(node.port, ['-y', wrong, `data.${ZONE}`, 'TXT', transport]);
      expect(m.text).toMatch(VERIFY_FAILURE);
      const r = await kdigRun(node.port, ['-y', wrong, `data.${ZONE}`, 'TXT', transport]);
      expect(r.stdout + r.stderr).toMatch(VERIFY_FAILURE);
    });
  }
});
