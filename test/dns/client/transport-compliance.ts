/**
 * Compliance suite every `DnsTransport` must pass (UDP, TCP, and later DoH),
 * in the style of libp2p's interface compliance tests: the same behaviour
 * is required of every implementation, checked against a real `unbound`
 * and against in-test fault servers.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DnsAbortedError,
  DnsConnectionError,
  DnsMalformedReplyError,
  DnsTimeoutError,
  DnsTransportError,
} from '../../../src/dns/client/errors.js';
import { queryMessage } from '../../../src/dns/client/request.js';
import type { DnsReply, DnsTransport } from '../../../src/dns/client/transport.js';
import { txtValuesFor } from '../../../src/dns/client/txt-answer.js';
import { tsigFailureStub } from '../../../src/dns/tsig.js';
import { Opcode, Rcode, RRType } from '../../../src/dns/wire/constants.js';
import { makeHeader } from '../../../src/dns/wire/header.js';
import { decodeMessage, encodeMessage } from '../../../src/dns/wire/message.js';
import { txtAdd, updateMessage } from '../../../src/dns/wire/update.js';
import { answerTo, deadPort, FaultServer, txtRecord } from './fault-server.js';
import { haveTool, startUnbound, txtData, UNBOUND, type UnboundInstance } from './unbound.js';

const BIG_COUNT = 12;

/** Local data served by unbound for the suite. */
export const COMPLIANCE_ZONE = {
  zones: [['mesh.test.', 'static']] as const,
  data: [
    'mesh.test. 60 IN SOA ns.mesh.test. admin.mesh.test. 1 3600 600 604800 60',
    'one.mesh.test. 60 IN TXT "hello"',
    'two.mesh.test. 60 IN TXT "abc" "def"',
    'a.mesh.test. 60 IN A 192.0.2.1',
    ...Array.from({ length: BIG_COUNT }, (_, i) =>
      txtData('big.mesh.test', `${i}`.padEnd(250, 'x')),
    ),
    ...Array.from({ length: 10 }, (_, i) => txtData(`n${i}.mesh.test`, `value-${i}`)),
  ],
};

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function txt(name: string) {
  return queryMessage(name, RRType.TXT);
}

/**
 * Registers the suite. `make` builds a fresh transport for each test.
 */
export function describeTransportCompliance(label: string, make: () => DnsTransport): void {
  const hasUnbound = haveTool(UNBOUND);

  describe(`DnsTransport compliance: ${label}`, () => {
    let unbound: UnboundInstance | undefined;
    let fault: FaultServer;

    beforeAll(async () => {
      fault = await FaultServer.start(() => ({ kind: 'drop' }));
      if (hasUnbound) unbound = await startUnbound(COMPLIANCE_ZONE);
    });
    afterAll(async () => {
      await fault?.close();
      await unbound?.stop();
    });

    const real = () => unbound!.servers[0]!;
    const itReal = hasUnbound ? it : it.skip;

    itReal('answers a TXT query from unbound, multi-string values joined', async () => {
      const reply = await make().exchange(txt('two.mesh.test'), {
        server: real(),
        timeoutMs: 2000,
      });
      expect(reply.header.rcode).toBe(Rcode.NOERROR);
      expect(txtValuesFor(reply, 'two.mesh.test')).toEqual(['abcdef']);
      expect(reply.server).toBe(`127.0.0.1:${real().port}`);
      const redecoded = decodeMessage(reply.wire);
      expect(redecoded.ok && redecoded.value.header.id).toBe(reply.header.id);
      expect(reply.rttMs).toBeGreaterThanOrEqual(0);
    });

    itReal('resolves NXDOMAIN, NODATA and REFUSED replies instead of rejecting', async () => {
      const t = make();
      const opts = { server: real(), timeoutMs: 2000 };
      expect((await t.exchange(txt('nope.mesh.test'), opts)).header.rcode).toBe(Rcode.NXDOMAIN);
      const nodata = await t.exchange(txt('a.mesh.test'), opts);
      expect(nodata.header.rcode).toBe(Rcode.NOERROR);
      expect(nodata.answers).toHaveLength(0);
      expect((await t.exchange(txt('example.org'), opts)).header.rcode).toBe(Rcode.REFUSED);
    });

    itReal('returns a complete RRset larger than the EDNS UDP size', async () => {
      const reply = await make().exchange(txt('big.mesh.test'), {
        server: real(),
        timeoutMs: 3000,
      });
      expect(reply.header.tc).toBe(false);
      const values = txtValuesFor(reply, 'big.mesh.test');
      expect(values).toHaveLength(BIG_COUNT);
      expect(values.every((v) => v.length === 250)).toBe(true);
    });

    itReal('keeps concurrent exchanges apart', async () => {
      const t = make();
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          t.exchange(txt(`n${i}.mesh.test`), { server: real(), timeoutMs: 3000 }),
        ),
      );
      expect(replies.map((r, i) => txtValuesFor(r, `n${i}.mesh.test`))).toEqual(
        replies.map((_, i) => [`value-${i}`]),
      );
    });

    it('sends pre-encoded octets unchanged and keeps their id', async () => {
      const wire = encodeMessage({
        ...txt('raw.mesh.test'),
        header: makeHeader({ id: 4242, rd: true }),
      });
      fault.requests.length = 0;
      fault.handler = (r) => ({ kind: 'reply', message: answerTo(r.message!) });
      const reply = await make().exchange(wire, { server: fault.server, timeoutMs: 2000 });
      expect(reply.header.id).toBe(4242);
      expect(fault.requests[fault.requests.length - 1]!.wire).toEqual(wire);
    });

    it('gives message requests fresh random ids', async () => {
      fault.requests.length = 0;
      fault.handler = (r) => ({ kind: 'reply', message: answerTo(r.message!) });
      const t = make();
      for (let i = 0; i < 8; i++) {
        await t.exchange(txt('id.mesh.test'), { server: fault.server, timeoutMs: 2000 });
      }
      const ids = new Set(fault.requests.map((r) => r.message!.header.id));
      expect(ids.size).toBeGreaterThanOrEqual(7);
    });

    it('times out with DnsTimeoutError naming host:port, within the budget', async () => {
      fault.handler = () => ({ kind: 'drop' });
      const err = await rejection(
        make().exchange(txt('silent.mesh.test'), { server: fault.server, timeoutMs: 300 }),
      );
      expect(err).toBeInstanceOf(DnsTimeoutError);
      expect((err as Error).message).toContain(`127.0.0.1:${fault.port}`);
    });

    it('waits for a slow server inside the budget', async () => {
      fault.handler = (r) => ({
        kind: 'delay',
        ms: 120,
        action: { kind: 'reply', message: answerTo(r.message!) },
      });
      const reply = await make().exchange(txt('slow.mesh.test'), {
        server: fault.server,
        timeoutMs: 2000,
      });
      expect(reply.rttMs).toBeGreaterThanOrEqual(100);
    });

    it('aborts promptly with DnsAbortedError, and before sending when already aborted', async () => {
      fault.handler = () => ({ kind: 'drop' });
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(), 50);
      const err = await rejection(
        make().exchange(txt('abort.mesh.test'), {
          server: fault.server,
          timeoutMs: 5000,
          signal: ctl.signal,
        }),
      );
      expect(err).toBeInstanceOf(DnsAbortedError);
      fault.requests.length = 0;
      const early = await rejection(
        make().exchange(txt('abort.mesh.test'), {
          server: fault.server,
          timeoutMs: 5000,
          signal: ctl.signal,
        }),
      );
      expect(early).toBeInstanceOf(DnsAbortedError);
      await new Promise((r) => setTimeout(r, 50));
      expect(fault.requests).toHaveLength(0);
    });

    it('reports connection refused when nothing listens', async () => {
      const port = await deadPort();
      const err = await rejection(
        make().exchange(txt('dead.mesh.test'), {
          server: { host: '127.0.0.1', port },
          timeoutMs: 2000,
        }),
      );
      expect(err).toBeInstanceOf(DnsConnectionError);
      expect((err as DnsConnectionError).code).toBe('connection-refused');
      expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    });

    it('never resolves with a reply carrying a foreign id or question', async () => {
      fault.handler = (r) => {
        const q = r.message!;
        const foreignId = answerTo(q, {
          id: (q.header.id + 1) & 0xffff,
          answers: [txtRecord(q.questions[0]!.name, 'forged')],
        });
        const good = answerTo(q, { answers: [txtRecord(q.questions[0]!.name, 'genuine')] });
        return [
          { kind: 'reply', message: foreignId },
          { kind: 'reply', message: good },
        ];
      };
      const reply = await make().exchange(txt('spoof.mesh.test'), {
        server: fault.server,
        timeoutMs: 2000,
      });
      expect(txtValuesFor(reply, 'spoof.mesh.test')).toEqual(['genuine']);

      fault.handler = (r) => {
        const q = r.message!;
        const other = {
          ...answerTo(q),
          questions: [{ ...q.questions[0]!, name: 'other.mesh.test' }],
        };
        return [
          { kind: 'reply', message: other },
          { kind: 'reply', message: answerTo(q) },
        ];
      };
      const outcome = await make()
        .exchange(txt('question.mesh.test'), { server: fault.server, timeoutMs: 5000 })
        .catch((e: unknown) => e);
      if (outcome instanceof Error) expect(outcome).toBeInstanceOf(DnsMalformedReplyError);
      else
        expect((outcome as DnsReply).questions[0]!.name.toLowerCase()).toBe('question.mesh.test');
    });

    it('accepts a question-less error reply (the node NOTAUTH stub) but not a question-less NOERROR', async () => {
      const signedLike = encodeMessage(
        updateMessage({ id: 777, zone: 'mesh.test', updates: [txtAdd('x.mesh.test', 60, 'v')] }),
      );
      fault.handler = () => ({ kind: 'raw', wire: tsigFailureStub(777, Opcode.UPDATE) });
      const reply = await make().exchange(signedLike, { server: fault.server, timeoutMs: 5000 });
      expect(reply.header.rcode).toBe(Rcode.NOTAUTH);
      expect(reply.questions).toHaveLength(0);

      const bare = tsigFailureStub(777, Opcode.UPDATE);
      bare[3] = 0;
      fault.handler = () => ({ kind: 'raw', wire: bare });
      const err = await rejection(
        make().exchange(signedLike, { server: fault.server, timeoutMs: 300 }),
      );
      expect(err).toBeInstanceOf(DnsTransportError);
    });

    it('turns arbitrary garbage into typed errors or ignores it (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.boolean(), async (junk, keepId) => {
          fault.handler = (r) => {
            const bytes = Uint8Array.from(junk);
            if (keepId && bytes.length >= 2) bytes.set(r.wire.subarray(0, 2));
            return [
              { kind: 'raw', wire: bytes },
              { kind: 'reply', message: answerTo(r.message!) },
            ];
          };
          const outcome = await make()
            .exchange(txt('junk.mesh.test'), { server: fault.server, timeoutMs: 400 })
            .catch((e: unknown) => e);
          if (outcome instanceof Error) expect(outcome).toBeInstanceOf(DnsTransportError);
          else expect((outcome as DnsReply).header.qr).toBe(true);
        }),
        { numRuns: 25 },
      );
    });
  });
}
