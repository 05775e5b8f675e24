/**
 * Attack regression (hardening): response-rate limiting must never swallow
 * the reply to an authenticated write. Before the fix, every UPDATE reply of
 * a client network shared one RRL bucket (200/s by default): a writer
 * publishing faster than that lost replies whose writes had been applied,
 * timed out, and fell to a tenth of its speed.
 *
 * One nsupdate process sends 5,000 TSIG-signed UPDATEs over UDP, one after
 * the other, each as soon as the previous reply arrived. Every one must be
 * answered NOERROR, every value stored, and the node's RRL and response byte
 * budget must have dropped or slipped nothing. UPDATE/s is printed for the record (never asserted).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  describeWith,
  type KeyMaterial,
  metric,
  mintKey,
  type NodeProcess,
  run,
  startNode,
  tcpTxt,
  tempDir,
  toolPath,
} from './harness.js';

const ZONE = 'mesh.test';
const WRITES = 5_000;

describeWith(['nsupdate'], 'rrl-never-drops-authenticated-writes', () => {
  let node: NodeProcess;
  let key: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE, http: true });
  });
  afterAll(cleanup);

  it(`${WRITES} signed UPDATEs in a row: every reply arrives, nothing rate-limited`, async () => {
    const lines = [`server 127.0.0.1 ${node.port}`, `zone ${ZONE}`];
    for (let i = 0; i < WRITES; i++) {
      lines.push(`update add w${i % 100}.${ZONE} 300 TXT "v${i}"`, 'send');
    }
    const started = performance.now();
    // -r 0: a lost reply fails the send instead of being retried (-u 15: a
    // loaded machine may be slow to answer, which is not what is tested; the
    // RRL counters below prove that no reply was withheld).
    const r = await run(toolPath('nsupdate')!, ['-k', key.file, '-u', '15', '-r', '0'], {
      input: `${lines.join('\n')}\n`,
      timeoutMs: 150_000,
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `[rrl] ${WRITES} serial TSIG UPDATEs over UDP in ${seconds.toFixed(1)} s = ${Math.round(WRITES / seconds)} UPDATE/s`,
    );
    expect(r.timedOut).toBe(false);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/timed out|failed|refused/i);
    expect(r.code).toBe(0);
    expect(await metric(node, 'dmp_dns_rrl_responses', 'action="dropped"')).toBe(0);
    expect(await metric(node, 'dmp_dns_rrl_responses', 'action="slipped"')).toBe(0);
    // Nor the per-network response byte budget (UPDATE replies are exempt).
    expect(await metric(node, 'dmp_dns_socket_events_total', 'event="budget-drop"')).toBe(0);
    expect(await metric(node, 'dmp_dns_socket_events_total', 'event="budget-slip"')).toBe(0);
    let stored = 0;
    for (let n = 0; n < 100; n++)
      stored += (await tcpTxt(node.port, `w${n}.${ZONE}`)).values.length;
    expect(stored).toBe(WRITES);
  }, 180_000);
});
