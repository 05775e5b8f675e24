/**
 * The UPDATE audit log (`update-audit.ts`) through the responder and the
 * node's own JSON logger: one line per UPDATE with outcome, RCODE, key or
 * `unsigned`, client, transport and owner names (never values); levels by
 * outcome; lines anyone can cause are held to a line budget and summed up.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signMessage } from '../../../src/dns/tsig.js';
import { Rcode } from '../../../src/dns/wire/constants.js';
import type { DnsMessage } from '../../../src/dns/wire/message.js';
import { encodeMessage } from '../../../src/dns/wire/message.js';
import { txtAdd, txtDeleteRRset } from '../../../src/dns/wire/update.js';
import {
  networkText,
  touchedNames,
  UpdateAuditLog,
  type UpdateAuditLogOptions,
} from '../../../src/node/dns/update-audit.js';
import { UpdateAdmission } from '../../../src/node/dns/update-budgets.js';
import { createNodeLogger } from '../../../src/node/log.js';
import { CLIENT_KEY, makeNode, type Node, signed, T0, update, ZONE } from './fixture.js';

const A = `alice.${ZONE}`;
const KEY = 'alice-key.mesh.test';
type Line = Record<string, unknown>;

/** A JSON logger at `level` whose lines land in the returned array. */
function sink(level = 'info') {
  const lines: Line[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  return { lines, logger: createNodeLogger({ level, format: 'json', destination: out }) };
}

const auditLines = (lines: Line[]) => lines.filter((l) => l.audit === 'update');

describe('one line per UPDATE, through the responder', () => {
  let node: Node;
  let lines: Line[];
  let clock: number;
  beforeEach(() => {
    const s = sink();
    lines = s.lines;
    clock = 0;
    const audit = new UpdateAuditLog(s.logger, { clock: () => clock });
    node = makeNode(undefined, { audit });
  });
  afterEach(() => node.close());

  it('applied under a key: info, the key, the client address, the names, no values', () => {
    const req = signed(update([txtDeleteRRset(A), txtAdd(A, 300, 'secret-ish value')]), T0);
    expect(node.send(req.wire, 'tcp', undefined, '198.51.100.7')!.rcode).toBe(Rcode.NOERROR);
    expect(auditLines(lines)).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        msg: 'DNS UPDATE applied',
        audit: 'update',
        outcome: 'applied',
        rcode: 'NOERROR',
        key: KEY,
        client: '198.51.100.7',
        transport: 'tcp',
        names: [A],
        nameCount: 1,
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret-ish');
  });

  it('refused unsigned: info, key "unsigned", the client network only', () => {
    const wire = encodeMessage(update([txtAdd(A, 300, 'v')]));
    expect(node.send(wire, 'udp', undefined, '203.0.113.77')!.rcode).toBe(Rcode.REFUSED);
    const [line] = auditLines(lines);
    expect(line).toMatchObject({
      level: 'info',
      msg: 'DNS UPDATE claim-refused',
      outcome: 'claim-refused',
      rcode: 'REFUSED',
      key: 'unsigned',
      client: '203.0.113.0/24',
      transport: 'udp',
      names: [A],
    });
    expect(JSON.stringify(line)).not.toContain('203.0.113.77');
  });

  it('refused by the key’s scope: warn', () => {
    const req = signed(update([txtAdd(`bob.${ZONE}`, 300, 'v')]), T0);
    expect(node.send(req.wire)!.rcode).toBe(Rcode.REFUSED);
    expect(auditLines(lines)[0]).toMatchObject({
      level: 'warn',
      outcome: 'scope',
      rcode: 'REFUSED',
      key: KEY,
    });
  });

  it('a signature that does not verify: warn, bad-tsig, the TSIG error and the claimed key', () => {
    const forged = signMessage(
      update([txtAdd(A, 300, 'v')]),
      { ...CLIENT_KEY, secret: new Uint8Array(32) },
      {
        timeSigned: T0,
      },
    );
    expect(node.send(forged.wire, 'udp', undefined, '2001:db8:aa:bb12::5')!.rcode).toBe(
      Rcode.NOTAUTH,
    );
    expect(auditLines(lines)[0]).toMatchObject({
      level: 'warn',
      outcome: 'bad-tsig',
      rcode: 'NOTAUTH',
      key: 'unverified',
      tsig: 'BADSIG',
      claimedKey: KEY,
      client: '2001:db8:aa:bb00::/56',
    });
  });

  it('a replayed copy: info, replayed, with the first outcome', () => {
    const req = signed(update([txtAdd(A, 300, 'v')]), T0);
    node.send(req.wire);
    node.send(req.wire);
    expect(auditLines(lines).map((l) => [l.outcome, l.replayOf, l.level])).toEqual([
      ['applied', undefined, 'info'],
      ['replayed', 'applied', 'info'],
    ]);
  });

  it('over the network budget (before any signature check): warn, over-budget', () => {
    node.close();
    const s = sink();
    lines = s.lines;
    const admission = new UpdateAdmission({ perNetwork: { ratePerSecond: 1, burst: 1 } }, () => 0);
    node = makeNode(undefined, { admission, audit: new UpdateAuditLog(s.logger) });
    node.send(signed(update([txtAdd(A, 300, 'one')], ZONE, [], 1), T0).wire);
    node.send(signed(update([txtAdd(A, 300, 'two')], ZONE, [], 2), T0).wire);
    expect(auditLines(lines).map((l) => [l.outcome, l.level, l.key])).toEqual([
      ['applied', 'info', KEY],
      ['over-budget', 'warn', 'unverified'],
    ]);
  });

  it('names: the first 8 distinct owners (lower case), and how many there were', () => {
    const ops = Array.from({ length: 20 }, (_, i) => txtAdd(`N${i}.alice.${ZONE}`, 300, 'v'));
    ops.push(txtAdd(`n0.alice.${ZONE}`, 300, 'again'));
    const msg: DnsMessage = update(ops);
    const { names, count } = touchedNames(msg);
    expect(names).toEqual(Array.from({ length: 8 }, (_, i) => `n${i}.alice.${ZONE}`));
    expect(count).toBe(20);
    node.send(signed(msg, T0).wire);
    expect(auditLines(lines)[0]).toMatchObject({ names, nameCount: 20 });
  });

  it('at log level warn, info lines are not written (nor counted)', () => {
    node.close();
    const s = sink('warn');
    lines = s.lines;
    node = makeNode(undefined, { audit: new UpdateAuditLog(s.logger) });
    node.send(signed(update([txtAdd(A, 300, 'v')]), T0).wire);
    node.send(signed(update([txtAdd(`bob.${ZONE}`, 300, 'v')]), T0).wire);
    expect(auditLines(lines).map((l) => l.outcome)).toEqual(['scope']);
  });
});

describe('floods of lines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function audit(options: UpdateAuditLogOptions = {}) {
    const s = sink();
    let clock = 0;
    const log = new UpdateAuditLog(s.logger, { clock: () => clock, ...options });
    const msg = update([txtAdd(A, 300, 'v')]);
    const event = (
      outcome: 'applied' | 'claim-refused' | 'scope',
      key?: string,
      from = '203.0.113.9',
    ) =>
      log.update({
        outcome,
        rcode: outcome === 'applied' ? 0 : Rcode.REFUSED,
        key,
        signed: key !== undefined,
        remoteAddress: from,
        transport: 'udp',
        message: msg,
      });
    return { lines: s.lines, log, event, tick: (s: number) => (clock += s) };
  }

  it('refused unsigned UPDATEs: a burst of 50 lines, then 5 a second, the rest summed up in one warn line', () => {
    vi.useFakeTimers();
    const a = audit();
    for (let i = 0; i < 1_000; i++) a.event('claim-refused', undefined, `203.0.${i % 3}.9`);
    expect(auditLines(a.lines).filter((l) => l.outcome)).toHaveLength(50);
    a.tick(1);
    for (let i = 0; i < 100; i++) a.event('claim-refused');
    expect(auditLines(a.lines).filter((l) => l.outcome)).toHaveLength(55);
    // The summary comes once the interval has passed, with the counts.
    expect(a.lines.filter((l) => l.suppressed !== undefined)).toHaveLength(0);
    vi.advanceTimersByTime(5_000);
    const summaries = a.lines.filter((l) => l.suppressed !== undefined);
    expect(summaries).toEqual([
      {
        level: 'warn',
        time: expect.any(String),
        msg: 'DNS UPDATE audit: 1045 unsigned UPDATE lines left out (over the log budget)',
        audit: 'update',
        suppressed: 1_045,
        budget: 'unsigned',
        outcomes: { 'claim-refused': 1_045 },
        clients: {
          '203.0.0.0/24': 317,
          '203.0.1.0/24': 316,
          '203.0.2.0/24': 317,
          '203.0.113.0/24': 95,
        },
      },
    ]);
    // Nothing more to sum up: no further summary.
    vi.advanceTimersByTime(60_000);
    expect(a.lines.filter((l) => l.suppressed !== undefined)).toHaveLength(1);
  });

  it('a summary names at most 8 sources and counts the rest; close() writes a pending one', () => {
    const a = audit({ limits: { burst: 1, linesPerSecond: 0.001 } });
    for (let i = 0; i < 200; i++) a.event('claim-refused', undefined, `10.${i}.0.1`);
    a.log.close();
    const [summary] = a.lines.filter((l) => l.suppressed !== undefined);
    expect(summary!.suppressed).toBe(199);
    expect(Object.keys(summary!.clients as object)).toHaveLength(8);
    expect(summary!.otherSources).toBe(199 - 8);
  });

  it('UPDATEs applied under a key are never left out; refusals under keys have their own budget', () => {
    const a = audit();
    for (let i = 0; i < 500; i++) a.event('claim-refused');
    for (let i = 0; i < 2_000; i++) a.event('applied', KEY);
    for (let i = 0; i < 100; i++) a.event('scope', 'evil.mesh.test');
    const written = auditLines(a.lines);
    expect(written.filter((l) => l.outcome === 'applied')).toHaveLength(2_000);
    expect(written.filter((l) => l.outcome === 'claim-refused')).toHaveLength(50);
    expect(written.filter((l) => l.outcome === 'scope')).toHaveLength(50);
    a.log.close();
    const summaries = a.lines.filter((l) => l.suppressed !== undefined);
    expect(summaries.map((l) => [l.budget, l.suppressed])).toEqual([
      ['signed', 50],
      ['unsigned', 450],
    ]);
    expect(summaries[0]!.keys).toEqual({ 'evil.mesh.test': 50 });
  });
});

describe('client networks as CIDR text', () => {
  it.each([
    ['192.0.2.77', '192.0.2.0/24'],
    ['::ffff:192.0.2.77', '192.0.2.0/24'],
    ['2001:db8:aa:bb12::5', '2001:db8:aa:bb00::/56'],
    ['2001:db8::1', '2001:db8::/56'],
    ['2001:0:0:ab12::1', '2001:0:0:ab00::/56'],
    ['2001:0:0:ff::1', '2001::/56'],
    ['fe80::1%eth0', 'fe80::/56'],
    ['::1', '::/56'],
    ['not an address', 'unknown'],
  ])('%s → %s', (address, text) => {
    expect(networkText(address)).toBe(text);
  });
});
