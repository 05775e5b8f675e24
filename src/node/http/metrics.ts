/**
 * HTTP metrics (node spec §4.7): `dmp_http_requests_total{method,status}`,
 * registered on the registry the daemon passes in — the same registry
 * `/metrics` renders, so DNS and store metrics registered there by other
 * components are exposed alongside.
 */
import { Counter, type Registry } from 'prom-client';

/** Name of the request counter. */
export const HTTP_REQUESTS_METRIC = 'dmp_http_requests_total';

/** Counts answered requests. */
export interface HttpRequestCounter {
  observe(method: string, status: number): void;
}

/**
 * The request counter on `registry`, created on first use; a second API
 * instance on the same registry shares it instead of failing to register.
 */
export function httpRequestCounter(registry: Registry): HttpRequestCounter {
  const existing = registry.getSingleMetric(HTTP_REQUESTS_METRIC);
  const counter =
    existing instanceof Counter
      ? (existing as Counter<'method' | 'status'>)
      : new Counter({
          name: HTTP_REQUESTS_METRIC,
          help: 'Total DMP HTTP API requests, by method and status',
          labelNames: ['method', 'status'] as const,
          registers: [registry],
        });
  return {
    observe(method, status) {
      counter.inc({ method, status: String(status) });
    },
  };
}
