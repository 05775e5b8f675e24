/**
 * Prometheus metrics of the node (prom-client): adapters from the DNS
 * responder's and listeners' sink interfaces to labelled counters, the
 * store-size gauge, and the reference's metric names where they exist
 * (`dmp_dns_queries_total`, `dmp_http_requests_total`, `dmp_records`).
 * Label children are bound once, so the per-packet cost is one increment.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { rcodeName } from '../dns/wire/constants.js';
import type { ResponseKind } from './dns/responder.js';
import type { DropReason, ResponderMetrics, UpdateOutcome } from './dns/responder-metrics.js';
import type { ResponseByteBudget } from './dns/response-budget.js';
import type { ResponseRateLimiter } from './dns/rrl.js';
import type { CookieOutcome } from './dns/server-cookies.js';
import type {
  DnsSocketCounter,
  DnsSocketEvent,
  DnsSocketInfo,
  DnsTransportMetrics,
} from './dns/transport/metrics.js';
import type { RecordStore } from './store/types.js';

export interface NodeMetrics {
  readonly registry: Registry;
  readonly responder: ResponderMetrics;
  readonly transport: DnsTransportMetrics;
  /** Counts a records-API request refused before any token was identified. */
  tokenRejected(reason: string): void;
}

export interface NodeMetricsOptions {
  readonly records: RecordStore;
  readonly now: () => number;
  readonly rrl?: ResponseRateLimiter;
  readonly responseBudget?: ResponseByteBudget;
  /** Called with unexpected responder exceptions (for logging). */
  readonly onInternalError?: (error: unknown) => void;
}

export function createNodeMetrics(options: NodeMetricsOptions): NodeMetrics {
  const registry = new Registry();
  const queries = new Counter({
    name: 'dmp_dns_queries_total',
    help: 'DNS messages answered or dropped, by outcome (lower-case rcode, or why dropped).',
    labelNames: ['outcome', 'kind'],
    registers: [registry],
  });
  const updates = new Counter({
    name: 'dmp_dns_updates_total',
    help: 'RFC 2136 UPDATE messages by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const tsigFailures = new Counter({
    name: 'dmp_dns_tsig_failures_total',
    help: 'Requests whose TSIG did not verify, by RFC 8945 error.',
    labelNames: ['error'],
    registers: [registry],
  });
  const socketEvents = new Counter({
    name: 'dmp_dns_socket_events_total',
    help: 'Listener events by transport and event (requests, responses, RRL and byte-budget slips/drops, TCP lifecycle).',
    labelNames: ['transport', 'event'],
    registers: [registry],
  });
  new Gauge({
    name: 'dmp_records',
    help: 'TXT values stored (expired ones awaiting the cleanup worker included).',
    registers: [registry],
    collect() {
      this.set(options.records.rowCount());
    },
  });
  if (options.rrl) {
    const rrl = options.rrl;
    new Gauge({
      name: 'dmp_dns_rrl_responses',
      help: 'Response-rate-limiter totals since start, by action.',
      labelNames: ['action'],
      registers: [registry],
      collect() {
        const c = rrl.counters;
        this.set({ action: 'sent' }, c.sent);
        this.set({ action: 'slipped' }, c.slipped);
        this.set({ action: 'dropped' }, c.dropped);
        this.set({ action: 'pressured-start' }, rrl.pressuredStarts);
      },
    });
  }
  if (options.responseBudget?.enabled) {
    const budget = options.responseBudget;
    new Gauge({
      name: 'dmp_dns_response_budget_responses',
      help:
        'Per-network UDP response byte budget totals since start, by action ' +
        '(sent, slipped, dropped; pressured-start: new buckets given little credit).',
      labelNames: ['action'],
      registers: [registry],
      collect() {
        const c = budget.counters;
        this.set({ action: 'sent' }, c.sent);
        this.set({ action: 'slipped' }, c.slipped);
        this.set({ action: 'dropped' }, c.dropped);
        this.set({ action: 'pressured-start' }, c.pressuredStarts);
      },
    });
    new Gauge({
      name: 'dmp_dns_response_budget_sent_bytes',
      help: 'UDP reply octets sent within the per-network byte budget since start.',
      registers: [registry],
      collect() {
        this.set(budget.counters.sentBytes);
      },
    });
  }
  const cookies = new Counter({
    name: 'dmp_dns_cookies_total',
    help:
      'Requests with a DNS COOKIE option (RFC 7873), by outcome: client-only, valid ' +
      '(source proven: exempt from UDP limits), invalid (answered with a fresh cookie), malformed (FORMERR).',
    labelNames: ['outcome'],
    registers: [registry],
  });

  const queryChildren = new Map<string, Counter.Internal>();
  const queryChild = (outcome: string, kind: string) => {
    const key = `${outcome}|${kind}`;
    let child = queryChildren.get(key);
    if (!child) {
      child = queries.labels(outcome, kind);
      queryChildren.set(key, child);
    }
    return child;
  };
  // Per response: a lookup by kind and numeric RCODE, without building the
  // label strings (rcodeName, lower-casing, the key) every time.
  const responseChildren = new Map<ResponseKind, Counter.Internal[]>();
  const responseChild = (kind: ResponseKind, rcode: number) => {
    let byRcode = responseChildren.get(kind);
    if (!byRcode) {
      byRcode = [];
      responseChildren.set(kind, byRcode);
    }
    let child = byRcode[rcode];
    if (!child) {
      child = queryChild(rcodeName(rcode).toLowerCase(), kind);
      byRcode[rcode] = child;
    }
    return child;
  };
  const updateChildren = new Map<UpdateOutcome, Counter.Internal>();
  const cookieChildren = new Map<CookieOutcome, Counter.Internal>();

  const responder: ResponderMetrics = {
    response(kind: ResponseKind, rcode: number) {
      responseChild(kind, rcode).inc();
    },
    dropped(reason: DropReason) {
      queryChild('malformed', reason).inc();
    },
    update(outcome: UpdateOutcome) {
      let child = updateChildren.get(outcome);
      if (!child) {
        child = updates.labels(outcome);
        updateChildren.set(outcome, child);
      }
      child.inc();
    },
    tsigFailure(code) {
      tsigFailures.labels(code).inc();
    },
    cookie(outcome: CookieOutcome) {
      let child = cookieChildren.get(outcome);
      if (!child) {
        child = cookies.labels(outcome);
        cookieChildren.set(outcome, child);
      }
      child.inc();
    },
    internalError(error) {
      options.onInternalError?.(error);
    },
  };

  const transport: DnsTransportMetrics = {
    socket(info: DnsSocketInfo): DnsSocketCounter {
      const children = new Map<DnsSocketEvent, Counter.Internal>();
      return {
        count(event) {
          let child = children.get(event);
          if (!child) {
            child = socketEvents.labels(info.transport, event);
            children.set(event, child);
          }
          child.inc();
        },
      };
    },
  };
  // Unidentified rejections are counted, not written to the token audit
  // trail: one row per bad request would let anyone grow the database.
  const rejections = new Counter({
    name: 'dmp_http_token_rejections_total',
    help: 'Records-API writes refused before a token was identified, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const tokenRejected = (reason: string) => rejections.inc({ reason });
  return { registry, responder, transport, tokenRejected };
}
