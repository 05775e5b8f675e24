/**
 * Test fixture for the node responder: a responder over the real sqlite
 * stores (in memory), a settable clock, counting metrics, and helpers that
 * build request packets with the src/dns encoders and decode the replies.
 */
import { signMessage } from '../../../src/dns/tsig.js';
import type { TsigKey } from '../../../src/dns/tsig-key.js';
import { RRClass, RRType } from '../../../src/dns/wire/constants.js';
import { ednsRecord } from '../../../src/dns/wire/edns.js';
import { makeHeader } from '../../../src/dns/wire/header.js';
import {
  type DnsMessage,
  type DnsRecord,
  decodeMessage,
  encodeMessage,
} from '../../../src/dns/wire/message.js';
import { updateMessage } from '../../../src/dns/wire/update.js';
import {
  createNodeResponder,
  type NodeResponderDeps,
} from '../../../src/node/dns/node-responder.js';
import type { DnsResponse, DnsTransport } from '../../../src/node/dns/responder.js';
import type { NodeResponderConfig } from '../../../src/node/dns/responder-config.js';
import { CountingResponderMetrics } from '../../../src/node/dns/responder-metrics.js';
import { MEMORY_PATH } from '../../../src/node/store/sqlite/database.js';
import { type NodeStores, openNodeStores } from '../../../src/node/store/sqlite/node-stores.js';
import type { TsigKeyRecord } from '../../../src/node/store/types.js';

export const ZONE = 'mesh.test';
export const T0 = 1_893_456_000;

export const KEY_SECRET = Uint8Array.from({ length: 32 }, (_, i) => i + 7);
export const KEY_NAME = 'alice-key.mesh.test.';

export const BASE_CONFIG: NodeResponderConfig = {
  zone: ZONE,
  dns: { ttl: 60 },
  apex: {
    ns: 'ns1.mesh.test',
    soaRname: 'hostmaster.mesh.test',
    a: '192.0.2.1',
    aaaa: '2001:db8::1',
  },
  update: { enabled: true, claimProvider: true, receiverClaims: false, claimMaxTtl: 86_400 },
  caps: { maxTtl: 86_400, maxValueBytes: 2048, maxValuesPerName: 64 },
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };

/** `BASE_CONFIG` with sections overridden. */
export function config(overrides: DeepPartial<NodeResponderConfig> = {}): NodeResponderConfig {
  return {
    zone: overrides.zone ?? BASE_CONFIG.zone,
    dns: { ...BASE_CONFIG.dns, ...overrides.dns },
    apex: { ...BASE_CONFIG.apex, ...overrides.apex },
    update: { ...BASE_CONFIG.update, ...overrides.update },
    caps: { ...BASE_CONFIG.caps, ...overrides.caps },
  };
}

export function keyRecord(overrides: Partial<TsigKeyRecord> = {}): TsigKeyRecord {
  return {
    name: KEY_NAME,
    algorithm: 'hmac-sha256',
    secret: KEY_SECRET,
    allowedSuffixes: ['alice.mesh.test', 'chunk-*-*.mesh.test'],
    createdAt: T0 - 100,
    expiresAt: 0,
    revoked: false,
    subject: 'alice@mesh.test',
    registeredSpk: '',
    registeredX25519Pub: '',
    ...overrides,
  };
}

/** The client's view of the fixture key. */
export const CLIENT_KEY: TsigKey = { name: KEY_NAME, algorithm: 'hmac-sha256', secret: KEY_SECRET };

export interface Node {
  readonly stores: NodeStores;
  readonly metrics: CountingResponderMetrics;
  /** Current clock value (Unix seconds). */
  now: number;
  /** Sends raw bytes. */
  send(
    wire: Uint8Array,
    transport?: DnsTransport,
    maxResponseBytes?: number,
    remoteAddress?: string,
  ): DnsResponse | undefined;
  /** Sends a message (encoded unsigned) and decodes the reply. */
  ask(msg: DnsMessage, transport?: DnsTransport): Reply;
  close(): void;
}

export interface Reply {
  readonly response: DnsResponse;
  readonly message: DnsMessage;
}

export function decode(wire: Uint8Array): DnsMessage {
  const res = decodeMessage(wire);
  if (!res.ok) throw new Error(`reply does not decode: ${res.detail}`);
  return res.value;
}

/** A node over fresh in-memory stores. */
export function makeNode(
  cfg: NodeResponderConfig = BASE_CONFIG,
  deps: Partial<NodeResponderDeps> = {},
  keys: readonly TsigKeyRecord[] = [keyRecord()],
): Node {
  const stores = openNodeStores(MEMORY_PATH);
  for (const k of keys) stores.tsigKeys.upsert(k);
  const metrics = new CountingResponderMetrics();
  const node: Node = {
    stores,
    metrics,
    now: T0,
    send(wire, transport = 'udp', maxResponseBytes, remoteAddress = '192.0.2.99') {
      return responder.respond(wire, {
        transport,
        remoteAddress,
        ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }),
      });
    },
    ask(msg, transport = 'udp') {
      const response = node.send(encodeMessage(msg), transport);
      if (response === undefined) throw new Error('no reply');
      return { response, message: decode(response.wire) };
    },
    close: () => stores.close(),
  };
  const responder = createNodeResponder(
    { records: stores.records, tsigKeys: stores.tsigKeys, clock: () => node.now, metrics, ...deps },
    cfg,
  );
  return node;
}

export interface QueryOptions {
  id?: number;
  qclass?: number;
  /** EDNS UDP size; undefined = no OPT. */
  edns?: number;
  ednsVersion?: number;
  dnssecOk?: boolean;
  rd?: boolean;
  opcode?: number;
}

/** A query message for `name`/`type`. */
export function queryMessage(name: string, type: number, o: QueryOptions = {}): DnsMessage {
  return {
    header: makeHeader({ id: o.id ?? 0x1234, rd: o.rd ?? false, opcode: o.opcode ?? 0 }),
    questions: [{ name, type, class: o.qclass ?? RRClass.IN }],
    answers: [],
    authorities: [],
    additionals:
      o.edns === undefined
        ? []
        : [
            ednsRecord({
              udpSize: o.edns,
              version: o.ednsVersion ?? 0,
              dnssecOk: o.dnssecOk ?? false,
            }),
          ],
  };
}

/** An UPDATE of `zone` with update-section RRs (and optional prerequisites). */
export function update(
  updates: DnsRecord[],
  zone = ZONE,
  prerequisites: DnsRecord[] = [],
  id = 0x4242,
): DnsMessage {
  return updateMessage({ id, zone, updates, prerequisites });
}

/** Signs `msg` with the fixture key at `time`; returns the wire and request MAC. */
export function signed(msg: DnsMessage, time: number, key: TsigKey = CLIENT_KEY) {
  return signMessage(msg, key, { timeSigned: time });
}

/** TXT strings of every answer RR, joined per RR. */
export function answerValues(msg: DnsMessage): string[] {
  return msg.answers
    .filter((rr) => rr.type === RRType.TXT && rr.data.kind === 'TXT')
    .map((rr) =>
      rr.data.kind === 'TXT'
        ? Buffer.concat(rr.data.strings.map((s) => Buffer.from(s))).toString('utf8')
        : '',
    );
}
