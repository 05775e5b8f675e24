/**
 * DnsUpdateWriter against an in-process UPDATE server that verifies with
 * the project's TSIG verifier and signs its answers: value splitting, the
 * error mapping, response MAC verification and TCP fallback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DnsUpdateWriter } from '../../../src/dns/client/dns-update-writer.js';
import { RecordWriteError } from '../../../src/dns/client/record-writer.js';
import type { TsigKey } from '../../../src/dns/tsig-key.js';
import { deadPort, FaultServer } from './fault-server.js';
import { type TsigUpdateServerState, tsigUpdateHandler } from './tsig-update-server.js';

const KEY: TsigKey = {
  name: 'alice-0011.mesh.test.',
  algorithm: 'hmac-sha256',
  secret: new Uint8Array(32).fill(9),
};

async function failure(p: Promise<unknown>): Promise<RecordWriteError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RecordWriteError);
  return err as RecordWriteError;
}

describe('DnsUpdateWriter', () => {
  let server: FaultServer;
  const state: TsigUpdateServerState = { store: new Map(), stringLengths: [], mode: 'normal' };
  beforeAll(async () => {
    server = await FaultServer.start(
      tsigUpdateHandler([KEY], 'mesh.test', ['id-abc.mesh.test', 'slot-0.mb-1.mesh.test'], state),
    );
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    state.store.clear();
    state.stringLengths.length = 0;
    state.mode = 'normal';
    server.requests.length = 0;
  });
  const writer = (over: Partial<ConstructorParameters<typeof DnsUpdateWriter>[0]> = {}) =>
    new DnsUpdateWriter({
      server: server.server,
      zone: 'mesh.test',
      key: KEY,
      timeoutMs: 5000,
      ...over,
    });

  it('publishes and deletes, with verified signed replies', async () => {
    const w = writer();
    await w.publish('id-abc.mesh.test', 'v=dmp1;t=identity;d=AAAA', 300);
    await w.publish('id-abc.mesh.test', 'second', 300);
    expect(state.store.get('id-abc.mesh.test')).toEqual(['v=dmp1;t=identity;d=AAAA', 'second']);
    await w.delete('id-abc.mesh.test', 'second');
    expect(state.store.get('id-abc.mesh.test')).toEqual(['v=dmp1;t=identity;d=AAAA']);
    await w.delete('id-abc.mesh.test');
    expect(state.store.has('id-abc.mesh.test')).toBe(false);
  });

  it('splits long values into 255-octet character-strings that join back exactly', async () => {
    const manifest = `v=dmp1;t=manifest;d=${'Q'.repeat(580)}`;
    await writer().publish('slot-0.mb-1.mesh.test', manifest, 300);
    expect(state.stringLengths).toEqual([[255, 255, 90]]);
    expect(state.store.get('slot-0.mb-1.mesh.test')).toEqual([manifest]);
    const utf = 'é'.repeat(200); // 400 octets: a character straddles the cut
    await writer().publish('slot-0.mb-1.mesh.test', utf, 300);
    expect(state.stringLengths[1]).toEqual([255, 145]);
    expect(state.store.get('slot-0.mb-1.mesh.test')![1]).toBe(utf);
  });

  it('says "key not registered" when the node answers with the unsigned NOTAUTH stub', async () => {
    const stranger = { ...KEY, name: 'mallory.mesh.test.' };
    const err = await failure(writer({ key: stranger }).publish('id-abc.mesh.test', 'v', 60));
    expect(err.code).toBe('unauthorized');
    expect(err.message).toContain(
      `key mallory.mesh.test. not registered at 127.0.0.1:${server.port}`,
    );
    expect(err.hint).toContain('tsig register');
    const wrongSecret = { ...KEY, secret: new Uint8Array(32).fill(1) };
    expect(
      (await failure(writer({ key: wrongSecret }).publish('id-abc.mesh.test', 'v', 60))).code,
    ).toBe('unauthorized');
    const skewed = await failure(
      writer({ clock: () => Date.now() + 600_000 }).publish('id-abc.mesh.test', 'v', 60),
    );
    expect(skewed.code).toBe('unauthorized');
    expect(skewed.message).toContain('clock');
  });

  it("says the name is outside the key's scope on REFUSED", async () => {
    const err = await failure(writer().publish('dmp.mesh.test', 'v', 60));
    expect(err.code).toBe('out-of-scope');
    expect(err.message).toContain("outside your key's scope");
    expect(err.message).toContain('dmp.mesh.test');
  });

  it('maps a foreign zone (NOTAUTH, signed) and refuses out-of-zone names locally', async () => {
    const other = await failure(writer({ zone: 'other.test' }).publish('x.other.test', 'v', 60));
    expect(other.code).toBe('wrong-zone');
    expect(other.message).toContain('zone other.test is not served');
    server.requests.length = 0;
    const outside = await failure(writer().publish('x.other.test', 'v', 60));
    expect(outside.code).toBe('wrong-zone');
    expect(server.requests).toHaveLength(0);
  });

  it('reports a delete that matched nothing', async () => {
    const err = await failure(writer().delete('id-abc.mesh.test', 'absent'));
    expect(err.code).toBe('not-found');
  });

  it('never trusts a reply whose MAC fails or that is unsigned', async () => {
    state.mode = 'tamper-mac';
    const tampered = await failure(writer().publish('id-abc.mesh.test', 'v', 60));
    expect(tampered.code).toBe('untrusted-reply');
    expect(tampered.message).toContain('does not verify');
    state.mode = 'unsigned-noerror';
    const unsigned = await failure(writer().publish('id-abc.mesh.test', 'v', 60));
    expect(unsigned.code).toBe('untrusted-reply');
    expect(unsigned.message).toContain('unsigned NOERROR');
  });

  it('retries over TCP with the same signed octets when the UDP reply is truncated', async () => {
    state.mode = 'tc-on-udp';
    await writer().publish('id-abc.mesh.test', 'via-tcp', 60);
    expect(state.store.get('id-abc.mesh.test')).toEqual(['via-tcp']);
    expect(server.seen('tcp')[0]!.wire).toEqual(server.seen('udp')[0]!.wire);
  });

  it('reports unreachable nodes and refuses bad input before sending', async () => {
    const port = await deadPort();
    const dead = await failure(
      writer({ server: { host: '127.0.0.1', port } }).publish('id-abc.mesh.test', 'v', 60),
    );
    expect(dead.code).toBe('unreachable');
    expect(dead.message).toContain('connection refused');
    const silent = await FaultServer.start(() => ({ kind: 'drop' }));
    try {
      const slow = await failure(
        writer({ server: silent.server, timeoutMs: 200 }).publish('id-abc.mesh.test', 'v', 60),
      );
      expect(slow.code).toBe('unreachable');
      expect(slow.message).toContain('timeout');
    } finally {
      await silent.close();
    }
    server.requests.length = 0;
    expect((await failure(writer().publish('id-abc.mesh.test', 'v', 0))).code).toBe('invalid');
    expect((await failure(writer().publish('bad..mesh.test', 'v', 60))).code).toBe('invalid');
    expect(server.requests).toHaveLength(0);
  });
});
