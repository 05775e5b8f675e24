/**
 * The DMP message header (core.md §3.1): a compact JSON object with keys in a
 * fixed order. It travels inside the outer message with `total = 1, chunk =
 * 0` and is re-serialised with `total = chunk = 0` to form the AAD (§2.6),
 * so serialisation must be byte-exact.
 */
import { toHex, tryDecodeUtf8, tryFromHex, utf8 } from '../bytes.js';
import { accept, type ParseResult, reject } from '../result.js';

/** Header `type` values the reference enumerates; senders only use `DATA`. */
export const MESSAGE_TYPES = ['DATA', 'ACK', 'DISCOVERY', 'IDENTITY', 'MAILBOX'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface MessageHeader {
  readonly version: number;
  readonly type: MessageType;
  /** 16-byte message id. */
  readonly msgId: Uint8Array;
  /** Sender user id (SHA-256 of the sender's X25519 public key). */
  readonly senderId: Uint8Array;
  /** Recipient user id. */
  readonly recipientId: Uint8Array;
  readonly total: number;
  readonly chunk: number;
  /** Send time, Unix seconds. */
  readonly ts: number;
  /** Lifetime in seconds: the message is dead once `now > ts + ttl`. */
  readonly ttl: number;
}

/** Compact JSON of a header, keys in the wire order `v,type,msg_id,sender,recipient,total,chunk,ts,ttl`. */
export function headerJson(h: MessageHeader): string {
  return (
    `{"v":${h.version},"type":"${h.type}","msg_id":"${toHex(h.msgId)}",` +
    `"sender":"${toHex(h.senderId)}","recipient":"${toHex(h.recipientId)}",` +
    `"total":${h.total},"chunk":${h.chunk},"ts":${h.ts},"ttl":${h.ttl}}`
  );
}

/** UTF-8 bytes of {@link headerJson}. */
export function encodeHeader(h: MessageHeader): Uint8Array {
  return utf8(headerJson(h));
}

/** True when the header is past its lifetime (valid while `now <= ts + ttl`). */
export function isHeaderExpired(h: MessageHeader, now: number): boolean {
  return now > h.ts + h.ttl;
}

function intField(obj: Record<string, unknown>, key: string): number | undefined {
  const v = obj[key];
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
}

function hexField(obj: Record<string, unknown>, key: string): Uint8Array | undefined {
  const v = obj[key];
  return typeof v === 'string' ? tryFromHex(v) : undefined;
}

/**
 * Parses header JSON bytes. Key order and spacing are not checked (the AAD is
 * rebuilt from the parsed values). Numbers must be safe integers: reference
 * senders only emit integers, and refusing floats avoids re-serialisation
 * ambiguity in the AAD.
 */
export function parseHeader(bytes: Uint8Array): ParseResult<MessageHeader> {
  const text = tryDecodeUtf8(bytes);
  if (text === undefined) return reject('decode', 'header is not UTF-8');
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return reject('decode', 'header is not JSON');
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return reject('structure', 'header is not a JSON object');
  }
  const o = obj as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    return reject('structure', 'header type is unknown');
  }
  const version = intField(o, 'v');
  const total = intField(o, 'total');
  const chunk = intField(o, 'chunk');
  const ts = intField(o, 'ts');
  const ttl = intField(o, 'ttl');
  const msgId = hexField(o, 'msg_id');
  const senderId = hexField(o, 'sender');
  const recipientId = hexField(o, 'recipient');
  if (
    version === undefined ||
    total === undefined ||
    chunk === undefined ||
    ts === undefined ||
    ttl === undefined ||
    msgId === undefined ||
    senderId === undefined ||
    recipientId === undefined
  ) {
    return reject('structure', 'header field missing or of the wrong type');
  }
  return accept({
    version,
    type: type as MessageType,
    msgId,
    senderId,
    recipientId,
    total,
    chunk,
    ts,
    ttl,
  });
}
