/**
 * `GET /metrics` (node spec §4.7): the Prometheus text of the injected
 * registry. Metrics reveal activity, so when an operator token is configured
 * it is required here too.
 */
import type { Registry } from 'prom-client';
import { operatorReadAllowed } from '../../auth/operator-token.js';
import type { Route } from '../router.js';
import type { ApiServices } from '../services.js';

/** `/metrics`, rendering `registry`. */
export function metricsRoutes(s: ApiServices, registry: Registry): Route[] {
  return [
    {
      name: 'metrics',
      methods: ['GET'],
      match: { exact: '/metrics' },
      handle: async (ctx) => {
        if (!operatorReadAllowed(ctx.authorization, s.config.operatorToken)) {
          ctx.error(401, 'unauthorized');
          return;
        }
        const text = await registry.metrics();
        ctx.send(200, { 'Content-Type': registry.contentType }, text);
      },
    },
  ];
}
