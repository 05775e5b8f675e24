/**
 * TcpTransport (RFC 7766): the shared compliance suite plus stream faults
 * only TCP has — segmentation, early close, bad framing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsConnectionError, DnsMalformedReplyError } from '../../../src/dns/client/errors.js';
import { queryMessage } from '../../../src/dns/client/request.js';
import { TcpTransport } from '../../../src/dns/client/tcp-transport.js';
import { txtValuesFor } from '../../../src/dns/client/txt-answer.js';
import { RRType } from '../../../src/dns/wire/constants.js';
import { encodeMessage } from '../../../src/dns/wire/message.js';
import { frameTcp } from '../../../src/dns/wire/tcp.js';
import { answerTo, FaultServer, txtRecord } from './fault-server.js';
import { describeTransportCompliance } from './transport-compliance.js';

describeTransportCompliance('tcp', () => new TcpTransport());

describe('TcpTransport stream faults', () => {
  let fault: FaultServer;
  beforeAll(async () => {
    fault = await FaultServer.start(() => ({ kind: 'drop' }));
  });
  afterAll(async () => {
    await fault.close();
  });
  const ask = (name: string) =>
    new TcpTransport().exchange(queryMessage(name, RRType.TXT), {
      server: fault.server,
      timeoutMs: 5000,
    });

  it('reassembles a reply delivered one octet per segment', async () => {
    fault.handler = (r) => {
      const framed = frameTcp(
        encodeMessage(answerTo(r.message!, { answers: [txtRecord('drip.mesh.test', 'ok')] })),
      );
      return Array.from(framed, (b, i) => ({
        kind: 'delay' as const,
        ms: i,
        action: { kind: 'bytes' as const, data: Uint8Array.of(b) },
      }));
    };
    expect(txtValuesFor(await ask('drip.mesh.test'), 'drip.mesh.test')).toEqual(['ok']);
  });

  it('reports a close in the middle of a frame', async () => {
    fault.handler = (r) => {
      const framed = frameTcp(encodeMessage(answerTo(r.message!)));
      return [{ kind: 'bytes', data: framed.subarray(0, 10) }, { kind: 'close' }];
    };
    const err = await ask('cut.mesh.test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsConnectionError);
    expect((err as DnsConnectionError).code).toBe('connection-closed');
    expect((err as Error).message).toContain('after 10 octets');
  });

  it('rejects a zero length prefix as malformed', async () => {
    fault.handler = () => ({ kind: 'bytes', data: Uint8Array.of(0, 0) });
    expect(await ask('zero.mesh.test').catch((e: unknown) => e)).toBeInstanceOf(
      DnsMalformedReplyError,
    );
  });

  it('gives up after too many frames with foreign ids', async () => {
    fault.handler = (r) =>
      Array.from({ length: 20 }, (_, i) => ({
        kind: 'reply' as const,
        message: answerTo(r.message!, { id: (r.message!.header.id + 1 + i) & 0xffff }),
      }));
    const err = await ask('flood.mesh.test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsMalformedReplyError);
  });
});
