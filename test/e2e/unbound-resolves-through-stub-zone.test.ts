/**
 * Scenario: a real recursive resolver in front of the node. unbound runs
 * with a stub-zone for the node's zone (mesh.local) pointing at the node,
 * 0x20 on (use-caps-for-id: replies whose question case differs are
 * dropped), QNAME minimisation on (its default) and caching on, as a
 * deployed resolver has it. Records published with nsupdate are resolved
 * through unbound with dig: a plain value, a deep name under DMP's empty
 * non-terminals, a >255-byte multi-string value, and an RRset too large for
 * UDP (unbound gets TC=1 from the node and must fetch it over TCP). A missing name comes back NXDOMAIN with the SOA, so resolvers
 * can cache the negative answer.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  describeWith,
  dig,
  mintKey,
  type NodeProcess,
  nsupdate,
  startNode,
  tempDir,
  txtValueOf,
} from './harness.js';
import { startUnbound } from './unbound-recursor.js';

const ZONE = 'mesh.local';
const LONG = `${'L'.repeat(255)}${'M'.repeat(145)}`;
const BIG = Array.from(
  { length: 30 },
  (_, i) => `big-${String(i).padStart(2, '0')}-${'q'.repeat(80)}`,
);

describeWith(['dig', 'nsupdate', 'unbound'], 'unbound-resolves-through-stub-zone', () => {
  let node: NodeProcess;
  let resolverPort: number;

  beforeAll(async () => {
    const dataDir = await tempDir();
    const key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE });
    const r = await nsupdate(
      node.port,
      ZONE,
      [
        `update add hello.${ZONE} 300 TXT "through unbound"`,
        `update add slot-3.mb-abcdefabcdef.${ZONE} 300 TXT "deep slot"`,
        `update add a.b.c.${ZONE} 300 TXT "arbitrary depth"`,
        `update add long.${ZONE} 300 TXT "${LONG.slice(0, 200)}" "${LONG.slice(200)}"`,
        ...BIG.map((v) => `update add big.${ZONE} 300 TXT "${v}"`),
      ],
      { keyFile: key.file },
      { tcp: true },
    );
    expect(r.failure).toBeUndefined();

    // Caching on: this scenario only reads names written before unbound starts.
    const unbound = await startUnbound([{ zone: ZONE, port: node.port }], { caching: true });
    resolverPort = unbound.port;
  });
  afterAll(cleanup);

  it('a published TXT record resolves through unbound (recursion available, not AA)', async () => {
    const m = await dig(resolverPort, [`hello.${ZONE}`, 'TXT']);
    expect(m.status).toBe('NOERROR');
    expect(m.flags).toContain('ra');
    expect(m.flags).not.toContain('aa');
    expect(m.answer.map((r) => txtValueOf(r.rdata))).toEqual(['through unbound']);
  });

  it('0x20: a mixed-case question resolves (unbound checks the echoed case)', async () => {
    const m = await dig(resolverPort, [`HeLLo.MeSh.LoCaL`, 'TXT']);
    expect(m.status).toBe('NOERROR');
    expect(m.answer.map((r) => txtValueOf(r.rdata))).toEqual(['through unbound']);
  });

  it('deep names resolve with QNAME minimisation on', async () => {
    const slot = await dig(resolverPort, [`slot-3.mb-abcdefabcdef.${ZONE}`, 'TXT']);
    expect(slot.status).toBe('NOERROR');
    expect(slot.answer.map((r) => txtValueOf(r.rdata))).toEqual(['deep slot']);
    const deep = await dig(resolverPort, [`a.b.c.${ZONE}`, 'TXT']);
    expect(deep.status).toBe('NOERROR');
    expect(deep.answer.map((r) => txtValueOf(r.rdata))).toEqual(['arbitrary depth']);
  });

  it('a multi-string value arrives joined-equal through unbound', async () => {
    const m = await dig(resolverPort, [`long.${ZONE}`, 'TXT']);
    expect(m.answer.map((r) => txtValueOf(r.rdata))).toEqual([LONG]);
  });

  it('an RRset too large for UDP: unbound fetches it over TCP and serves all of it', async () => {
    const m = await dig(resolverPort, [`big.${ZONE}`, 'TXT', '+tcp']);
    expect(m.status).toBe('NOERROR');
    expect(m.answer.map((r) => txtValueOf(r.rdata)).sort()).toEqual(BIG);
  });

  it('a missing name is NXDOMAIN with the SOA (negative answer cacheable)', async () => {
    const m = await dig(resolverPort, [`missing.${ZONE}`, 'TXT']);
    expect(m.status).toBe('NXDOMAIN');
    expect(m.authority.map((r) => r.type)).toEqual(['SOA']);
    expect(m.authority[0]!.ttl).toBeLessThanOrEqual(60);
  });

  it('the apex SOA and NS resolve', async () => {
    expect((await dig(resolverPort, [ZONE, 'SOA'])).answer[0]?.type).toBe('SOA');
    expect((await dig(resolverPort, [ZONE, 'NS'])).answer.map((r) => r.rdata)).toEqual([
      `ns1.${ZONE}.`,
    ]);
  });
});
