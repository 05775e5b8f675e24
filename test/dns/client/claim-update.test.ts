/**
 * sendUnsignedClaimUpdate beyond the reference vectors: rate limiting,
 * TCP fallback, unreachable providers, and refusal of bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendUnsignedClaimUpdate } from '../../../src/dns/client/claim-update.js';
import { RecordWriteError } from '../../../src/dns/client/record-writer.js';
import { Rcode } from '../../../src/dns/wire/constants.js';
import { updateSections } from '../../../src/dns/wire/update.js';
import { answerTo, deadPort, FaultServer } from './fault-server.js';

const NAME = 'claim-3.mb-0123456789ab.mesh.test';

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(RecordWriteError);
    return (err as RecordWriteError).code;
  }
}

describe('sendUnsignedClaimUpdate', () => {
  let fault: FaultServer;
  beforeAll(async () => {
    fault = await FaultServer.start(() => ({ kind: 'drop' }));
  });
  afterAll(async () => {
    await fault?.close();
  });

  it('sends one unsigned ADD and succeeds only on NOERROR', async () => {
    fault.requests.length = 0;
    fault.handler = (r) => ({ kind: 'reply', message: answerTo(r.message!) });
    await sendUnsignedClaimUpdate('mesh.test', NAME, 'v=dmp1;t=claim;x', 300, fault.server);
    const msg = fault.requests[0]!.message!;
    expect(msg.header.opcode).toBe(5);
    expect(msg.additionals).toHaveLength(0);
    const { zone, updates } = updateSections(msg);
    expect(zone[0]!.name).toBe('mesh.test');
    expect(updates.map((u) => [u.name, u.ttl, u.class])).toEqual([[NAME, 300, 1]]);
    fault.handler = (r) => ({
      kind: 'reply',
      message: answerTo(r.message!, { rcode: Rcode.SERVFAIL }),
    });
    expect(await code(sendUnsignedClaimUpdate('mesh.test', NAME, 'v', 300, fault.server))).toBe(
      'rate-limited',
    );
  });

  it('falls back to TCP on truncation', async () => {
    fault.handler = (r) => ({
      kind: 'reply',
      message: answerTo(r.message!, { tc: r.protocol === 'udp' }),
    });
    await sendUnsignedClaimUpdate('mesh.test', NAME, 'v', 300, fault.server);
  });

  it('reports unreachable providers and bad input', async () => {
    const port = await deadPort();
    expect(
      await code(sendUnsignedClaimUpdate('mesh.test', NAME, 'v', 300, { host: '127.0.0.1', port })),
    ).toBe('unreachable');
    fault.handler = () => ({ kind: 'drop' });
    expect(
      await code(
        sendUnsignedClaimUpdate('mesh.test', NAME, 'v', 300, fault.server, { timeoutMs: 200 }),
      ),
    ).toBe('unreachable');
    expect(await code(sendUnsignedClaimUpdate('mesh.test', NAME, 'v', -1, fault.server))).toBe(
      'invalid',
    );
    expect(await code(sendUnsignedClaimUpdate('mesh.test', 'a..b', 'v', 60, fault.server))).toBe(
      'invalid',
    );
  });
});
