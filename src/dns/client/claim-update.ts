/**
 * First-contact claim delivery by unsigned RFC 2136 UPDATE (core spec §8.3,
 * node spec §2.8): one ADD of the claim TXT record at
 * `claim-<slot>.mb-<hash12>.<zone>`, no TSIG — the claim value carries its
 * own Ed25519 signature, which the provider node verifies. Success iff the
 * reply's RCODE is NOERROR.
 */
import { Rcode, rcodeName } from '../wire/constants.js';
import { encodeMessage } from '../wire/message.js';
import { txtAdd, updateMessage } from '../wire/update.js';
import { DnsClientError } from './errors.js';
import { RecordWriteError, type RecordWriteFailure, ttlProblem } from './record-writer.js';
import { randomId } from './request.js';
import { type DnsServer, formatServer } from './server-address.js';
import type { DnsReply, DnsTransport } from './transport.js';
import { UdpTransport } from './udp-transport.js';

export interface ClaimUpdateOptions {
  /** Default: one UDP datagram (claims are rate-limited per recipient), TCP on TC. */
  readonly transport?: DnsTransport;
  /** Default 5000 ms, as the reference. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Message ID source (default: CSPRNG). */
  readonly nextId?: () => number;
}

function failure(
  name: string,
  target: string,
  code: RecordWriteFailure,
  reason: string,
  hint: string,
  cause?: unknown,
): RecordWriteError {
  const init = cause === undefined ? undefined : { cause };
  return new RecordWriteError(code, 'publish', name, target, reason, hint, init);
}

/**
 * Sends one unsigned UPDATE adding `value` at `name` in `zone` to `target`.
 * Resolves when the node answers NOERROR; rejects with a
 * {@link RecordWriteError} otherwise.
 */
export async function sendUnsignedClaimUpdate(
  zone: string,
  name: string,
  value: string,
  ttl: number,
  target: DnsServer,
  options: ClaimUpdateOptions = {},
): Promise<void> {
  const where = formatServer(target);
  const problem = ttlProblem(ttl);
  if (problem !== undefined) throw failure(name, where, 'invalid', problem, 'pass a positive TTL');
  let wire: Uint8Array;
  try {
    const id = (options.nextId ?? randomId)();
    wire = encodeMessage(updateMessage({ id, zone, updates: [txtAdd(name, ttl, value)] }));
  } catch (err) {
    throw failure(name, where, 'invalid', (err as Error).message, 'check the claim name', err);
  }
  const transport = options.transport ?? new UdpTransport({ attempts: 1 });
  let reply: DnsReply;
  try {
    reply = await transport.exchange(wire, {
      server: target,
      timeoutMs: options.timeoutMs ?? 5000,
      signal: options.signal,
    });
  } catch (err) {
    const reason = err instanceof DnsClientError ? err.message : String(err);
    throw failure(
      name,
      where,
      'unreachable',
      reason,
      "check the provider's DNS endpoint (DMP_PROVIDER_DNS_PORT, provider address)",
      err,
    );
  }
  const rcode = reply.header.rcode;
  switch (rcode) {
    case Rcode.NOERROR:
      return;
    case Rcode.REFUSED:
      throw failure(
        name,
        where,
        'rejected',
        'claim refused (REFUSED): the node does not accept claims for this zone, the owner is not claim-<slot>.mb-<hash12>.<zone>, or the claim does not verify or lives too long',
        'try another claim provider',
      );
    case Rcode.SERVFAIL:
      throw failure(
        name,
        where,
        'rate-limited',
        "the recipient's claim budget is exhausted or the node failed to store it (SERVFAIL)",
        'retry later',
      );
    case Rcode.NOTAUTH:
    case Rcode.NOTZONE:
      throw failure(
        name,
        where,
        'wrong-zone',
        `zone ${zone} is not served by ${where} (${rcodeName(rcode)})`,
        "check the provider's zone and endpoint",
      );
    default:
      throw failure(name, where, 'server-error', `rcode ${rcodeName(rcode)}`, 'retry later');
  }
}
