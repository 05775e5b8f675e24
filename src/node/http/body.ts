/**
 * Reading and decoding request bodies (node spec §4.1). Bodies are bounded
 * (16 KiB by default): a declared `Content-Length` over the bound is refused
 * without reading a byte, and a chunked body is cut off as soon as it
 * crosses it, so no client can make the node buffer more. An empty body is
 * the empty JSON object, as in the reference.
 */
import type { IncomingMessage } from 'node:http';

/** Default body bound, bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Outcome of {@link readBody}. */
export type BodyRead =
  | { readonly kind: 'ok'; readonly bytes: Buffer }
  | { readonly kind: 'too-large' }
  /** The client went away or the stream failed; there is nobody to answer. */
  | { readonly kind: 'aborted' };

/** Outcome of {@link parseJsonBody}. */
export type JsonBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'not-utf8' | 'not-json' };

/** Reads the whole body of `req`, up to `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    return Promise.resolve({ kind: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (result: BodyRead): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('aborted', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) {
        // Stop reading; the response is sent with `Connection: close`, which
        // drops whatever the client is still sending.
        req.pause();
        finish({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ kind: 'ok', bytes: Buffer.concat(chunks, total) });
    const onAbort = (): void => finish({ kind: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('aborted', onAbort);
  });
}

// The BOM is kept so that, as in the reference, a BOM-prefixed body is not JSON.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes a body as strict UTF-8 JSON; an empty body is `{}`. */
export function parseJsonBody(bytes: Uint8Array): JsonBody {
  if (bytes.length === 0) return { ok: true, value: {} };
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'not-utf8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'not-json' };
  }
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
