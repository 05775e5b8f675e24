/**
 * The node's HTTP API server (node spec §4) on `node:http`: builds the
 * route table, wraps each request in a {@link RequestContext} and
 * dispatches it after the cross-site checks (`cross-site.ts`: Host, Origin,
 * Content-Type), and bounds what any client can cost — body size, header
 * size, header/request/keep-alive timeouts (slowloris) and the number of
 * connections. A handler that throws is answered 500 and logged; the server
 * itself never dies on a request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { assertSafeBind, type HttpApiConfig } from './config.js';
import { RequestContext } from './context.js';
import { CrossSiteGuard } from './cross-site.js';
import type { HttpApiDeps } from './deps.js';
import { httpRequestCounter } from './metrics.js';
import { dispatch, isServedMethod, type Route } from './router.js';
import { metricsRoutes } from './routes/metrics.js';
import { recordRoutes } from './routes/records.js';
import { registrationRoutes } from './routes/registration.js';
import { statusRoutes } from './routes/status.js';
import { type ApiServices, createServices } from './services.js';

/** A created (not yet listening) HTTP API. */
export interface HttpApi {
  readonly server: Server;
  /** Shared state, exposed for diagnostics and tests. */
  readonly services: ApiServices;
  /**
   * Starts listening (default: the configured host and port; port 0 picks a
   * free one). Refuses `open` auth mode on a public bind.
   */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting connections, closes idle ones and waits for in-flight requests. */
  close(): Promise<void>;
}

/** The built-in route table, in match order. */
export function builtinRoutes(s: ApiServices, deps: HttpApiDeps): Route[] {
  return [
    ...statusRoutes(s),
    ...metricsRoutes(s, deps.registry),
    ...registrationRoutes(s),
    ...recordRoutes(s),
  ];
}

/**
 * Answers a request Node could not hand to us (malformed, too-large headers,
 * a timeout) and closes the connection. Such errors concern one client only.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || socket.destroyed || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? '408 Request Timeout'
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Builds the HTTP API over `deps` with `config`. Call {@link HttpApi.listen} to serve. */
export function createHttpApi(deps: HttpApiDeps, config: HttpApiConfig): HttpApi {
  const services = createServices(deps, config);
  const routes = [...builtinRoutes(services, deps), ...(deps.routes ?? [])];
  const counter = httpRequestCounter(deps.registry);
  const log = deps.logger;
  const limits = config.limits;
  const crossSite = (bindHost: string): CrossSiteGuard =>
    new CrossSiteGuard({
      bindHost,
      nodeHostname: config.registration.policy.nodeHostname,
      allowedHosts: config.allowedHosts,
    });
  // Replaced in listen() once the bound address is known.
  let guard = crossSite(config.host);
  let hostRefusalLogged = false;

  const observe = (method: string, status: number): void => {
    // Only served methods are counted: arbitrary method names would make the
    // label set unbounded.
    if (isServedMethod(method)) counter.observe(method, status);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ctx = new RequestContext(
      req,
      res,
      log,
      limits.maxBodyBytes,
      observe,
      services.clientAddress,
    );
    try {
      const refusal = guard.check({ method: ctx.method, headers: req.headers });
      if (refusal === undefined) {
        await dispatch(routes, ctx);
      } else {
        if (refusal.status === 421 && !hostRefusalLogged) {
          // Once: a proxy forwarding its public name is the likely cause.
          hostRefusalLogged = true;
          log.warn(
            { host: String(req.headers.host).slice(0, 100) },
            'HTTP request refused (421) for its Host header; list the names this API is reached ' +
              'by in DMP_HTTP_ALLOWED_HOSTS',
          );
        }
        ctx.error(refusal.status, refusal.error);
      }
    } catch (err) {
      log.error(
        { method: ctx.method, path: ctx.path, err: err instanceof Error ? err.stack : String(err) },
        'HTTP handler failed',
      );
      if (!ctx.done) ctx.error(500, 'internal error');
    }
    if (!ctx.done) ctx.error(500, 'internal error');
    log.debug({ method: ctx.method, path: ctx.path, ip: ctx.ip, status: res.statusCode }, 'http');
  };

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
      maxHeaderSize: limits.maxHeaderBytes,
    },
    (req, res) => {
      void handle(req, res);
    },
  );
  server.maxConnections = limits.maxConnections;
  server.maxHeadersCount = 100;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    log.debug({ code: err.code }, 'HTTP client error');
    answerClientError(err, socket);
  });

  return {
    server,
    services,
    async listen(port = config.port, host = config.host) {
      assertSafeBind(config, host);
      guard = crossSite(host);
      return new Promise<AddressInfo>((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          if (config.authMode === 'open') {
            log.warn(
              { host: address.address, port: address.port },
              'HTTP API in open auth mode: anyone may write records',
            );
          }
          if (!config.operatorToken)
            log.warn('no operator token configured: /metrics is unauthenticated');
          log.info(
            { host: address.address, port: address.port, authMode: config.authMode },
            'HTTP API listening',
          );
          resolve(address);
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      });
    },
  };
}
