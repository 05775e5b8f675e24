/**
 * Replies to requests whose TSIG did not verify, in the RFC 8945 forms
 * (the reference sent a bare 12-octet NOTAUTH header instead):
 *
 * * malformed or misplaced TSIG → FORMERR, no TSIG (§5.2);
 * * unknown key or algorithm → NOTAUTH with a TSIG RR carrying error BADKEY,
 *   unsigned: empty MAC (§5.2.1, §5.3.2);
 * * MAC mismatch → NOTAUTH, TSIG error BADSIG, unsigned (§5.2.2, §5.3.2);
 * * time outside the fudge → NOTAUTH, TSIG error BADTIME, *signed* with the
 *   request MAC chained in, Time Signed copied from the request and the
 *   server's time in Other Data (§5.2.3), so the client can verify it and
 *   learn the clock skew.
 *
 * The question section and OPT (if the request had one) are echoed.
 */
import { signWire, type TsigFailure } from '../../dns/tsig.js';
import { TSIG_FUDGE, type TsigKey } from '../../dns/tsig-key.js';
import { Rcode, RRClass, RRType } from '../../dns/wire/constants.js';
import { canonicalName } from '../../dns/wire/name.js';
import type { TsigRdata } from '../../dns/wire/rdata.js';
import type { DnsRequest } from './request.js';
import { ADDITIONAL, type ResponseWriter, responseFlags } from './response-writer.js';
import type { NodeTsigKeyring } from './tsig-keyring.js';

const EMPTY = new Uint8Array(0);

const TSIG_ERROR: Record<TsigFailure['status'], number> = {
  BADKEY: Rcode.BADKEY,
  BADSIG: Rcode.BADSIG,
  BADTIME: Rcode.BADTIME,
  FORMERR: Rcode.FORMERR,
};

/** The request's TSIG RDATA (the last additional record), if it decoded as one. */
function requestTsig(req: DnsRequest): TsigRdata | undefined {
  const adds = req.message.additionals;
  const rr = adds[adds.length - 1];
  return rr !== undefined && rr.type === RRType.TSIG && rr.data.kind === 'TSIG'
    ? rr.data
    : undefined;
}

/** 48-bit big-endian time, as TSIG Other Data carries it for BADTIME. */
function time48(now: number): Uint8Array {
  const out = new Uint8Array(6);
  const hi = Math.floor(now / 0x1_0000_0000);
  const lo = now % 0x1_0000_0000;
  out[0] = hi >>> 8;
  out[1] = hi & 0xff;
  out[2] = lo >>> 24;
  out[3] = (lo >>> 16) & 0xff;
  out[4] = (lo >>> 8) & 0xff;
  out[5] = lo & 0xff;
  return out;
}

/**
 * The reply to `req` whose TSIG verification failed with `failure`, at
 * server time `now` (integer seconds). Returns the wire and the header RCODE.
 */
export function tsigErrorResponse(
  req: DnsRequest,
  failure: TsigFailure,
  keyring: NodeTsigKeyring,
  now: number,
  w: ResponseWriter,
): Uint8Array {
  const tsig = requestTsig(req);
  const keyName = failure.keyName;
  if (failure.status === 'FORMERR' || tsig === undefined || keyName === undefined) {
    w.begin(req, responseFlags(req, 0, Rcode.FORMERR));
    if (req.hasEdns) w.opt(0, req.dnssecOk);
    return w.finish();
  }
  w.begin(req, responseFlags(req, 0, Rcode.NOTAUTH));
  if (req.hasEdns) w.opt(0, req.dnssecOk);

  if (failure.status === 'BADTIME') {
    const entry = keyring.entry(canonicalName(keyName));
    if (entry !== undefined) {
      const key: TsigKey = { name: keyName, algorithm: tsig.algorithm, secret: entry.key.secret };
      return signWire(w.finish(), key, {
        timeSigned: tsig.timeSigned,
        fudge: tsig.fudge,
        originalId: tsig.originalId,
        error: Rcode.BADTIME,
        other: time48(now),
        requestMac: tsig.mac,
      }).wire;
    }
  }
  const rdata: TsigRdata = {
    kind: 'TSIG',
    algorithm: tsig.algorithm,
    timeSigned: now,
    fudge: TSIG_FUDGE,
    mac: EMPTY,
    originalId: tsig.originalId,
    error: TSIG_ERROR[failure.status],
    other: EMPTY,
  };
  w.record(ADDITIONAL, {
    name: keyName,
    type: RRType.TSIG,
    class: RRClass.ANY,
    ttl: 0,
    data: rdata,
  });
  return w.finish();
}
