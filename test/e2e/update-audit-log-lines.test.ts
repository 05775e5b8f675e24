/**
 * Scenario: the node's UPDATE audit log, read from the real daemon's output
 * with `DMP_LOG_FORMAT=json`.
 *
 * - nsupdate applies one UPDATE with a key scoped to alice.<zone>: one
 *   `info` line, outcome `applied`, RCODE NOERROR, the key, the client
 *   address, transport, the owner name — and neither the value nor the key's
 *   secret anywhere in the output.
 * - the same key writing bob.<zone> is refused: one `warn` line, outcome
 *   `scope`, RCODE REFUSED.
 * - a flood of 600 unsigned UPDATEs from one socket, refused (not claims:
 *   `claim-refused`, info; past the network's claim budget: `over-budget`,
 *   warn): at most the line budget (a burst of 50, then 5 a second) is
 *   written one by one, and `warn` summaries add up the rest, so lines plus
 *   summaries account, outcome by outcome, for every refusal the metrics
 *   counted.
 * - every line the node printed is JSON with a string level.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rcode } from '../../src/dns/wire/constants.js';
import { encodeMessage } from '../../src/dns/wire/message.js';
import { txtAdd, updateMessage } from '../../src/dns/wire/update.js';
import {
  cleanup,
  decode,
  describeWith,
  freshId,
  type KeyMaterial,
  metric,
  mintKey,
  type NodeProcess,
  nsupdate,
  signedUpdate,
  startNode,
  tempDir,
  udpExchange,
  waitFor,
} from './harness.js';

const ZONE = 'mesh.test';
const FLOOD = 600;
type Line = Record<string, unknown>;

function lines(node: NodeProcess): Line[] {
  return node
    .output()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);
}

const audit = (node: NodeProcess) => lines(node).filter((l) => l.audit === 'update');

describeWith(['nsupdate'], 'update-audit-log-lines', () => {
  let node: NodeProcess;
  let key: KeyMaterial;
  let keyName: string;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'alice', [`alice.${ZONE}`]);
    keyName = key.name.toLowerCase().replace(/\.$/, '');
    node = await startNode({ dataDir, zone: ZONE, http: true, env: { DMP_LOG_FORMAT: 'json' } });
  });
  afterAll(cleanup);

  it('an applied UPDATE: one info line with key, client, names; no value, no secret', async () => {
    const r = await nsupdate(node.port, ZONE, [`update add alice.${ZONE} 300 TXT "v-e2e-value"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
    await waitFor(() => audit(node).length === 1, 5_000, 'the applied line');
    expect(audit(node)[0]).toEqual({
      level: 'info',
      time: expect.any(String),
      msg: 'DNS UPDATE applied',
      audit: 'update',
      outcome: 'applied',
      rcode: 'NOERROR',
      key: keyName,
      client: '127.0.0.1',
      transport: 'udp',
      names: [`alice.${ZONE}`],
      nameCount: 1,
    });
    const out = node.output();
    expect(out).not.toContain('v-e2e-value');
    expect(out).not.toContain(Buffer.from(key.secret).toString('base64'));
  });

  it('a refused UPDATE: one warn line naming the outcome', async () => {
    const req = signedUpdate(key, ZONE, [txtAdd(`bob.${ZONE}`, 300, 'not yours')]);
    expect(decode((await udpExchange(node.port, req.wire))!).header.rcode).toBe(Rcode.REFUSED);
    await waitFor(() => audit(node).length === 2, 5_000, 'the refused line');
    expect(audit(node)[1]).toMatchObject({
      level: 'warn',
      msg: 'DNS UPDATE scope',
      outcome: 'scope',
      rcode: 'REFUSED',
      key: keyName,
      client: '127.0.0.1',
      transport: 'udp',
      names: [`bob.${ZONE}`],
      nameCount: 1,
    });
  });

  it(`a flood of ${FLOOD} refused unsigned UPDATEs: at most the line budget, the rest summed up`, async () => {
    const before = audit(node).length;
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    let replies = 0;
    socket.on('message', () => replies++);
    const started = Date.now();
    for (let i = 0; i < FLOOD; i++) {
      const msg = updateMessage({
        id: freshId(),
        zone: ZONE,
        updates: [txtAdd(`n${i}.${ZONE}`, 300, 'anon')],
      });
      socket.send(encodeMessage(msg), node.port, '127.0.0.1');
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5)); // spare the socket buffers
    }
    await waitFor(() => replies === FLOOD, 10_000, 'the flood replies').catch(() => {});
    const elapsed = (Date.now() - started) / 1000;
    socket.close();
    // Not claims: refused, the first 50 as such, the rest by the network's
    // claim budget (5/s, burst 50) before any other check.
    const notClaims = await metric(node, 'dmp_dns_updates_total', 'outcome="claim-refused"');
    const overBudget = await metric(node, 'dmp_dns_updates_total', 'outcome="over-budget"');
    const refused = notClaims + overBudget;
    expect(refused).toBeGreaterThan(FLOOD * 0.9);

    const summed = () =>
      audit(node)
        .filter((l) => l.suppressed !== undefined)
        .reduce((n, l) => n + (l.suppressed as number), 0);
    const oneByOne = () =>
      audit(node)
        .slice(before)
        .filter((l) => l.outcome !== undefined);
    await waitFor(() => oneByOne().length + summed() === refused, 15_000, 'the summary line');

    const written = oneByOne();
    expect(written.length).toBeGreaterThanOrEqual(50);
    expect(written.length).toBeLessThanOrEqual(50 + Math.ceil(5 * (elapsed + 1)));
    for (const l of written) {
      expect(l).toMatchObject({ key: 'unsigned', client: '127.0.0.0/24', rcode: 'REFUSED' });
      expect([l.outcome, l.level]).toEqual(
        l.outcome === 'claim-refused' ? ['claim-refused', 'info'] : ['over-budget', 'warn'],
      );
    }
    const summaries = audit(node).filter((l) => l.suppressed !== undefined);
    for (const summary of summaries) {
      expect(summary).toMatchObject({
        level: 'warn',
        budget: 'unsigned',
        clients: { '127.0.0.0/24': summary.suppressed },
      });
    }
    const byOutcome = (outcome: string) =>
      written.filter((l) => l.outcome === outcome).length +
      summaries.reduce((n, l) => n + ((l.outcomes as Record<string, number>)[outcome] ?? 0), 0);
    expect([byOutcome('claim-refused'), byOutcome('over-budget')]).toEqual([notClaims, overBudget]);
    console.log(
      `[update-audit] ${refused} refused unsigned UPDATEs in ${elapsed.toFixed(2)} s: ` +
        `${written.length} lines written, ${summed()} summed up`,
    );
  });

  it('every line the node printed is JSON with a string level', () => {
    const all = lines(node);
    expect(all.length).toBeGreaterThan(3);
    for (const l of all) expect(['debug', 'info', 'warn', 'error']).toContain(l.level);
  });
});
