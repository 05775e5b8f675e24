/**
 * The node's DNS transports: UDP and TCP listeners (RFC 1035 §4.2, RFC 7766)
 * in front of a {@link DnsResponder}, with UDP response-rate limiting.
 */
export type { DnsResponder } from '../responder.js';
export {
  type DnsBoundAddress,
  type DnsListenerOptions,
  type DnsListeners,
  startDnsListeners,
} from './listeners.js';
export {
  CountingDnsMetrics,
  type DnsSocketCounter,
  type DnsSocketEvent,
  type DnsSocketInfo,
  type DnsTransportMetrics,
  NO_DNS_METRICS,
} from './metrics.js';
