/**
 * Scenario: durability. A client streams TSIG-signed UPDATEs (8 in flight
 * over UDP; each adds two values at its own name) and counts one as
 * acknowledged only when the reply is NOERROR with a TSIG that verifies.
 * After at least 200 acknowledgements (plus a random extra few, so the kill
 * lands at an arbitrary point) the node is killed with SIGKILL while
 * requests are still in flight, then restarted on the same data directory
 * (on a kernel-chosen port: durability is about the data, and a fixed port
 * could be taken by another process between the kill and the restart).
 * Every acknowledged UPDATE must be there in full — read over DNS from the
 * restarted node (pipelined TCP, plus dig spot checks) and from the sqlite
 * file after a clean stop — and no UPDATE may be half-applied (atomicity
 * survives the crash too). Response-rate limiting is off on this node
 * (DMP_DNS_RRL_RATE=0): a writer this fast from one address would
 * otherwise see replies dropped (the write itself still happens), which
 * only slows the stream down; see rrl-slips-truncated-replies.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyResponse } from '../../src/dns/tsig.js';
import { Rcode, RRType } from '../../src/dns/wire/constants.js';
import { txtAdd } from '../../src/dns/wire/update.js';
import { openNodeStores } from '../../src/node/store/sqlite/node-stores.js';
import {
  cleanup,
  decode,
  describeWith,
  digTxt,
  type KeyMaterial,
  mintKey,
  type NodeProcess,
  queryWire,
  signedUpdate,
  startNode,
  tcpExchange,
  tempDir,
} from './harness.js';

const ZONE = 'mesh.test';
const MIN_ACKS = 200;
const IN_FLIGHT = 8;
const MAX_SENDS = 3_000;
const STREAM_DEADLINE_MS = 20_000;
const REQUEST_TIMEOUT_MS = 1_500;
const NO_RRL = { DMP_DNS_RRL_RATE: '0' };

const nameOf = (i: number) => `dur-${i}.${ZONE}`;
const valuesOf = (i: number) => [`first-${i}`, `second-${i}`];

describeWith(['dig'], 'kill9-keeps-acknowledged-updates', () => {
  let node: NodeProcess;
  let key: KeyMaterial;
  let dataDir: string;
  const acked = new Set<number>();
  let sent = 0;

  beforeAll(async () => {
    dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'stream');
    node = await startNode({ dataDir, zone: ZONE, env: NO_RRL });
  });
  afterAll(cleanup);

  it(`streams signed UPDATEs and kill -9s the node after ≥ ${MIN_ACKS} acknowledgements`, async () => {
    const killAt = MIN_ACKS + Math.floor(Math.random() * 100);
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const pending = new Map<number, { i: number; mac: Uint8Array; resolve: () => void }>();
    socket.on('message', (msg: Buffer) => {
      const reply = new Uint8Array(msg);
      const id = (reply[0]! << 8) | reply[1]!;
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      const m = decode(reply);
      const ok =
        m.header.rcode === Rcode.NOERROR &&
        !m.header.tc &&
        verifyResponse(reply, key, p.mac, Math.floor(Date.now() / 1000)).status === 'ok';
      if (ok) acked.add(p.i);
      p.resolve();
    });

    let killed = false;
    const started = Date.now();
    const worker = async () => {
      while (!killed && sent < MAX_SENDS && Date.now() - started < STREAM_DEADLINE_MS) {
        const i = sent++;
        const id = i & 0xffff;
        const [a, b] = valuesOf(i);
        const req = signedUpdate(
          key,
          ZONE,
          [txtAdd(nameOf(i), 3600, a!), txtAdd(nameOf(i), 3600, b!)],
          {
            id,
          },
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            pending.delete(id);
            resolve();
          }, REQUEST_TIMEOUT_MS);
          pending.set(id, {
            i,
            mac: req.mac,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
          socket.send(req.wire, node.port, '127.0.0.1');
        });
        if (!killed && acked.size >= killAt) {
          killed = true;
          await node.kill9();
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    socket.close();
    console.info(
      `[e2e] durability: ${sent} sent, ${acked.size} acknowledged, SIGKILL at ${killAt}`,
    );
    expect(killed).toBe(true);
    expect(node.alive()).toBe(false);
    expect(node.child.signalCode).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(MIN_ACKS);
  });

  it('after a restart on the same data dir every acknowledged UPDATE is served in full', async () => {
    // Same data dir, as a service manager would restart it. The port is the
    // kernel's choice: reusing the old one could collide with another process
    // that took it in between, and durability does not depend on it.
    node = await startNode({ dataDir, zone: ZONE, env: NO_RRL });
    const indices = Array.from({ length: sent }, (_, i) => i);
    const served = new Map<number, string[]>();
    for (let from = 0; from < indices.length; from += 100) {
      const batch = indices.slice(from, from + 100);
      const replies = await tcpExchange(
        node.port,
        batch.map((i) => queryWire(nameOf(i), RRType.TXT, { id: i & 0xffff, edns: false })),
        { timeoutMs: 10_000 },
      );
      for (const reply of replies) {
        const m = decode(reply);
        const i = batch.find((j) => (j & 0xffff) === m.header.id)!;
        served.set(
          i,
          m.answers
            .filter((rr) => rr.data.kind === 'TXT')
            .map((rr) => Buffer.concat((rr.data as { strings: Uint8Array[] }).strings).toString())
            .sort(),
        );
      }
    }
    const missing = [...acked].filter((i) => served.get(i)?.join('|') !== valuesOf(i).join('|'));
    expect(
      missing,
      `acknowledged but not served in full: ${missing.slice(0, 10).join(', ')}`,
    ).toEqual([]);
    // Unacknowledged UPDATEs may or may not have landed — but never half.
    const half = indices.filter((i) => served.get(i)?.length === 1);
    expect(half).toEqual([]);
    // dig agrees on the first and the last acknowledged record.
    const ackedSorted = [...acked].sort((a, b) => a - b);
    for (const i of [ackedSorted[0]!, ackedSorted.at(-1)!]) {
      expect((await digTxt(node.port, nameOf(i))).sort()).toEqual(valuesOf(i));
    }
  });

  it('the sqlite file holds every acknowledged value (read after a clean stop)', async () => {
    await node.stop();
    expect(node.child.exitCode).toBe(0);
    const stores = openNodeStores(node.dbPath);
    try {
      const now = Math.floor(Date.now() / 1000);
      for (const i of acked) {
        expect([...stores.records.query(nameOf(i), now)].sort(), nameOf(i)).toEqual(valuesOf(i));
      }
    } finally {
      stores.close();
    }
  });
});
