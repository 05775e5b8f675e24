/**
 * tsig.json replayed through the client writers: with the reference's
 * message id and clock pinned, DnsUpdateWriter and sendUnsignedClaimUpdate
 * must put the reference's exact octets on the wire, and the reference
 * server's recorded reply must produce the reference writer's verdict.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendUnsignedClaimUpdate } from '../../../src/dns/client/claim-update.js';
import { DnsUpdateWriter } from '../../../src/dns/client/dns-update-writer.js';
import { RecordWriteError } from '../../../src/dns/client/record-writer.js';
import { fromHex, toHex } from '../../../src/protocol/bytes.js';
import { describeVectors, haveVectors, loadVectors } from '../../interop/vectors.js';
import { FaultServer } from './fault-server.js';

// biome-ignore lint/suspicious/noExplicitAny: vector JSON
type Json = any;

const file: Json = haveVectors ? loadVectors('tsig.json') : { cases: [] };
const cases: [string, Json][] = file.cases.map((c: Json, i: number) => [
  `#${i} ${c.description}`,
  c,
]);
const relative = (name: string) => name.replace(/\.$/, '');

/** What our writer reports for the reference server's reply. */
function expectedCode(c: Json): string | undefined {
  const rcode = c.expected_response?.rcode;
  if (rcode === 'NOERROR') return undefined;
  // An unsigned NOTAUTH to a signed request is the TSIG-failure stub; anything else is the zone.
  if (rcode === 'NOTAUTH') {
    return c.client?.key_name && c.expected_response.tsig === null ? 'unauthorized' : 'wrong-zone';
  }
  if (rcode === 'REFUSED') return c.client?.key_name ? 'out-of-scope' : 'rejected';
  if (rcode === 'SERVFAIL') return 'not-found';
  return 'server-error';
}

describeVectors('tsig.json through the client writers', () => {
  let server: FaultServer;
  let reply: Uint8Array = new Uint8Array(0);
  beforeAll(async () => {
    server = await FaultServer.start(() => ({ kind: 'raw', wire: reply }));
  });
  afterAll(async () => {
    await server?.close();
  });

  async function outcome(run: () => Promise<void>): Promise<string | undefined> {
    try {
      await run();
      return undefined;
    } catch (err) {
      if (!(err instanceof RecordWriteError)) throw err;
      return err.code;
    }
  }

  const signed = cases.filter(
    ([, c]) =>
      c.client?.key_name && c.request?.signed_wire_hex && c.request.update_ops.length === 1,
  );
  it.each(signed)('DnsUpdateWriter %s', async (_, c) => {
    const client = c.client;
    const op = c.request.update_ops[0];
    const writer = new DnsUpdateWriter({
      server: server.server,
      zone: client.zone,
      key: {
        name: client.key_name,
        algorithm: client.algorithm,
        secret: fromHex(client.secret_hex),
      },
      nextId: () => client.dns_message_id,
      clock: () => client.time_signed * 1000,
      timeoutMs: 5000,
    });
    reply = fromHex(c.expected_response.wire_hex);
    server.requests.length = 0;
    const name = relative(op.name);
    const run =
      op.op === 'add'
        ? () => writer.publish(name, op.value, op.ttl)
        : op.op === 'delete_rr'
          ? () => writer.delete(name, op.value)
          : () => writer.delete(name);
    const code = await outcome(run);
    const outsideZone = !`.${name}`.endsWith(`.${client.zone}`);
    if (outsideZone) {
      // We refuse an out-of-zone owner locally, with the code NOTZONE would give.
      expect(code).toBe('wrong-zone');
      expect(server.requests).toHaveLength(0);
      return;
    }
    expect(toHex(server.requests[0]!.wire)).toBe(c.request.signed_wire_hex);
    if (c.writer_result !== undefined) expect(code === undefined).toBe(c.writer_result);
    expect(code).toBe(expectedCode(c));
  });

  const claims = cases.filter(
    ([, c]) => !c.client?.key_name && c.request?.unsigned_wire_hex && c.client?.name,
  );
  it.each(claims)('sendUnsignedClaimUpdate %s', async (_, c) => {
    const client = c.client;
    reply = fromHex(c.expected_response.wire_hex);
    server.requests.length = 0;
    const code = await outcome(() =>
      sendUnsignedClaimUpdate(client.zone, client.name, client.value, client.ttl, server.server, {
        nextId: () => client.dns_message_id,
        timeoutMs: 5000,
      }),
    );
    expect(toHex(server.requests[0]!.wire)).toBe(c.request.unsigned_wire_hex);
    expect(code).toBe(expectedCode(c));
  });

  it('sends a >255-octet manifest as the reference server expects it (multi-string case)', async () => {
    const [, c] = cases.find(([, x]) => x.request?.update_ops?.[0]?.strings_hex?.length > 1)!;
    const op = c.request.update_ops[0];
    const writer = new DnsUpdateWriter({
      server: server.server,
      zone: c.client.zone,
      key: {
        name: c.client.key_name,
        algorithm: c.client.algorithm,
        secret: fromHex(c.client.secret_hex),
      },
      nextId: () => c.client.dns_message_id,
      clock: () => c.client.time_signed * 1000,
      timeoutMs: 5000,
    });
    reply = fromHex(c.expected_response.wire_hex);
    server.requests.length = 0;
    await writer.publish(relative(op.name), op.value, op.ttl);
    expect(toHex(server.requests[0]!.wire)).toBe(c.request.signed_wire_hex);
  });
});
