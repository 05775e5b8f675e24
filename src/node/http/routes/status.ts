/**
 * Unauthenticated status routes (node spec §4.3): `GET /health` exercises
 * the record store (a wedged database must not look healthy to probes) and
 * adds, after the reference's fields, the package `version` and the
 * node's `uptime_seconds`,
 * `GET /stats` reports the number of unexpired records, and `/` is a small
 * informational landing page.
 */
import { VERSION } from '../../../version.js';
import type { LandingPeer } from '../deps.js';
import type { Route } from '../router.js';
import type { ApiServices } from '../services.js';

/** Owner the health probe reads; absence is fine, only a throw is unhealthy. */
const HEALTH_PROBE_NAME = '__dmp_health_probe__';

const LANDING_HEAD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DMP node</title></head>
<body><h1>DNS Mesh Protocol node</h1>
<p>This host runs a DMP node: an authoritative DNS server for end-to-end encrypted,
delay-tolerant messaging, with a small HTTP API (<code>/health</code>, <code>/stats</code>,
<code>/v1/records/{name}</code>, <code>/v1/registration/*</code>).</p>`;
const LANDING_PAGE = `${LANDING_HEAD}</body></html>
`;
/** Peers listed on the landing page. */
const LANDING_PEERS = 50;

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The landing page with the peers this node has seen (heartbeats on). */
function landingWithPeers(peers: readonly LandingPeer[]): string {
  const items = peers.map(
    (p) =>
      `<li><code>${escapeHtml(p.endpoint)}</code> zone <code>${escapeHtml(p.claimProviderZone || '-')}</code>` +
      ` version <code>${escapeHtml(p.version || '-')}</code> operator <code>${p.operatorSpkHex.slice(0, 16)}</code>` +
      ` seen ${new Date(p.ts * 1000).toISOString()}</li>`,
  );
  const list = items.length > 0 ? `<ul>\n${items.join('\n')}\n</ul>` : '<p>No peers seen yet.</p>';
  return `${LANDING_HEAD}\n<h2>Known peers</h2>\n${list}</body></html>\n`;
}

/** `/`, `/index.html`, `/health`, `/stats`. */
export function statusRoutes(s: ApiServices): Route[] {
  return [
    {
      name: 'landing',
      methods: ['GET'],
      match: { pattern: /^\/(?:index\.html)?$/ },
      handle: (ctx) => {
        ctx.send(
          200,
          { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, max-age=30' },
          s.peers ? landingWithPeers(s.peers(LANDING_PEERS)) : LANDING_PAGE,
        );
      },
    },
    {
      name: 'health',
      methods: ['GET'],
      match: { exact: '/health' },
      handle: (ctx) => {
        const about = {
          version: VERSION,
          uptime_seconds: Math.max(0, Math.floor(s.clock.monotonic() - s.startedAt)),
        };
        try {
          s.records.query(HEALTH_PROBE_NAME, s.clock.now());
        } catch (err) {
          const detail = err instanceof Error ? err.message : String(err);
          s.log.warn({ err: detail }, 'health check: record store query failed');
          // The detail goes to the log only: store errors can name paths.
          ctx.json(503, { status: 'degraded', store: 'unavailable', ...about });
          return;
        }
        ctx.json(200, { status: 'ok', ...about });
      },
    },
    {
      name: 'stats',
      methods: ['GET'],
      match: { exact: '/stats' },
      handle: (ctx) => {
        // O(1): rows stored, expired ones awaiting the cleanup included
        // (at most one cleanup interval's worth); counting live rows would
        // let any client make the node scan its table.
        ctx.json(200, { records: s.records.rowCount() });
      },
    },
  ];
}
