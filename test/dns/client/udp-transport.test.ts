/**
 * UdpTransport (RFC 1035 §4.2.1, RFC 5452, RFC 6891): the shared compliance
 * suite plus UDP-only behaviour — TC fallback, retransmission on fresh
 * ports and ids, late replies, 0x20, EDNS and off-path spoofing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsTruncatedError } from '../../../src/dns/client/errors.js';
import { queryMessage } from '../../../src/dns/client/request.js';
import { txtValuesFor } from '../../../src/dns/client/txt-answer.js';
import { UdpTransport } from '../../../src/dns/client/udp-transport.js';
import { RRType } from '../../../src/dns/wire/constants.js';
import { findEdns } from '../../../src/dns/wire/edns.js';
import { encodeMessage } from '../../../src/dns/wire/message.js';
import { answerTo, FaultServer, txtRecord } from './fault-server.js';
import { COMPLIANCE_ZONE, describeTransportCompliance } from './transport-compliance.js';
import { haveTool, startUnbound, UNBOUND, type UnboundInstance } from './unbound.js';

describeTransportCompliance('udp', () => new UdpTransport());

describe('UdpTransport specifics', () => {
  let fault: FaultServer;
  beforeAll(async () => {
    fault = await FaultServer.start(() => ({ kind: 'drop' }));
  });
  afterAll(async () => {
    await fault.close();
  });
  const q = (name: string) => queryMessage(name, RRType.TXT);

  it('retries a truncated reply over TCP with the same octets', async () => {
    fault.requests.length = 0;
    fault.handler = (r) =>
      r.protocol === 'udp'
        ? { kind: 'reply', message: answerTo(r.message!, { tc: true }) }
        : {
            kind: 'reply',
            message: answerTo(r.message!, {
              answers: [txtRecord(r.message!.questions[0]!.name, 'full')],
            }),
          };
    const reply = await new UdpTransport().exchange(q('tc.mesh.test'), {
      server: fault.server,
      timeoutMs: 2000,
    });
    expect(reply.protocol).toBe('tcp');
    expect(txtValuesFor(reply, 'tc.mesh.test')).toEqual(['full']);
    const [udp] = fault.seen('udp');
    const [tcp] = fault.seen('tcp');
    expect(tcp!.wire).toEqual(udp!.wire);
  });

  it('rejects a truncated reply when TCP fallback is off', async () => {
    fault.handler = (r) => ({ kind: 'reply', message: answerTo(r.message!, { tc: true }) });
    const err = await new UdpTransport({ tcpFallback: null })
      .exchange(q('tc.mesh.test'), { server: fault.server, timeoutMs: 5000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsTruncatedError);
    expect((err as Error).message).toContain(`127.0.0.1:${fault.port}`);
  });

  it('retransmits on a new source port with a new id, and accepts the retry', async () => {
    fault.requests.length = 0;
    let n = 0;
    fault.handler = (r) =>
      n++ === 0 ? { kind: 'drop' } : { kind: 'reply', message: answerTo(r.message!) };
    const started = Date.now();
    // 10 attempts over 3000 ms keeps the 300 ms retry interval while leaving
    // nine retries, so a stalled event loop cannot exhaust the budget.
    await new UdpTransport({ attempts: 10 }).exchange(q('lossy.mesh.test'), {
      server: fault.server,
      timeoutMs: 3000,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const [a, b] = fault.seen('udp');
    expect(a!.port).not.toBe(b!.port);
    expect(a!.message!.header.id).not.toBe(b!.message!.header.id);
  });

  it('accepts a late reply to an earlier attempt', async () => {
    fault.requests.length = 0;
    let n = 0;
    fault.handler = (r) =>
      n++ === 0
        ? {
            kind: 'delay',
            ms: 450,
            action: {
              kind: 'reply',
              message: answerTo(r.message!, {
                answers: [txtRecord(r.message!.questions[0]!.name, 'first')],
              }),
            },
          }
        : { kind: 'drop' };
    // 10 attempts over 4000 ms keeps the 400 ms retry interval (so attempt 2
    // goes out before the 450 ms late reply) with a budget a pause cannot use up.
    const reply = await new UdpTransport({ attempts: 10 }).exchange(q('late.mesh.test'), {
      server: fault.server,
      timeoutMs: 4000,
    });
    expect(txtValuesFor(reply, 'late.mesh.test')).toEqual(['first']);
    expect(fault.seen('udp').length).toBeGreaterThanOrEqual(2);
  });

  it('randomises question case (0x20) and falls back at once when a server lower-cases it', async () => {
    fault.requests.length = 0;
    fault.handler = (r) => ({ kind: 'reply', message: answerTo(r.message!) });
    const name = 'abcdefghijklmnopqrstuvwxyz.mesh.test';
    await new UdpTransport().exchange(q(name), { server: fault.server, timeoutMs: 5000 });
    const sent = fault.seen('udp')[0]!.message!.questions[0]!.name;
    expect(sent.toLowerCase()).toBe(name);
    expect(sent).not.toBe(name);

    fault.requests.length = 0;
    fault.handler = (r) => {
      const m = answerTo(r.message!);
      return {
        kind: 'reply',
        message: {
          ...m,
          questions: m.questions.map((x) => ({ ...x, name: x.name.toLowerCase() })),
        },
      };
    };
    // The retry interval is 30 s, so finishing well inside it proves the
    // plain-case retry went out at once rather than on the retry timer.
    const started = Date.now();
    const reply = await new UdpTransport({ attempts: 2 }).exchange(q(name), {
      server: fault.server,
      timeoutMs: 60_000,
    });
    expect(reply.questions[0]!.name).toBe(name);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fault.seen('udp')[1]!.message!.questions[0]!.name).toBe(name);
  });

  it('advertises EDNS(0) with 1232 octets unless disabled', async () => {
    fault.requests.length = 0;
    fault.handler = (r) => ({ kind: 'reply', message: answerTo(r.message!) });
    await new UdpTransport().exchange(q('edns.mesh.test'), {
      server: fault.server,
      timeoutMs: 5000,
    });
    await new UdpTransport({ ednsUdpSize: 0 }).exchange(q('edns.mesh.test'), {
      server: fault.server,
      timeoutMs: 5000,
    });
    const [withOpt, without] = fault.seen('udp');
    expect(findEdns(withOpt!.message!)?.udpSize).toBe(1232);
    expect(findEdns(without!.message!)).toBeUndefined();
  });

  it('never hears an off-path spoof sent from another port', async () => {
    fault.handler = (r) => {
      const forged = encodeMessage(
        answerTo(r.message!, { answers: [txtRecord(r.message!.questions[0]!.name, 'forged')] }),
      );
      const good = answerTo(r.message!, {
        answers: [txtRecord(r.message!.questions[0]!.name, 'genuine')],
      });
      return [
        { kind: 'spoof', wire: forged },
        { kind: 'delay', ms: 50, action: { kind: 'reply', message: good } },
      ];
    };
    const reply = await new UdpTransport().exchange(q('spoof.mesh.test'), {
      server: fault.server,
      timeoutMs: 5000,
    });
    expect(txtValuesFor(reply, 'spoof.mesh.test')).toEqual(['genuine']);
  });
});

describe.runIf(haveTool(UNBOUND))('UdpTransport against unbound', () => {
  let unbound: UnboundInstance;
  beforeAll(async () => {
    unbound = await startUnbound(COMPLIANCE_ZONE);
  });
  afterAll(async () => {
    await unbound?.stop();
  });

  it('gets TC=1 for a 3 KB RRset at EDNS 1232 and completes it over TCP', async () => {
    const server = unbound.servers[0]!;
    const query = queryMessage('big.mesh.test', RRType.TXT);
    const reply = await new UdpTransport().exchange(query, { server, timeoutMs: 2000 });
    expect(reply.protocol).toBe('tcp');
    const err = await new UdpTransport({ tcpFallback: null })
      .exchange(query, { server, timeoutMs: 2000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsTruncatedError);
    const small = await new UdpTransport().exchange(queryMessage('one.mesh.test', RRType.TXT), {
      server,
      timeoutMs: 2000,
    });
    expect(small.protocol).toBe('udp');
  });
});
