/**
 * A minimal RFC 2136 + RFC 8945 UPDATE server for writer tests, built on
 * the fault server and the project's own TSIG verifier and signer. It
 * follows the node spec's result codes (§2.2): NOTAUTH stub for TSIG
 * failures, NOTAUTH for a foreign zone, NOTZONE, REFUSED outside the key's
 * suffixes, SERVFAIL for a delete that matches nothing.
 */
import { signResponse, tsigFailureStub, verifyRequest } from '../../../src/dns/tsig.js';
import { createTsigKeyring, type TsigKey } from '../../../src/dns/tsig-key.js';
import { Rcode } from '../../../src/dns/wire/constants.js';
import { type DnsMessage, encodeMessage } from '../../../src/dns/wire/message.js';
import { canonicalName, isSubdomain } from '../../../src/dns/wire/name.js';
import { txtValue } from '../../../src/dns/wire/txt.js';
import { classifyUpdate, updateSections } from '../../../src/dns/wire/update.js';
import { answerTo, type FaultAction, type FaultHandler } from './fault-server.js';

export type ServerMode = 'normal' | 'tamper-mac' | 'unsigned-noerror' | 'tc-on-udp';

export interface TsigUpdateServerState {
  readonly store: Map<string, string[]>;
  /** Character-string lengths of every TXT RR received, in order. */
  readonly stringLengths: number[][];
  mode: ServerMode;
}

export function tsigUpdateHandler(
  keys: TsigKey[],
  zone: string,
  suffixes: string[],
  state: TsigUpdateServerState,
  now: () => number = () => Math.floor(Date.now() / 1000),
): FaultHandler {
  const keyring = createTsigKeyring(keys);
  const covers = (owner: string) => suffixes.some((s) => isSubdomain(owner, s));

  function apply(msg: DnsMessage): number {
    const { zone: zones, updates } = updateSections(msg);
    if (zones[0] === undefined || canonicalName(zones[0].name) !== zone) return Rcode.NOTAUTH;
    if (updates.some((rr) => !isSubdomain(rr.name, zone))) return Rcode.NOTZONE;
    if (updates.some((rr) => !covers(rr.name))) return Rcode.REFUSED;
    for (const rr of updates) {
      const owner = canonicalName(rr.name);
      const values = state.store.get(owner) ?? [];
      const action = classifyUpdate(rr);
      if (rr.data.kind === 'TXT') state.stringLengths.push(rr.data.strings.map((s) => s.length));
      if (action === 'add' && rr.data.kind === 'TXT') {
        const v = txtValue(rr.data);
        if (v === undefined) return Rcode.FORMERR;
        if (!values.includes(v)) values.push(v);
        state.store.set(owner, values);
      } else if (action === 'delete-rr' && rr.data.kind === 'TXT') {
        const v = txtValue(rr.data);
        const i = v === undefined ? -1 : values.indexOf(v);
        if (i < 0) return Rcode.SERVFAIL;
        values.splice(i, 1);
      } else if (action === 'delete-rrset') {
        if (values.length === 0) return Rcode.SERVFAIL;
        state.store.delete(owner);
      }
    }
    return Rcode.NOERROR;
  }

  return (request): FaultAction => {
    const msg = request.message;
    if (msg === undefined) return { kind: 'drop' };
    if (state.mode === 'tc-on-udp' && request.protocol === 'udp') {
      return { kind: 'reply', message: answerTo(msg, { tc: true }) };
    }
    const verified = verifyRequest(request.wire, keyring, now(), msg);
    if (verified.status !== 'ok') {
      return { kind: 'raw', wire: tsigFailureStub(msg.header.id, msg.header.opcode) };
    }
    const rcode = apply(msg);
    const response = encodeMessage(answerTo(msg, { rcode }));
    if (state.mode === 'unsigned-noerror') {
      return { kind: 'raw', wire: encodeMessage(answerTo(msg)) };
    }
    const signed = signResponse(response, verified, now()).wire;
    if (state.mode === 'tamper-mac') signed[signed.length - 7]! ^= 1;
    return { kind: 'raw', wire: signed };
  };
}
