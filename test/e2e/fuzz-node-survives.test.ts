/**
 * Scenario: the live node survives hostile input. Over UDP at least 100,000
 * datagrams — random bytes and mutations of real packets (queries with and
 * without EDNS, TSIG-signed queries, signed UPDATEs, unsigned claim
 * UPDATEs): bit flips, byte overwrites, truncation, extension, inserted
 * compression pointers and label lengths, extreme section counts, spliced
 * packets — sent fire-and-forget with light pacing from four source
 * addresses in 127.0.1.0/24. Over TCP a few thousand connections: framed
 * mutations, framed garbage, unframed garbage, zero and maximal length
 * prefixes with short bodies, connect-and-drop. Both phases run to a fixed
 * count, not a clock; a generous wall-clock safety bound only stops a run
 * that cannot finish, and fails it loudly.
 *
 * Afterwards the process is alive, logged nothing at ERROR level (no
 * responder exception), answers dig and kdig correctly over UDP and TCP and
 * still accepts a signed UPDATE. The PRNG seed is printed (set
 * E2E_FUZZ_SEED to replay a run).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signWire } from '../../src/dns/tsig.js';
import { RRType } from '../../src/dns/wire/constants.js';
import { encodeMessage } from '../../src/dns/wire/message.js';
import { txtAdd, txtDelete, txtDeleteRRset, updateMessage } from '../../src/dns/wire/update.js';
import {
  cleanup,
  describeWith,
  dig,
  digTxt,
  type KeyMaterial,
  kdig,
  metric,
  mintKey,
  type NodeProcess,
  nsupdate,
  queryWire,
  signedUpdate,
  startNode,
  tcpExchange,
  tempDir,
  txtStringsFromHex,
} from './harness.js';

const ZONE = 'mesh.test';
/** E2E_FUZZ_UDP raises the count for a local soak run (the safety bound scales with it). */
const UDP_PACKETS = Math.max(100_000, Number(process.env.E2E_FUZZ_UDP ?? 0));
/**
 * Safety bounds only: each phase runs to its count, and these stop (and fail)
 * a run that cannot finish, far above what a loaded machine needs.
 */
const UDP_SAFETY_MS = (90_000 * UDP_PACKETS) / 100_000;
const TCP_CONNECTIONS = 4_000;
const TCP_MIN_MESSAGES = 2_000;
const TCP_SAFETY_MS = 90_000;
const TCP_CONCURRENCY = 24;
/** How long a connection may take to connect before it is dropped (a bound, not a pace). */
const TCP_CONNECT_GUARD_MS = 10_000;
/** How long a connected socket lingers for the node's reply or close. */
const TCP_LINGER_MS = 150;
/** Room for setup and the final metric scrape on top of a phase's safety bound. */
const PHASE_SLACK_MS = 30_000;
const SOURCES = ['127.0.1.1', '127.0.1.2', '127.0.1.3', '127.0.1.4'];

const seed = Number(process.env.E2E_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: small, fast, seedable. */
function prng(s: number) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(seed);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

function randomBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
}

/** Lengths skewed small, with some large ones. */
function randomLength(): number {
  const r = rand();
  if (r < 0.5) return int(32);
  if (r < 0.9) return int(600);
  return int(4096);
}

function mutate(src: Uint8Array, corpus: readonly Uint8Array[]): Buffer {
  let b: Buffer = Buffer.from(src);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const op = int(10);
    if (b.length === 0) b = randomBytes(1 + int(16));
    const at = int(b.length);
    switch (op) {
      case 0: // bit flips
        for (let k = 0, n = 1 + int(8); k < n; k++) b[int(b.length)]! ^= 1 << int(8);
        break;
      case 1: // byte overwrite with an interesting value
        b[at] = pick([0x00, 0xff, 0xc0, 0x3f, 0x40, 0x7f, 0x80, int(256)]);
        break;
      case 2: // truncate
        b = b.subarray(0, int(b.length + 1));
        break;
      case 3: // extend with garbage
        b = Buffer.concat([b, randomBytes(1 + int(64))]);
        break;
      case 4: // compression pointer, possibly self-referencing or forward
        if (b.length > 1) {
          b[at] = 0xc0 | int(4);
          b[(at + 1) % b.length] = pick([at & 0xff, 12, int(256), 0xff]);
        }
        break;
      case 5: // a section count set to an extreme
        if (b.length >= 12)
          b.writeUInt16BE(pick([0, 1, 2, 0x7fff, 0xffff, int(65536)]), 4 + 2 * int(4));
        break;
      case 6: // header flags/opcode scrambled (QR, opcode, rcode, Z)
        if (b.length >= 4) b.writeUInt16BE(int(65536), 2);
        break;
      case 7: // delete a range
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(16)))]);
        break;
      case 8: // insert random bytes
        b = Buffer.concat([b.subarray(0, at), randomBytes(1 + int(8)), b.subarray(at)]);
        break;
      default: // splice with another packet
        b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(corpus)).subarray(int(64))]);
    }
  }
  return b;
}

function buildCorpus(key: KeyMaterial): Uint8Array[] {
  const now = Math.floor(Date.now() / 1000);
  const names = [
    `stable.${ZONE}`,
    `FuZz.MeSh.TeSt`,
    `nothing.${ZONE}`,
    `slot-1.mb-0123456789ab.${ZONE}`,
    ZONE,
    'example.com',
    `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${ZONE}`,
  ];
  const types = [RRType.TXT, RRType.A, RRType.AAAA, RRType.SOA, RRType.NS, RRType.ANY, RRType.AXFR];
  const corpus: Uint8Array[] = [];
  for (const name of names) {
    for (const type of types) {
      corpus.push(queryWire(name, type, { edns: false }));
      corpus.push(queryWire(name, type, { edns: 1232 }));
    }
  }
  corpus.push(signWire(queryWire(`stable.${ZONE}`, RRType.TXT), key, { timeSigned: now }).wire);
  corpus.push(signWire(queryWire(`big.${ZONE}`, RRType.TXT), key, { timeSigned: now }).wire);
  // Signed UPDATEs touch only fuzz-* names, so a replay with a mutated ID
  // (the MAC covers the original ID, not the header's) cannot hit `stable`.
  corpus.push(signedUpdate(key, ZONE, [txtAdd(`fuzz-a.${ZONE}`, 300, 'x')]).wire);
  corpus.push(signedUpdate(key, ZONE, [txtDelete(`fuzz-a.${ZONE}`, 'x')]).wire);
  corpus.push(signedUpdate(key, ZONE, [txtDeleteRRset(`fuzz-b.${ZONE}`)]).wire);
  corpus.push(
    signedUpdate(key, ZONE, [txtAdd(`fuzz-c.${ZONE}`, 300, 'y'.repeat(400))], {
      timeSigned: now - 4000,
    }).wire,
  );
  corpus.push(
    encodeMessage(
      updateMessage({
        id: 77,
        zone: ZONE,
        updates: [txtAdd(`claim-1.mb-0123456789ab.${ZONE}`, 300, 'v=dmp1;t=claim;AAAA')],
      }),
    ),
  );
  return corpus;
}

function nextPacket(corpus: readonly Uint8Array[]): Buffer {
  return rand() < 0.3 ? randomBytes(randomLength()) : mutate(pick(corpus), corpus);
}

/** A UDP socket on `address`, or on 127.0.0.1 where only that loopback address exists. */
async function bindSocket(address: string): Promise<dgram.Socket> {
  for (const host of [address, '127.0.0.1']) {
    const s = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.bind(0, host, () => resolve(true));
    });
    if (ok) return s;
    try {
      s.close();
    } catch {
      // a failed bind may already have closed it
    }
  }
  throw new Error('cannot bind a UDP socket on loopback');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWith(['dig', 'kdig', 'nsupdate'], 'fuzz-node-survives', () => {
  let node: NodeProcess;
  let key: KeyMaterial;
  let corpus: Uint8Array[];
  const BIG = Array.from({ length: 20 }, (_, i) => `big-${i}-${'z'.repeat(90)}`);

  beforeAll(async () => {
    console.info(`[e2e] fuzz seed ${seed} (E2E_FUZZ_SEED=${seed} to replay)`);
    const dataDir = await tempDir();
    key = await mintKey(dataDir, ZONE, 'writer');
    node = await startNode({ dataDir, zone: ZONE, http: true });
    const r = await nsupdate(
      node.port,
      ZONE,
      [
        `update add stable.${ZONE} 300 TXT "still here"`,
        ...BIG.map((v) => `update add big.${ZONE} 300 TXT "${v}"`),
      ],
      { keyFile: key.file },
      { tcp: true },
    );
    expect(r.failure).toBeUndefined();
    corpus = buildCorpus(key);
  });
  afterAll(cleanup);

  it(`UDP: ${UDP_PACKETS} random and mutated datagrams`, {
    timeout: UDP_SAFETY_MS + PHASE_SLACK_MS,
  }, async () => {
    const sockets = await Promise.all(SOURCES.map(bindSocket));
    let replies = 0;
    for (const s of sockets) {
      s.on('message', () => {
        replies++;
      });
      s.on('error', () => {});
    }
    const started = Date.now();
    let sent = 0;
    try {
      while (sent < UDP_PACKETS) {
        if (Date.now() - started > UDP_SAFETY_MS) {
          throw new Error(
            `fuzz UDP: only ${sent} of ${UDP_PACKETS} datagrams sent within the ${UDP_SAFETY_MS / 1000} s safety bound`,
          );
        }
        for (let i = 0; i < 250 && sent < UDP_PACKETS; i++, sent++) {
          let p = nextPacket(corpus);
          if (p.length > 65_000) p = p.subarray(0, 65_000);
          sockets[sent % sockets.length]!.send(p, node.port, '127.0.0.1');
        }
        await sleep(8);
        if (!node.alive()) break;
      }
      await sleep(300);
    } finally {
      for (const s of sockets) s.close();
    }
    const secs = (Date.now() - started) / 1000;
    const handled = await metric(
      node,
      'dmp_dns_socket_events_total',
      'transport="udp",event="request"',
    );
    console.info(
      `[e2e] fuzz UDP: sent ${sent} in ${secs.toFixed(1)} s; node handled ${handled}, ${replies} replies`,
    );
    expect(node.alive()).toBe(true);
    expect(sent).toBeGreaterThanOrEqual(UDP_PACKETS);
  });

  it(`TCP: ${TCP_CONNECTIONS} connections of framed and unframed garbage`, {
    timeout: TCP_SAFETY_MS + PHASE_SLACK_MS,
  }, async () => {
    const started = Date.now();
    let opened = 0;
    let messages = 0;
    const oneConnection = () =>
      new Promise<void>((resolve) => {
        const socket = net.connect({ port: node.port, host: '127.0.0.1' });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const done = () => {
          clearTimeout(timer);
          socket.destroy();
          resolve();
        };
        // Every connection ends: on error or close, or after a bounded wait.
        timer = setTimeout(done, TCP_CONNECT_GUARD_MS);
        socket.on('error', done);
        socket.on('close', done);
        socket.on('data', () => {});
        socket.on('connect', () => {
          clearTimeout(timer);
          timer = setTimeout(done, TCP_LINGER_MS);
          const kind = int(7);
          const frame = (b: Uint8Array) => {
            const len = Buffer.alloc(2);
            len.writeUInt16BE(Math.min(b.length, 65535));
            return Buffer.concat([len, Buffer.from(b).subarray(0, 65535)]);
          };
          let out: Buffer;
          if (kind <= 1) {
            const n = 1 + int(4);
            out = Buffer.concat(Array.from({ length: n }, () => frame(nextPacket(corpus))));
            messages += n;
          } else if (kind === 2) {
            out = frame(randomBytes(randomLength()));
            messages++;
          } else if (kind === 3) {
            out = randomBytes(1 + randomLength()); // unframed
          } else if (kind === 4) {
            out = Buffer.from([0, 0]); // zero length
          } else if (kind === 5) {
            out = Buffer.concat([Buffer.from([0xff, 0xff]), randomBytes(int(200))]); // short body
          } else {
            socket.destroy(); // connect and drop
            return;
          }
          socket.end(out);
        });
      });
    const workers = Array.from({ length: TCP_CONCURRENCY }, async () => {
      while (opened < TCP_CONNECTIONS) {
        if (Date.now() - started > TCP_SAFETY_MS) {
          throw new Error(
            `fuzz TCP: only ${opened} of ${TCP_CONNECTIONS} connections made within the ${TCP_SAFETY_MS / 1000} s safety bound`,
          );
        }
        opened++;
        await oneConnection();
      }
    });
    await Promise.all(workers);
    const handled = await metric(
      node,
      'dmp_dns_socket_events_total',
      'transport="tcp",event="request"',
    );
    console.info(
      `[e2e] fuzz TCP: ${opened} connections, ${messages} framed messages sent, ${handled} handled, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(node.alive()).toBe(true);
    expect(opened).toBe(TCP_CONNECTIONS);
    expect(messages).toBeGreaterThanOrEqual(TCP_MIN_MESSAGES);
  });

  it('afterwards: alive, no ERROR logged, correct answers over UDP and TCP, writes work', async () => {
    expect(node.alive()).toBe(true);
    process.kill(node.pid, 0); // throws if the PID is gone
    const errors = node
      .output()
      .split('\n')
      .filter((l) => /\b(ERROR|FATAL)\b/.test(l));
    expect(errors, errors.slice(0, 5).join('\n')).toEqual([]);

    for (const transport of ['+notcp', '+tcp']) {
      const m = await dig(node.port, [`stable.${ZONE}`, 'TXT', transport]);
      expect(m.status).toBe('NOERROR');
      expect(m.flags).toContain('aa');
      expect(m.answer).toHaveLength(1);
      expect(m.answer[0]!.rdata).toBe('"still here"');
    }
    expect((await dig(node.port, [`missing.${ZONE}`, 'TXT'])).status).toBe('NXDOMAIN');
    const big = await kdig(node.port, [`big.${ZONE}`, 'TXT']);
    expect(
      (big.answerRRs ?? [])
        .map((rr) => Buffer.concat(txtStringsFromHex(rr.RDATAHEX!)).toString())
        .sort(),
    ).toEqual([...BIG].sort());
    const [tcp] = await tcpExchange(node.port, [queryWire(ZONE, RRType.SOA)]);
    expect(tcp!.length).toBeGreaterThan(12);

    const r = await nsupdate(node.port, ZONE, [`update add after-fuzz.${ZONE} 300 TXT "ok"`], {
      keyFile: key.file,
    });
    expect(r.failure).toBeUndefined();
    expect(await digTxt(node.port, `after-fuzz.${ZONE}`)).toEqual(['ok']);
  });
});
