/**
 * The node's DNS responder: everything between request bytes and response
 * bytes (node spec §1–§2), as a chain of small steps in the CoreDNS manner:
 *
 *   guard (no reply to runts and responses) → parse (`request.ts`) →
 *   cookies (RFC 7873, `server-cookies.ts`: a malformed COOKIE option is
 *   FORMERR, any other gets the client cookie and a current server cookie
 *   back) → UPDATE budgets (`update-budgets.ts`) → TSIG (RFC 8945,
 *   `tsig-keyring.ts` / `tsig-errors.ts`) → EDNS version
 *   (RFC 6891 §6.1.3) → opcode: QUERY (`answer-query.ts`), UPDATE
 *   (`update.ts`; a signed UPDATE already processed within its TSIG window
 *   gets its first reply again, `update-replies.ts`), else NOTIMP → OPT,
 *   TSIG signature (RFC 8945 §5.3, request MAC chained) → size fit
 *   (RFC 1035 §4.2.1, RFC 6891 §7: TC=1 stub over UDP, SERVFAIL past 65535
 *   octets over TCP). Every UPDATE answered is reported to the audit log
 *   (`update-audit.ts`).
 *
 * A node never dies on a packet: every path returns a response or
 * `undefined`; an unexpected exception is counted and answered SERVFAIL.
 */
import { SERVER_MAX_FUDGE, type TsigVerified, verifyRequest } from '../../dns/tsig.js';
import { MAX_MESSAGE_SIZE, Opcode, Rcode } from '../../dns/wire/constants.js';
import { HEADER_SIZE } from '../../dns/wire/header.js';
import { canonicalName } from '../../dns/wire/name.js';
import { readU16 } from '../../protocol/bytes.js';
import { TokenBucketLimiter } from '../rate-limit/token-bucket.js';
import { TsigScope } from '../registration/tsig-scope.js';
import type { RecordStore, TsigKeyStore } from '../store/types.js';
import { answerQuery, type QueryEnv, type QueryResult } from './answer-query.js';
import type { ClaimPolicy, ClaimRateLimiter } from './claim-path.js';
import { dmpInteriorNames, type InteriorNames } from './interior-names.js';
import { RegisteredRecipients } from './registered-recipients.js';
import { type DnsRequest, parseRequest } from './request.js';
import type { DnsRequestContext, DnsResponder, DnsResponse, ResponseKind } from './responder.js';
import { compileResponderConfig, type NodeResponderConfig } from './responder-config.js';
import { NO_RESPONDER_METRICS, type ResponderMetrics } from './responder-metrics.js';
import {
  ADVERTISED_UDP_SIZE,
  FLAG_AA,
  FLAG_QR,
  FLAG_TC,
  ResponseWriter,
  responseFlags,
} from './response-writer.js';
import { ServerCookies } from './server-cookies.js';
import { tsigErrorResponse } from './tsig-errors.js';
import { NodeTsigKeyring, type ScopeAuthorizer } from './tsig-keyring.js';
import { signReply } from './tsig-reply.js';
import { processUpdate, type UpdateEnv } from './update.js';
import type { UpdateAudit, UpdateAuditEvent, UpdateAuditOutcome } from './update-audit.js';
import { UpdateAdmission } from './update-budgets.js';
import { UpdateReplyCache } from './update-replies.js';

/** Collaborators of {@link createNodeResponder}. */
export interface NodeResponderDeps {
  readonly records: RecordStore;
  /** TSIG keys; without a store every TSIG is answered BADKEY. */
  readonly tsigKeys?: TsigKeyStore | undefined;
  /** Wall clock in Unix seconds (default `Date.now() / 1000`); TSIG time, expiry, SOA serial. */
  readonly clock?: (() => number) | undefined;
  /** Compiles a key's scope (default: `TsigScope.of(key.allowedSuffixes)`). */
  readonly scope?: ScopeAuthorizer | undefined;
  /** Per-recipient claim limiter (default: a token bucket from `config.update`). */
  readonly claimLimiter?: ClaimRateLimiter | undefined;
  /** Empty non-terminal test (default: the DMP naming scheme's interior names). */
  readonly interior?: InteriorNames | undefined;
  readonly metrics?: ResponderMetrics | undefined;
  /** UPDATE budgets (default: built from `config.update.budgets`). */
  readonly admission?: UpdateAdmission | undefined;
  /** Replies to signed UPDATEs, kept for their TSIG window (default: the default limits). */
  readonly replies?: UpdateReplyCache | undefined;
  /** Where every UPDATE's outcome is reported (default: nowhere). */
  readonly audit?: UpdateAudit | undefined;
}

/** Spec defaults of the claim bucket (node spec §1.7). */
const CLAIM_RATE_DEFAULT = 0.5;
const CLAIM_BURST_DEFAULT = 30;
const MIN_UDP_PAYLOAD = 512;
/** RFC 6891 §9 extended RCODE (shares 16 with the TSIG error BADSIG). */
const BADVERS = 16;

const defaultClock = () => Date.now() / 1000;
const defaultScope: ScopeAuthorizer = (key) => TsigScope.of(key.allowedSuffixes);

/** One response; `truncated()` rebuilds the TC=1 stub from the request it keeps. */
class NodeDnsResponse implements DnsResponse {
  constructor(
    readonly wire: Uint8Array,
    readonly rcode: number,
    readonly kind: ResponseKind,
    readonly qname: string | undefined,
    private readonly responder: NodeResponder,
    private readonly request: DnsRequest | Uint8Array,
    private readonly signer: TsigVerified | undefined,
    private readonly now: number,
    /** The reply's COOKIE option data, kept for the stub. */
    private readonly cookie: Uint8Array | undefined,
    readonly addressVerified: boolean,
  ) {}

  get authenticated(): boolean {
    return this.signer !== undefined;
  }

  truncated(): Uint8Array {
    return this.responder.truncatedStub(this.request, this.signer, this.now, this.cookie);
  }
}

/** 12-octet reply from the raw header (the request did not decode): FORMERR or a stub. */
function bareHeader(request: Uint8Array, extraFlags: number, rcode: number): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  out[0] = request[0]!;
  out[1] = request[1]!;
  const flags = FLAG_QR | (readU16(request, 2) & 0x7900) | extraFlags | rcode;
  out[2] = flags >>> 8;
  out[3] = flags & 0xff;
  return out;
}

class NodeResponder implements DnsResponder {
  private readonly w = new ResponseWriter();
  private readonly result: QueryResult = { rcode: 0, kind: 'answer', qname: undefined };
  private readonly keyring: NodeTsigKeyring;
  private readonly queryEnv: QueryEnv;
  private readonly updateEnv: UpdateEnv;
  private readonly clock: () => number;
  private readonly metrics: ResponderMetrics;
  private readonly admission: UpdateAdmission;
  private readonly replies: UpdateReplyCache;
  private readonly audit: UpdateAudit | undefined;
  private readonly cookies: ServerCookies | undefined;
  /** The current request carried a valid server cookie (see {@link DnsResponse.addressVerified}). */
  private addressVerified = false;

  constructor(deps: NodeResponderDeps, config: NodeResponderConfig) {
    const compiled = compileResponderConfig(config);
    this.clock = deps.clock ?? defaultClock;
    this.metrics = deps.metrics ?? NO_RESPONDER_METRICS;
    this.keyring = new NodeTsigKeyring(deps.tsigKeys, deps.scope ?? defaultScope);
    this.cookies = config.dns.cookies === false ? undefined : new ServerCookies();
    const update = compiled.update;
    const admission = deps.admission ?? new UpdateAdmission(update.budgets);
    this.admission = admission;
    this.replies = deps.replies ?? new UpdateReplyCache();
    this.audit = deps.audit;
    const recipients = new RegisteredRecipients(deps.tsigKeys, compiled.zone);
    const claims: ClaimPolicy = {
      zone: compiled.zone,
      provider: update.enabled && update.claimProvider,
      receiver: update.enabled && update.receiverClaims,
      maxTtl: update.claimMaxTtl,
      limiter:
        deps.claimLimiter ??
        new TokenBucketLimiter({
          ratePerSecond: update.claimRatePerSecond ?? CLAIM_RATE_DEFAULT,
          burst: update.claimBurst ?? CLAIM_BURST_DEFAULT,
        }),
      registered: (now) => recipients.current(now),
      admission,
    };
    const interior = deps.interior ?? dmpInteriorNames(compiled.zone);
    this.queryEnv = { config: compiled, store: deps.records, interior };
    this.updateEnv = {
      config: compiled,
      store: deps.records,
      keyring: this.keyring,
      claims,
      admitKey: (keyName) => admission.admitKey(keyName.toLowerCase()),
    };
  }

  respond(request: Uint8Array, context: DnsRequestContext): DnsResponse | undefined {
    try {
      return this.handle(request, context);
    } catch (err) {
      return this.internalError(request, err);
    }
  }

  /**
   * TC=1, RCODE 0, AA=0: question and OPT (with `cookie`, when the request
   * had one) only, signed when the request was (node spec §1.6).
   */
  truncatedStub(
    request: DnsRequest | Uint8Array,
    signer: TsigVerified | undefined,
    now: number,
    cookie: Uint8Array | undefined,
  ): Uint8Array {
    if (request instanceof Uint8Array) return bareHeader(request, FLAG_TC, 0);
    this.w.cookie = cookie;
    this.w.begin(request, responseFlags(request, FLAG_TC, Rcode.NOERROR));
    return this.finish(request, signer, now);
  }

  private handle(request: Uint8Array, context: DnsRequestContext): DnsResponse | undefined {
    const metrics = this.metrics;
    const w = this.w;
    w.cookie = undefined;
    this.addressVerified = false;
    if (request.length < HEADER_SIZE) {
      metrics.dropped('short');
      return undefined;
    }
    if ((request[2]! & 0x80) !== 0) {
      metrics.dropped('response');
      return undefined;
    }
    const now = Math.floor(this.clock());
    const req = parseRequest(request);
    if (req === undefined) {
      const wire = bareHeader(request, 0, Rcode.FORMERR);
      return this.done(wire, Rcode.FORMERR, 'error', undefined, request, undefined, now);
    }

    if (this.cookies !== undefined && req.cookie.status !== 'absent') {
      if (req.cookie.status === 'malformed') {
        // RFC 7873 §5.2.2; the reply carries no cookie (there is none to echo).
        metrics.cookie('malformed');
        w.begin(req, responseFlags(req, 0, Rcode.FORMERR));
        const wire = this.finish(req, undefined, now);
        return this.done(wire, Rcode.FORMERR, 'error', undefined, req, undefined, now);
      }
      const check = this.cookies.check(req.cookie.cookie, context.remoteAddress, now);
      metrics.cookie(check.outcome);
      w.cookie = check.reply;
      this.addressVerified = check.outcome === 'valid';
    }

    // UPDATE budgets come before any other work, signature checks included.
    let network = '0';
    if (req.opcode === Opcode.UPDATE) {
      network = this.admission.networkOf(context.remoteAddress);
      if (!this.admission.admitMessage(network)) {
        metrics.update('over-budget');
        this.audited(req, context, 'over-budget', Rcode.REFUSED, undefined);
        w.begin(req, responseFlags(req, FLAG_AA, Rcode.REFUSED));
        const wire = this.finish(req, undefined, now);
        return this.done(wire, Rcode.REFUSED, 'update', undefined, req, undefined, now);
      }
    }

    let signer: TsigVerified | undefined;
    if (req.hasTsig) {
      this.keyring.refresh(now);
      const verified = verifyRequest(request, this.keyring, now, req.message);
      if (verified.status === 'ok') {
        signer = verified;
      } else if (verified.status !== 'unsigned') {
        metrics.tsigFailure(verified.status);
        const wire = tsigErrorResponse(req, verified, this.keyring, now, w);
        const rcode = verified.status === 'FORMERR' ? Rcode.FORMERR : Rcode.NOTAUTH;
        const kind: ResponseKind = req.opcode === Opcode.UPDATE ? 'update' : 'error';
        if (kind === 'update') {
          this.audited(req, context, 'bad-tsig', rcode, undefined, {
            tsig: verified.status,
            claimedKey: verified.keyName,
          });
        }
        return this.done(wire, rcode, kind, undefined, req, undefined, now);
      }
    }

    if (req.hasEdns && req.ednsVersion > 0) {
      // RFC 6891 §6.1.3: BADVERS (16) = extended RCODE 1, header RCODE 0.
      w.begin(req, responseFlags(req, 0, 0));
      w.opt(1, req.dnssecOk);
      const wire = this.sign(req, w.finish(), signer, now);
      return this.done(wire, BADVERS, 'error', undefined, req, signer, now);
    }

    if (req.opcode === Opcode.QUERY) return this.query(req, signer, now, context);
    if (req.opcode === Opcode.UPDATE) return this.update(req, signer, now, network, context);
    w.begin(req, responseFlags(req, 0, Rcode.NOTIMP));
    const wire = this.finish(req, signer, now);
    return this.done(wire, Rcode.NOTIMP, 'error', undefined, req, signer, now);
  }

  private query(
    req: DnsRequest,
    signer: TsigVerified | undefined,
    now: number,
    context: DnsRequestContext,
  ): DnsResponse {
    const w = this.w;
    const result = this.result;
    answerQuery(req, this.queryEnv, now, w, result);
    if (req.hasEdns) w.opt(0, req.dnssecOk);
    const tcp = context.transport === 'tcp';
    const limit = tcp ? (context.maxResponseBytes ?? MAX_MESSAGE_SIZE) : udpBudget(req, context);
    let wire: Uint8Array | undefined;
    if (w.length <= MAX_MESSAGE_SIZE) wire = this.sign(req, w.finish(), signer, now);
    if (wire !== undefined && wire.length <= limit) {
      return this.done(wire, result.rcode, result.kind, result.qname, req, signer, now);
    }
    if (!tcp) {
      // Never a partial RRset: the client retries over TCP.
      wire = this.truncatedStub(req, signer, now, w.cookie);
      return this.done(wire, Rcode.NOERROR, 'truncated', result.qname, req, signer, now);
    }
    w.begin(req, responseFlags(req, 0, Rcode.SERVFAIL));
    wire = this.finish(req, signer, now);
    return this.done(wire, Rcode.SERVFAIL, 'error', result.qname, req, signer, now);
  }

  private update(
    req: DnsRequest,
    signer: TsigVerified | undefined,
    now: number,
    network: string,
    context: DnsRequestContext,
  ): DnsResponse {
    const keyName = signer === undefined ? '' : canonicalName(signer.keyName);
    if (signer !== undefined) {
      // A copy of a signed UPDATE processed within its window — a lost
      // reply's retransmission, or a replay — applies nothing and gets the
      // first reply again, rebuilt from what decided it: the same octets.
      const kept = this.replies.lookup(keyName, signer.mac, now);
      if (kept !== undefined) {
        this.metrics.update('replayed');
        this.audited(req, context, 'replayed', kept.rcode, keyName, { replayOf: kept.outcome });
        this.w.cookie = kept.cookie;
        this.w.begin(req, responseFlags(req, FLAG_AA, kept.rcode));
        const wire = this.finish(req, signer, kept.signedAt);
        return this.done(wire, kept.rcode, 'update', undefined, req, signer, now);
      }
    }
    const verdict = processUpdate(req, signer, this.updateEnv, now, network);
    this.metrics.update(verdict.outcome);
    if (verdict.error !== undefined) this.metrics.internalError(verdict.error);
    const key = signer === undefined ? undefined : keyName;
    this.audited(req, context, verdict.outcome, verdict.rcode, key);
    // AA on every UPDATE response, as the reference (RFC 2136 leaves it open).
    this.w.begin(req, responseFlags(req, FLAG_AA, verdict.rcode));
    const wire = this.finish(req, signer, now);
    if (signer !== undefined) {
      // Every verdict is kept, refusals too (see update-replies.ts); the
      // request verifies until time signed + its fudge, capped as verified.
      this.replies.remember(
        keyName,
        signer.mac,
        {
          rcode: verdict.rcode,
          outcome: verdict.outcome,
          signedAt: now,
          cookie: this.w.cookie,
          expires: signer.timeSigned + Math.min(signer.fudge, SERVER_MAX_FUDGE),
        },
        now,
      );
    }
    return this.done(wire, verdict.rcode, 'update', undefined, req, signer, now);
  }

  /** Reports one UPDATE to the audit log, when there is one. */
  private audited(
    req: DnsRequest,
    context: DnsRequestContext,
    outcome: UpdateAuditOutcome,
    rcode: number,
    key: string | undefined,
    extra?: Partial<UpdateAuditEvent>,
  ): void {
    this.audit?.update({
      outcome,
      rcode,
      key,
      signed: req.hasTsig,
      remoteAddress: context.remoteAddress,
      transport: context.transport,
      message: req.message,
      ...extra,
    });
  }

  /** Appends OPT when the request had one, then signs. */
  private finish(req: DnsRequest, signer: TsigVerified | undefined, now: number): Uint8Array {
    if (req.hasEdns) this.w.opt(0, req.dnssecOk);
    return this.sign(req, this.w.finish(), signer, now);
  }

  private sign(
    req: DnsRequest,
    wire: Uint8Array,
    signer: TsigVerified | undefined,
    now: number,
  ): Uint8Array {
    return signer === undefined ? wire : signReply(wire, req, signer, now);
  }

  private done(
    wire: Uint8Array,
    rcode: number,
    kind: ResponseKind,
    qname: string | undefined,
    request: DnsRequest | Uint8Array,
    signer: TsigVerified | undefined,
    now: number,
  ): DnsResponse {
    this.metrics.response(kind, rcode);
    return new NodeDnsResponse(
      wire,
      rcode,
      kind,
      qname,
      this,
      request,
      signer,
      now,
      this.w.cookie,
      this.addressVerified,
    );
  }

  /** Last resort: an unsigned SERVFAIL header, or nothing if even that fails. */
  private internalError(request: Uint8Array, err: unknown): DnsResponse | undefined {
    try {
      this.metrics.internalError(err);
    } catch {
      // a throwing metrics sink must not take the answer down with it
    }
    try {
      if (request.length < HEADER_SIZE || (request[2]! & 0x80) !== 0) return undefined;
      const wire = bareHeader(request, 0, Rcode.SERVFAIL);
      return new NodeDnsResponse(
        wire,
        Rcode.SERVFAIL,
        'error',
        undefined,
        this,
        request,
        undefined,
        0,
        undefined,
        false,
      );
    } catch {
      return undefined;
    }
  }
}

/** UDP size budget (RFC 6891 §6.2.5): the client's EDNS size, at least 512; 512 without EDNS. */
function udpBudget(req: DnsRequest, context: DnsRequestContext): number {
  // RFC 9715: never send UDP replies larger than we advertise (1232), however
  // large a buffer the client offers — fragments get lost or spoofed.
  let budget = req.hasEdns
    ? Math.min(ADVERTISED_UDP_SIZE, Math.max(MIN_UDP_PAYLOAD, req.ednsUdpSize))
    : MIN_UDP_PAYLOAD;
  if (context.maxResponseBytes !== undefined && context.maxResponseBytes < budget) {
    budget = Math.max(MIN_UDP_PAYLOAD, context.maxResponseBytes);
  }
  return budget;
}

/**
 * Builds the responder of a node serving `config.zone` from `deps.records`.
 * Throws `RangeError` on an invalid configuration (start-up only).
 */
export function createNodeResponder(
  deps: NodeResponderDeps,
  config: NodeResponderConfig,
): DnsResponder {
  return new NodeResponder(deps, config);
}
